"""Forms of the 讲 and 见 pages. They parse what a person typed into the services' inputs and hold no
rule: which speaker, venue, content or date is allowed is decided by ``campaign.services``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from campaign.models import (
    ActionItem,
    ActionTask,
    Campaign,
    KeyDocument,
    Layer,
    LectureKind,
    LectureSession,
    MaterialKind,
    ProgressStatus,
)
from campaign.services import (
    ActionItemData,
    LectureData,
    RoadmapStepData,
    commission_posts,
    lecture_commission,
)
from core.forms import DateInput, MonthField, MultipleFileField, PlainSelect, TextField
from hospitals.models import Department, Hospital, MedicalAlliance, OrgUnit, Person, Post

# Fields only a hospital's lecture has: a banner's 集中宣讲 is held for its hospitals' leaders, by its
# commission, in no department, host hospital or alliance.
HOSPITAL_ONLY_FIELDS = ("department", "host_hospital", "alliance")


class LectureForm(forms.Form):
    kind = forms.ModelChoiceField(LectureKind.objects.none(), label="宣讲形式")
    held_on = forms.DateField(label="宣讲日期", widget=DateInput)
    title = TextField(label="宣讲题目", max_length=200)
    speaker = forms.ModelChoiceField(Person.objects.none(), label="宣讲人")
    department = forms.ModelChoiceField(Department.objects.none(), label="科室(科室宣讲)", required=False)
    party_history = forms.BooleanField(label="宣讲百年党史", required=False)
    coverage = forms.MultipleChoiceField(
        label="宣讲的重点文件及层次", required=False, widget=forms.CheckboxSelectMultiple
    )
    attendance_expected = forms.IntegerField(label="应到人数", initial=0)
    attendance_present = forms.IntegerField(label="实到人数", initial=0)
    on_duty_exempt = forms.IntegerField(label="正常值班人数", initial=0)
    is_online = forms.BooleanField(label="线上宣讲", required=False)
    online_link = forms.URLField(label="线上链接", required=False, assume_scheme="https")
    host_hospital = forms.ModelChoiceField(  # the league's hospitals: as many as 300 options
        Hospital.objects.none(), label="受讲医院(院外互讲)", required=False, widget=PlainSelect
    )
    alliance = forms.ModelChoiceField(MedicalAlliance.objects.none(), label="医联体(串讲)", required=False)
    supervising_officials = forms.ModelMultipleChoiceField(
        Person.objects.none(),
        label="出席指导的卫生健康委领导",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="卫生健康委主要负责人或分管领导（通知四(一)）",
    )
    supervision_note = TextField(label="出席指导情况(文字)", max_length=300, required=False)

    def __init__(
        self,
        *args: Any,
        campaign: Campaign,
        hospital: Hospital | None = None,
        unit: OrgUnit | None = None,
        **kwargs: Any,
    ) -> None:
        """A hospital's lecture (``hospital``), or a banner's 集中宣讲 (``unit``): its kinds, speakers
        and fields are that organiser's; which speaker may give which kind is the service's rule."""
        super().__init__(*args, **kwargs)
        self.campaign, self.hospital, self.unit = campaign, hospital, unit
        fields: Any = self.fields
        kinds = LectureKind.objects.filter(campaign=campaign)
        if unit is not None:
            fields["kind"].queryset = kinds.filter(venue=LectureKind.Venue.BANNER)
            fields["speaker"].queryset = Person.objects.filter(org_unit=unit).order_by("code")
            fields["speaker"].label = "宣讲人(卫生健康委负责人)"
            fields["attendance_expected"].label = "应到人数(各医院领导班子成员)"
            for name in HOSPITAL_ONLY_FIELDS:
                del fields[name]
        else:
            assert hospital is not None
            # 集中宣讲 is organised by a banner's commission, not by a hospital.
            fields["kind"].queryset = kinds.exclude(venue=LectureKind.Venue.BANNER)
            fields["speaker"].queryset = Person.objects.filter(hospital=hospital).order_by("code")
            fields["department"].queryset = hospital.departments.select_related("head").order_by("name")
            # The host is another hospital of the campaign's league: its name only, none of its data.
            fields["host_hospital"].queryset = (
                Hospital.objects.filter(banner__path__startswith=campaign.league.path)
                .exclude(pk=hospital.pk)
                .order_by("code")
            )
            fields["alliance"].queryset = hospital.alliances.order_by("code")
        # The people of the organiser's banner commission and of the league's and the region's above it;
        # whether one held the post on the lecture's date is the service's rule.
        fields["supervising_officials"].queryset = Person.objects.filter(
            pk__in=commission_posts(campaign, unit=lecture_commission(hospital, unit)).values("person_id")
        ).order_by("code")
        self.documents = list(KeyDocument.objects.filter(campaign=campaign).order_by("number"))
        self.layers = list(Layer.objects.filter(campaign=campaign).order_by("order"))
        fields["coverage"].choices = [
            (f"{d.pk}:{layer.pk}", f"{d.title} · {layer.name}")
            for d in self.documents
            for layer in self.layers
        ]

    @staticmethod
    def initial_for(lecture: LectureSession) -> dict[str, Any]:
        """The form's fields as a stored lecture has them (the edit page starts from these)."""
        return {
            "kind": lecture.kind_id,
            "held_on": lecture.held_on,
            "title": lecture.title,
            "speaker": lecture.speaker_id,
            "department": lecture.department_id,
            "party_history": lecture.party_history,
            "coverage": [f"{c.document_id}:{c.layer_id}" for c in lecture.coverage.all()],
            "attendance_expected": lecture.attendance_expected,
            "attendance_present": lecture.attendance_present,
            "on_duty_exempt": lecture.on_duty_exempt,
            "is_online": lecture.is_online,
            "online_link": lecture.online_link,
            "host_hospital": lecture.host_hospital_id,
            "alliance": lecture.alliance_id,
            "supervising_officials": [p.pk for p in lecture.supervising_officials.all()],
            "supervision_note": lecture.supervision_note,
        }

    def coverage_grid(self) -> list[tuple[KeyDocument, list[Any]]]:
        """The coverage checkboxes as rows (documents) of cells (layers), in choice order."""
        boxes = list(self["coverage"])
        width = len(self.layers)
        return [(d, boxes[i * width : (i + 1) * width]) for i, d in enumerate(self.documents)]

    def lecture_data(self) -> LectureData:
        data = self.cleaned_data
        documents = {d.pk: d for d in self.documents}
        layers = {layer.pk: layer for layer in self.layers}
        coverage = []
        for pair in data["coverage"]:
            document_id, layer_id = (int(x) for x in pair.split(":"))
            coverage.append((documents[document_id], layers[layer_id]))
        return LectureData(
            campaign=self.campaign,
            kind=data["kind"],
            held_on=data["held_on"],
            title=data["title"],
            speaker=data["speaker"],
            hospital=self.hospital,
            org_unit=self.unit,
            department=data.get("department"),
            party_history=data["party_history"],
            coverage=tuple(coverage),
            attendance_expected=data["attendance_expected"],
            attendance_present=data["attendance_present"],
            on_duty_exempt=data["on_duty_exempt"],
            is_online=data["is_online"],
            online_link=data["online_link"],
            supervising_officials=tuple(data.get("supervising_officials") or ()),
            supervision_note=data["supervision_note"],
            host_hospital=data.get("host_hospital"),
            alliance=data.get("alliance"),
        )


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=MaterialKind.choices)
    title = TextField(label="说明", max_length=200, required=False)
    file = forms.FileField(label="文件", help_text="pptx、pdf、docx、jpg、png、mp4")


class LaunchRecordForm(forms.Form):
    """How an organisation launched the campaign (milestone 06-25); the rules are
    ``campaign.services.launch_record_check``'s."""

    launched_on = forms.DateField(label="启动日期", widget=DateInput)
    meeting = TextField(label="启动会议", max_length=200, help_text="如：全旗公立医院“讲见效”活动动员部署会")
    minutes = TextField(label="会议纪要", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    attachment = forms.FileField(
        label="纪要或照片", required=False, help_text="pdf、docx、jpg、png 等；再次上传将替换原文件"
    )


class TourLecturerForm(forms.Form):
    """A 全区巡讲 lecturer the league selects (§三(二)); who may be selected, and until when, is
    ``campaign.services.tour_lecturer_check``'s rule."""

    person = forms.ModelChoiceField(Person.objects.none(), label="讲师(医院书记或院长)", widget=PlainSelect)
    selected_on = forms.DateField(label="入选日期", widget=DateInput)
    note = TextField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["person"]
        # The league's hospital leaders (anyone who held a 书记 or 院长 post), by hospital.
        field.queryset = (
            Person.objects.filter(
                hospital__banner__path__startswith=campaign.league.path,
                posts__role__in=Post.HOSPITAL_ROLES,
            )
            .select_related("hospital")
            .distinct()
            .order_by("hospital__code", "code")
        )
        field.label_from_instance = lambda p: f"{p.name}（{p.hospital.name if p.hospital else ''}）"


class DeleteForm(forms.Form):
    """A deletion's reason, kept in the history with the deleted record's last values."""

    reason = TextField(label="删除原因", max_length=300, required=False)


ROADMAP_HELP = "每行一个节点：计划日期 节点名称，如“2021-08-31 完成实施方案”；新建行动项时至少一个"


def parse_roadmap(text: str) -> tuple[RoadmapStepData, ...]:
    """The roadmap typed as lines "YYYY-MM-DD 节点名称" (blank lines skipped); a bad line is a form error
    that names it. Whether the steps fit the item is the service's rule."""
    steps = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        date_text, _, title = line.strip().replace("\u3000", " ").partition(" ")
        try:
            due_on = dt.date.fromisoformat(date_text)
        except ValueError:
            raise forms.ValidationError(
                f"路线图第{number}行应为“计划日期 节点名称”，如“2021-08-31 完成实施方案”。", code="invalid"
            ) from None
        steps.append(RoadmapStepData(title=title.strip(), due_on=due_on))
    return tuple(steps)


class ActionItemForm(forms.Form):
    task = forms.ModelChoiceField(ActionTask.objects.none(), label="见行动任务")
    part = TextField(label="子任务", max_length=200, required=False)
    title = TextField(label="行动项", max_length=200)
    description = TextField(label="具体措施", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    responsible = forms.ModelChoiceField(Person.objects.none(), label="责任人")
    starts_on = forms.DateField(label="开始日期", widget=DateInput)
    due_on = forms.DateField(label="完成时限", widget=DateInput)

    roadmap = TextField(
        label="路线图", widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text=ROADMAP_HELP
    )

    def __init__(
        self, *args: Any, campaign: Campaign, hospital: Hospital, new: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.hospital = hospital
        fields: Any = self.fields
        fields["task"].queryset = ActionTask.objects.filter(campaign=campaign).order_by("code")
        fields["responsible"].queryset = Person.objects.filter(hospital=hospital).order_by("code")
        if not new:  # an item's roadmap is then edited step by step on its page
            del fields["roadmap"]

    def clean_roadmap(self) -> tuple[RoadmapStepData, ...]:
        return parse_roadmap(self.cleaned_data.get("roadmap") or "")

    @staticmethod
    def initial_for(item: ActionItem) -> dict[str, Any]:
        """The form's fields as a stored item has them (the edit page starts from these)."""
        return {
            "task": item.task_id,
            "part": item.part,
            "title": item.title,
            "description": item.description,
            "responsible": item.responsible_id,
            "starts_on": item.starts_on,
            "due_on": item.due_on,
        }

    def item_data(self) -> ActionItemData:
        data = self.cleaned_data
        return ActionItemData(
            hospital=self.hospital,
            task=data["task"],
            title=data["title"],
            responsible=data["responsible"],
            starts_on=data["starts_on"],
            due_on=data["due_on"],
            part=data["part"],
            description=data["description"],
            roadmap=data.get("roadmap") or (),
        )


class RoadmapForm(forms.Form):
    title = TextField(label="路线图节点", max_length=200)
    due_on = forms.DateField(label="计划日期", widget=DateInput)
    done_on = forms.DateField(label="完成日期", widget=DateInput, required=False)


class ProgressForm(forms.Form):
    month = MonthField(label="月份")
    status = forms.ChoiceField(label="进展状态", choices=ProgressStatus.choices)
    note = TextField(label="进展说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    evidence = MultipleFileField(label="佐证材料", required=False)


class ProgressEditForm(forms.Form):
    """A month's progress corrected: it stays with its item and month (the service keeps both)."""

    status = forms.ChoiceField(label="进展状态", choices=ProgressStatus.choices)
    note = TextField(label="进展说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    evidence = MultipleFileField(label="补充佐证材料", required=False, help_text="已上传的佐证材料保留")
    reason = TextField(label="修改原因", max_length=300, required=False, help_text="审核期间审核员更正时必填")


class LecturePlanForm(forms.Form):
    fixed_on = forms.DateField(label="定稿日期", widget=DateInput, help_text="题目确定、课件制作完成的日期")
    note = TextField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class LecturePlanItemForm(forms.Form):
    """The planned title and courseware (讲稿/课件) for one key document."""

    title = TextField(label="宣讲题目", max_length=200)
    courseware = forms.FileField(
        label="讲稿/课件", required=False, help_text="pptx、pdf、docx；重新上传将替换原课件"
    )
