from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from campaign.files import check_upload
from campaign.forms import ROADMAP_HELP, parse_roadmap
from campaign.models import (
    SEEN_STATUS_CHOICES,
    ActionArea,
    ActionItem,
    ActionTask,
    Campaign,
    Indicator,
    KeyDocument,
    LaunchRecord,
    Layer,
    LectureKind,
    LectureMaterial,
    LecturePlan,
    LecturePlanItem,
    LectureSession,
    Milestone,
    ProgressEntry,
    ProgressEvidence,
    ProgressStatus,
    RoadmapMilestone,
    TourLecturer,
)
from campaign.selectors import (
    action_item_list,
    campaigns_visible_to,
    filter_action_status,
    lecture_list,
    lecture_plan_list,
)
from campaign.services import (
    ActionItemData,
    LectureData,
    RoadmapStepData,
    action_item_check,
    action_item_create,
    action_item_delete,
    action_item_update,
    launch_record_check,
    launch_record_create,
    launch_record_delete,
    launch_record_update,
    lecture_check,
    lecture_create,
    lecture_delete,
    lecture_plan_check,
    lecture_plan_create,
    lecture_plan_item_set,
    lecture_plan_update,
    lecture_update,
    material_check,
    material_delete,
    material_set_recommended,
    material_upload,
    progress_check,
    progress_delete,
    progress_record,
    roadmap_milestone_check,
    roadmap_milestone_create,
    roadmap_milestone_delete,
    roadmap_milestone_update,
    tour_lecturer_check,
    tour_lecturer_remove,
    tour_lecturer_select,
)
from core import clock
from core.forms import TextField, text_field_kwargs
from core.pages import add_service_error
from core.records import refuse_owner_change
from exports.admin import xlsx_export_action
from hospitals.admin import ScopedAdminMixin
from hospitals.models import ChangeRecord, Hospital
from hospitals.selectors import hospitals_visible_to, org_units_visible_to, require_hospital_in_scope


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


# A campaign filter of a changelist offers only the campaigns of the rows it shows (the user's own).
CAMPAIGN_FILTER = ("campaign", admin.RelatedOnlyFieldListFilter)


class CampaignScopedAdminMixin:
    """Changelists of a campaign's catalogue: the user's campaigns only (``campaigns_visible_to``)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)  # type: ignore[misc]
        return qs.filter(campaign__in=campaigns_visible_to(request.user))


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "league", "starts_on", "ends_on", "report_due_day", "lock_day"]
    list_filter = ["year", ("league", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]
    inlines = [MilestoneInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return campaigns_visible_to(request.user)


@admin.register(Milestone)
class MilestoneAdmin(CampaignScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "campaign", "due_on", "rule"]
    list_filter = [CAMPAIGN_FILTER, "rule"]
    search_fields = ["name", "code"]


@admin.register(KeyDocument)
class KeyDocumentAdmin(CampaignScopedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "title", "theme", "campaign"]
    list_filter = [CAMPAIGN_FILTER]
    search_fields = ["title"]


@admin.register(Layer)
class LayerAdmin(CampaignScopedAdminMixin, admin.ModelAdmin):
    list_display = ["order", "name", "description", "campaign"]
    list_filter = [CAMPAIGN_FILTER]


@admin.register(LectureKind)
class LectureKindAdmin(CampaignScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "speaker_rule", "venue", "campaign"]
    list_filter = [CAMPAIGN_FILTER, "speaker_rule", "venue"]


@admin.register(ActionArea)
class ActionAreaAdmin(CampaignScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "campaign"]
    list_filter = [CAMPAIGN_FILTER]


@admin.register(ActionTask)
class ActionTaskAdmin(CampaignScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "area", "applies_to", "campaign"]
    list_filter = [CAMPAIGN_FILTER, "area", "applies_to"]
    search_fields = ["code", "name"]


@admin.register(Indicator)
class IndicatorAdmin(CampaignScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "value_type", "reporting_level", "applies_to", "target_kind", "campaign"]
    list_filter = [CAMPAIGN_FILTER, "value_type", "reporting_level", "applies_to", "target_kind"]
    search_fields = ["code", "name"]


# ---------------------------------------------------------------------------------------------------
# 讲 / 见. Each form's clean() calls the service's check (so a refused rule is a form error, naming the
# rule); save_model / delete_model call the service's write (so history is recorded and nothing in the
# admin bypasses a rule). Inlines are read-only for the same reason. Files are linked through the scoped
# API download, never through a /media/ URL.
# ---------------------------------------------------------------------------------------------------


class MonthListFilter(admin.SimpleListFilter):
    """Filter by calendar month of ``date_field`` (the months of the campaign year that have rows)."""

    title = "月份"
    parameter_name = "month"
    date_field = "held_on"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        qs = model_admin.get_queryset(request)
        months = qs.dates(self.date_field, "month", order="DESC")
        return [(f"{m:%Y-%m}", f"{m:%Y年%m月}") for m in months]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        try:
            year, month = (int(x) for x in value.split("-"))
        except ValueError:
            return queryset
        return queryset.filter(**{f"{self.date_field}__year": year, f"{self.date_field}__month": month})


class DueMonthFilter(MonthListFilter):
    title = "完成时限月份"
    parameter_name = "due_month"
    date_field = "due_on"


class LaunchMonthFilter(MonthListFilter):
    date_field = "launched_on"


class ProgressMonthFilter(MonthListFilter):
    date_field = "month"


class ActionStatusFilter(admin.SimpleListFilter):
    """Status as a reader sees it: the last typed one, or 已逾期 computed from the due date."""

    title = "状态"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return SEEN_STATUS_CHOICES

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return filter_action_status(queryset, value, clock.today()) if value else queryset


def _owner(cleaned: dict[str, Any], *fields: str) -> dict[str, Any]:
    """The owner fields of a submitted admin form, for ``refuse_owner_change``."""
    return {name: cleaned.get(name) for name in fields}


CORRECTION_HELP = "报告审核中，审核员更正须填写原因，记入变更记录并告知医院。"


class ServiceForm(forms.ModelForm):
    """A ModelForm whose clean() asks the service; ``actor`` is set by ServiceAdmin.get_form."""

    actor: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            self.check(cleaned)
        except PermissionDenied as exc:
            raise ValidationError(str(exc) or "您无权执行此操作。", code="permission_denied") from exc
        except ValidationError as exc:
            # Every refusal beside the field it names (on top when the form has no such field).
            add_service_error(self, exc)
        return cleaned

    def check(self, cleaned: dict[str, Any]) -> None:
        raise NotImplementedError


class ServiceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Writes through ``create`` / ``update`` / ``delete`` (the services); scoped choices for FKs."""

    # FK field → function(user) giving the rows the user may pick.
    scoped_choices: dict[str, Callable[[Any], QuerySet]] = {}

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        return super().formfield_for_dbfield(db_field, request, **text_field_kwargs(db_field, kwargs))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.scoped_choices:
            kwargs["queryset"] = self.scoped_choices[db_field.name](request.user)
        elif db_field.related_model is Campaign:
            kwargs["queryset"] = campaigns_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = self.update(request, obj, form) if change else self.create(request, form)
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service wrote the relations (no form.save_m2m). Inlines are read-only: saving their
        formsets writes nothing and gives the admin's change message what it reads."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete(request, obj)

    def create(self, request: HttpRequest, form: Any) -> Any:
        raise NotImplementedError

    def update(self, request: HttpRequest, obj: Any, form: Any) -> Any:
        raise NotImplementedError

    def delete(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _download_link(route: str, pk: int | None, label: str = "下载") -> str:
    if pk is None:
        return "-"
    return format_html('<a href="{}">{}</a>', reverse(route, kwargs={"pk": pk}), label)


ADMIN = ChangeRecord.Channel.ADMIN


# --- lectures -----------------------------------------------------------------------------------------


def _coverage_choices() -> list[tuple[str, str]]:
    documents = KeyDocument.objects.select_related("campaign").order_by("campaign", "number")
    layers = list(Layer.objects.order_by("campaign", "order"))
    return [
        (f"{d.pk}:{layer.pk}", f"文件{d.number} · {layer.name}")
        for d in documents
        for layer in layers
        if layer.campaign_id == d.campaign_id
    ]


class LectureSessionForm(ServiceForm):
    coverage = forms.MultipleChoiceField(
        label="宣讲内容(文件 · 层次)", required=False, widget=forms.CheckboxSelectMultiple
    )
    # Only a reviewer's correction while the month's report is in review needs one; kept in the history.
    reason = TextField(
        label="更正原因", required=False, widget=forms.Textarea({"rows": 2}), help_text=CORRECTION_HELP
    )

    class Meta:
        model = LectureSession
        fields = [
            "campaign",
            "kind",
            "hospital",
            "org_unit",
            "held_on",
            "title",
            "speaker",
            "speaker_role",
            "department",
            "party_history",
            "attendance_expected",
            "attendance_present",
            "on_duty_exempt",
            "is_online",
            "online_link",
            "supervising_officials",
            "supervision_note",
            "host_hospital",
            "alliance",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        coverage = self.fields["coverage"]
        assert isinstance(coverage, forms.MultipleChoiceField)
        coverage.choices = _coverage_choices()
        self.fields["online_link"] = forms.URLField(
            label="线上链接", required=False, assume_scheme="https", max_length=200
        )
        self.fields["speaker_role"].required = False
        self.fields["speaker_role"].help_text = "留空则按宣讲日期所任职务自动确定"
        if self.instance.pk:
            self.initial["coverage"] = [f"{c.document_id}:{c.layer_id}" for c in self.instance.coverage.all()]

    def lecture_data(self, cleaned: dict[str, Any]) -> LectureData:
        pairs = [tuple(int(x) for x in value.split(":")) for value in cleaned.get("coverage", [])]
        documents = KeyDocument.objects.in_bulk([d for d, _ in pairs])
        layers = Layer.objects.in_bulk([layer for _, layer in pairs])
        return LectureData(
            campaign=cleaned["campaign"],
            kind=cleaned["kind"],
            held_on=cleaned["held_on"],
            title=cleaned["title"],
            speaker=cleaned["speaker"],
            hospital=cleaned.get("hospital"),
            org_unit=cleaned.get("org_unit"),
            speaker_role=cleaned.get("speaker_role") or "",
            department=cleaned.get("department"),
            party_history=cleaned.get("party_history", False),
            coverage=tuple((documents[d], layers[layer]) for d, layer in pairs),
            attendance_expected=cleaned.get("attendance_expected") or 0,
            attendance_present=cleaned.get("attendance_present") or 0,
            on_duty_exempt=cleaned.get("on_duty_exempt") or 0,
            is_online=cleaned.get("is_online", False),
            online_link=cleaned.get("online_link", ""),
            supervising_officials=tuple(cleaned.get("supervising_officials") or ()),
            supervision_note=cleaned.get("supervision_note", ""),
            host_hospital=cleaned.get("host_hospital"),
            alliance=cleaned.get("alliance"),
        )

    def check(self, cleaned: dict[str, Any]) -> None:
        lecture = self.instance if self.instance.pk else None
        lecture_check(
            actor=self.actor,
            data=self.lecture_data(cleaned),
            lecture=lecture,
            reason=cleaned.get("reason", ""),
        )


class LectureMaterialInline(ReadOnlyInline):
    model = LectureMaterial
    readonly_fields = (
        "kind",
        "title",
        "original_name",
        "size",
        "recommended_for_publicity",
        "download",
    )
    fields = readonly_fields

    @admin.display(description="文件")
    def download(self, obj: LectureMaterial) -> str:
        return _download_link("lecture-material-download", obj.pk)


@admin.register(LectureSession)
class LectureSessionAdmin(ServiceAdmin):
    form = LectureSessionForm
    scope_unit_field = "org_unit"
    scoped_choices = {
        "hospital": hospitals_visible_to,
        "host_hospital": lambda user: Hospital.objects.all(),
        "org_unit": org_units_visible_to,
    }
    list_display = [
        "held_on",
        "title",
        "kind",
        "organiser_name",
        "speaker",
        "speaker_role",
        "attendance_present",
        "attendance_expected",
        "party_history",
        "is_online",
    ]
    list_filter = [
        ("hospital__banner", admin.RelatedOnlyFieldListFilter),
        "hospital__level",
        "kind",
        MonthListFilter,
        "speaker_role",
        "party_history",
        "is_online",
    ]
    search_fields = ["title", "speaker__name", "hospital__name"]
    list_select_related = ["kind", "hospital", "org_unit", "speaker"]
    actions = [xlsx_export_action("lecture_ledger")]
    autocomplete_fields = ["speaker", "supervising_officials"]
    date_hierarchy = "held_on"
    inlines = [LectureMaterialInline]

    @admin.display(description="组织单位")
    def organiser_name(self, obj: LectureSession) -> str:
        return str(obj.organiser)

    def create(self, request: HttpRequest, form: Any) -> LectureSession:
        return lecture_create(
            actor=request.user,
            channel=ADMIN,
            data=form.lecture_data(form.cleaned_data),
            reason=form.cleaned_data.get("reason", ""),
        )

    def update(self, request: HttpRequest, obj: LectureSession, form: Any) -> LectureSession:
        lecture = LectureSession.objects.get(pk=obj.pk)
        return lecture_update(
            actor=request.user,
            channel=ADMIN,
            lecture=lecture,
            data=form.lecture_data(form.cleaned_data),
            reason=form.cleaned_data.get("reason", ""),
        )

    def delete(self, request: HttpRequest, obj: LectureSession) -> None:
        lecture_delete(actor=request.user, channel=ADMIN, lecture=obj)


class LectureMaterialForm(ServiceForm):
    # Only a reviewer's correction while the month's report is in review needs one; kept in the history.
    reason = TextField(
        label="更正原因", required=False, widget=forms.Textarea({"rows": 2}), help_text=CORRECTION_HELP
    )

    class Meta:
        model = LectureMaterial
        fields = ["lecture", "kind", "title", "file"]

    def check(self, cleaned: dict[str, Any]) -> None:
        material_check(
            actor=self.actor,
            lecture=cleaned["lecture"],
            kind=cleaned["kind"],
            file=cleaned["file"],
            reason=cleaned.get("reason", ""),
        )


@admin.register(LectureMaterial)
class LectureMaterialAdmin(ServiceAdmin):
    """Add uploads through the service; a material is then read-only except the league's recommendation."""

    form = LectureMaterialForm
    scope_hospital_field = "lecture__hospital"
    scope_unit_field = "lecture__org_unit"
    scoped_choices = {"lecture": lambda user: lecture_list(user=user)}
    list_display = [
        "original_name",
        "kind",
        "lecture",
        "size",
        "recommended_for_publicity",
        "uploaded_at",
        "download",
    ]
    list_filter = [
        ("lecture__hospital__banner", admin.RelatedOnlyFieldListFilter),
        "lecture__hospital__level",
        "lecture__kind",
        "kind",
        "recommended_for_publicity",
    ]
    search_fields = ["original_name", "title", "lecture__title"]
    list_select_related = ["lecture"]
    actions = ["recommend", "unrecommend"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [
            "lecture",
            "kind",
            "title",
            "original_name",
            "content_type",
            "size",
            "recommended_for_publicity",
            "download",
        ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (
            self.get_readonly_fields(request, obj)
            if obj is not None
            else ["lecture", "kind", "title", "file", "reason"]
        )

    @admin.display(description="文件")
    def download(self, obj: LectureMaterial) -> str:
        return _download_link("lecture-material-download", obj.pk)

    def create(self, request: HttpRequest, form: Any) -> LectureMaterial:
        c = form.cleaned_data
        return material_upload(
            actor=request.user,
            channel=ADMIN,
            lecture=c["lecture"],
            kind=c["kind"],
            file=c["file"],
            title=c["title"],
            reason=c.get("reason", ""),
        )

    def update(self, request: HttpRequest, obj: LectureMaterial, form: Any) -> LectureMaterial:
        return obj  # every field is read-only once uploaded

    def delete(self, request: HttpRequest, obj: LectureMaterial) -> None:
        material_delete(actor=request.user, channel=ADMIN, material=obj)

    def _recommend(self, request: HttpRequest, queryset: QuerySet, value: bool) -> None:
        try:
            for material in queryset.select_related("lecture"):
                material_set_recommended(
                    actor=request.user, channel=ADMIN, material=material, recommended=value
                )
        except PermissionDenied as exc:
            self.message_user(request, str(exc), level=messages.ERROR)

    @admin.action(description="推荐宣传")
    def recommend(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._recommend(request, queryset, True)

    @admin.action(description="取消推荐宣传")
    def unrecommend(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._recommend(request, queryset, False)


class TourLecturerForm(ServiceForm):
    class Meta:
        model = TourLecturer
        fields = ["campaign", "person", "selected_on", "note"]

    def check(self, cleaned: dict[str, Any]) -> None:
        tour_lecturer_check(
            actor=self.actor,
            campaign=cleaned["campaign"],
            person=cleaned["person"],
            selected_on=cleaned["selected_on"],
        )


@admin.register(TourLecturer)
class TourLecturerAdmin(ServiceAdmin):
    form = TourLecturerForm
    scope_hospital_field = "person__hospital"
    list_display = ["person", "person_hospital", "selected_on", "campaign"]
    list_filter = [CAMPAIGN_FILTER, ("person__hospital__banner", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["person"]
    list_select_related = ["person__hospital", "campaign"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a selection is made or withdrawn, not edited

    @admin.display(description="医院")
    def person_hospital(self, obj: TourLecturer) -> str:
        return str(obj.person.hospital or "")

    def create(self, request: HttpRequest, form: Any) -> TourLecturer:
        return tour_lecturer_select(actor=request.user, channel=ADMIN, **form.cleaned_data)

    def delete(self, request: HttpRequest, obj: TourLecturer) -> None:
        tour_lecturer_remove(actor=request.user, channel=ADMIN, selection=obj)


class LaunchRecordForm(ServiceForm):
    class Meta:
        model = LaunchRecord
        fields = ["campaign", "hospital", "org_unit", "launched_on", "meeting", "minutes", "attachment"]

    def check(self, cleaned: dict[str, Any]) -> None:
        record = self.instance if self.instance.pk else None
        if record is not None:
            refuse_owner_change(record, _owner(cleaned, "campaign", "hospital", "org_unit"), what="启动记录")
        launch_record_check(
            actor=self.actor,
            campaign=cleaned["campaign"],
            hospital=cleaned.get("hospital"),
            org_unit=cleaned.get("org_unit"),
            launched_on=cleaned["launched_on"],
            meeting=cleaned["meeting"],
            record=record,
        )
        attachment = cleaned.get("attachment")
        if attachment and record is None:
            check_upload(attachment)


@admin.register(LaunchRecord)
class LaunchRecordAdmin(ServiceAdmin):
    form = LaunchRecordForm
    scope_unit_field = "org_unit"
    scoped_choices = {"hospital": hospitals_visible_to, "org_unit": org_units_visible_to}
    list_display = ["launched_on", "hospital", "org_unit", "meeting", "campaign", "download"]
    list_filter = [
        CAMPAIGN_FILTER,
        ("hospital__banner", admin.RelatedOnlyFieldListFilter),
        "hospital__level",
        LaunchMonthFilter,
    ]
    list_select_related = ["hospital", "org_unit", "campaign"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["attachment"] if obj is not None else []

    @admin.display(description="纪要或照片")
    def download(self, obj: LaunchRecord) -> str:
        return _download_link("launch-record-download", obj.pk) if obj.attachment else "-"

    def create(self, request: HttpRequest, form: Any) -> LaunchRecord:
        c = form.cleaned_data
        return launch_record_create(
            actor=request.user,
            channel=ADMIN,
            campaign=c["campaign"],
            hospital=c.get("hospital"),
            org_unit=c.get("org_unit"),
            launched_on=c["launched_on"],
            meeting=c["meeting"],
            minutes=c.get("minutes", ""),
            attachment=c.get("attachment") or None,
        )

    def update(self, request: HttpRequest, obj: LaunchRecord, form: Any) -> LaunchRecord:
        c = form.cleaned_data
        record = LaunchRecord.objects.get(pk=obj.pk)
        return launch_record_update(
            actor=request.user,
            channel=ADMIN,
            record=record,
            launched_on=c["launched_on"],
            meeting=c["meeting"],
            minutes=c.get("minutes", ""),
        )

    def delete(self, request: HttpRequest, obj: LaunchRecord) -> None:
        launch_record_delete(actor=request.user, channel=ADMIN, record=obj)


class LecturePlanForm(ServiceForm):
    class Meta:
        model = LecturePlan
        fields = ["campaign", "hospital", "fixed_on", "note"]

    def check(self, cleaned: dict[str, Any]) -> None:
        plan = self.instance if self.instance.pk else None
        if plan is not None:
            refuse_owner_change(plan, _owner(cleaned, "campaign", "hospital"), what="宣讲计划")
        lecture_plan_check(
            actor=self.actor,
            campaign=cleaned["campaign"],
            hospital=cleaned["hospital"],
            fixed_on=cleaned["fixed_on"],
            plan=plan,
        )


class LecturePlanItemInline(ReadOnlyInline):
    model = LecturePlanItem
    readonly_fields = (
        "document",
        "title",
        "download",
    )
    fields = readonly_fields

    @admin.display(description="课件")
    def download(self, obj: LecturePlanItem) -> str:
        return _download_link("lecture-plan-item-download", obj.pk) if obj.courseware else "-"


@admin.register(LecturePlan)
class LecturePlanAdmin(ServiceAdmin):
    form = LecturePlanForm
    scoped_choices = {"hospital": hospitals_visible_to}
    list_display = ["hospital", "fixed_on", "campaign", "updated_at"]
    list_filter = [CAMPAIGN_FILTER, ("hospital__banner", admin.RelatedOnlyFieldListFilter), "hospital__level"]
    list_select_related = ["hospital", "campaign"]
    inlines = [LecturePlanItemInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a plan is corrected, not removed: the 06-30 milestone is read from it

    def create(self, request: HttpRequest, form: Any) -> LecturePlan:
        return lecture_plan_create(actor=request.user, channel=ADMIN, **form.cleaned_data)

    def update(self, request: HttpRequest, obj: LecturePlan, form: Any) -> LecturePlan:
        c = form.cleaned_data
        plan = LecturePlan.objects.get(pk=obj.pk)
        return lecture_plan_update(
            actor=request.user, channel=ADMIN, plan=plan, fixed_on=c["fixed_on"], note=c["note"]
        )


class LecturePlanItemForm(ServiceForm):
    class Meta:
        model = LecturePlanItem
        fields = ["plan", "document", "title", "courseware"]

    def validate_unique(self) -> None:
        """Setting a document's title again replaces it (the service's upsert), so no unique error."""

    def check(self, cleaned: dict[str, Any]) -> None:
        require_hospital_in_scope(self.actor, cleaned["plan"].hospital)
        if cleaned["document"].campaign_id != cleaned["plan"].campaign_id:
            raise ValidationError("重点文件不属于本活动。", code="coverage_not_in_campaign")
        if cleaned.get("courseware"):
            check_upload(cleaned["courseware"])


@admin.register(LecturePlanItem)
class LecturePlanItemAdmin(ServiceAdmin):
    form = LecturePlanItemForm
    scope_hospital_field = "plan__hospital"
    scoped_choices = {"plan": lambda user: lecture_plan_list(user=user)}
    list_display = ["plan", "document", "title", "download"]
    list_filter = [("plan__hospital__banner", admin.RelatedOnlyFieldListFilter), "plan__hospital__level"]
    list_select_related = ["plan__hospital", "document"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="课件")
    def download(self, obj: LecturePlanItem) -> str:
        return _download_link("lecture-plan-item-download", obj.pk) if obj.courseware else "-"

    def _set(self, request: HttpRequest, form: Any) -> LecturePlanItem:
        c = form.cleaned_data
        courseware = c.get("courseware")
        return lecture_plan_item_set(
            actor=request.user,
            channel=ADMIN,
            plan=c["plan"],
            document=c["document"],
            title=c["title"],
            courseware=courseware if courseware and not isinstance(courseware, FieldFile) else None,
        )

    def create(self, request: HttpRequest, form: Any) -> LecturePlanItem:
        return self._set(request, form)

    def update(self, request: HttpRequest, obj: LecturePlanItem, form: Any) -> LecturePlanItem:
        return self._set(request, form)


# --- action items -------------------------------------------------------------------------------------


class ActionItemForm(ServiceForm):
    # A new item's roadmap (§四(二)); an existing item's steps are edited as 路线图节点.
    roadmap = TextField(
        label="路线图", widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text=ROADMAP_HELP
    )

    class Meta:
        model = ActionItem
        fields = ["hospital", "task", "part", "title", "description", "responsible", "starts_on", "due_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["roadmap"]

    def clean_roadmap(self) -> tuple[RoadmapStepData, ...]:
        return parse_roadmap(self.cleaned_data.get("roadmap") or "")

    def item_data(self, cleaned: dict[str, Any]) -> ActionItemData:
        return ActionItemData(
            hospital=cleaned["hospital"],
            task=cleaned["task"],
            title=cleaned["title"],
            responsible=cleaned["responsible"],
            starts_on=cleaned["starts_on"],
            due_on=cleaned["due_on"],
            part=cleaned.get("part") or "",
            description=cleaned.get("description") or "",
            roadmap=cleaned.get("roadmap") or (),
        )

    def check(self, cleaned: dict[str, Any]) -> None:
        item = self.instance if self.instance.pk else None
        action_item_check(actor=self.actor, data=self.item_data(cleaned), item=item)


class RoadmapInline(ReadOnlyInline):
    model = RoadmapMilestone
    readonly_fields = (
        "due_on",
        "title",
        "done_on",
    )
    fields = readonly_fields


class ProgressInline(ReadOnlyInline):
    model = ProgressEntry
    readonly_fields = (
        "month",
        "status",
        "note",
    )
    fields = readonly_fields


@admin.register(ActionItem)
class ActionItemAdmin(ServiceAdmin):
    form = ActionItemForm
    scoped_choices = {"hospital": hospitals_visible_to}
    list_display = ["title", "hospital", "task", "responsible", "starts_on", "due_on", "status_now"]
    list_filter = [
        CAMPAIGN_FILTER,
        ("hospital__banner", admin.RelatedOnlyFieldListFilter),
        "hospital__level",
        "task__area",
        "task",
        ActionStatusFilter,
        DueMonthFilter,
    ]
    search_fields = ["title", "hospital__name", "responsible__name"]
    list_select_related = ["hospital", "task", "responsible"]
    actions = [xlsx_export_action("action_tracker")]
    autocomplete_fields = ["responsible"]
    inlines = [RoadmapInline, ProgressInline]

    @admin.display(description="状态")
    def status_now(self, obj: ActionItem) -> str:
        return obj.status_label_on(clock.today())

    def create(self, request: HttpRequest, form: Any) -> ActionItem:
        return action_item_create(actor=request.user, channel=ADMIN, data=form.item_data(form.cleaned_data))

    def update(self, request: HttpRequest, obj: ActionItem, form: Any) -> ActionItem:
        item = ActionItem.objects.get(pk=obj.pk)
        return action_item_update(
            actor=request.user, channel=ADMIN, item=item, data=form.item_data(form.cleaned_data)
        )

    def delete(self, request: HttpRequest, obj: ActionItem) -> None:
        action_item_delete(actor=request.user, channel=ADMIN, item=obj)


class RoadmapMilestoneForm(ServiceForm):
    class Meta:
        model = RoadmapMilestone
        fields = ["action_item", "title", "due_on", "done_on"]

    def check(self, cleaned: dict[str, Any]) -> None:
        if self.instance.pk:
            refuse_owner_change(self.instance, _owner(cleaned, "action_item"), what="路线图节点")
        roadmap_milestone_check(
            actor=self.actor,
            action_item=cleaned["action_item"],
            title=cleaned["title"],
            due_on=cleaned["due_on"],
            done_on=cleaned.get("done_on"),
        )


@admin.register(RoadmapMilestone)
class RoadmapMilestoneAdmin(ServiceAdmin):
    form = RoadmapMilestoneForm
    scope_hospital_field = "action_item__hospital"
    scoped_choices = {"action_item": lambda user: action_item_list(user=user)}
    list_display = ["title", "action_item", "due_on", "done_on"]
    list_filter = [
        ("action_item__hospital__banner", admin.RelatedOnlyFieldListFilter),
        "action_item__hospital__level",
        DueMonthFilter,
    ]
    list_select_related = ["action_item"]

    def create(self, request: HttpRequest, form: Any) -> RoadmapMilestone:
        return roadmap_milestone_create(actor=request.user, channel=ADMIN, **form.cleaned_data)

    def update(self, request: HttpRequest, obj: RoadmapMilestone, form: Any) -> RoadmapMilestone:
        c = form.cleaned_data
        step = RoadmapMilestone.objects.select_related("action_item").get(pk=obj.pk)
        return roadmap_milestone_update(
            actor=request.user,
            channel=ADMIN,
            step=step,
            title=c["title"],
            due_on=c["due_on"],
            done_on=c.get("done_on"),
        )

    def delete(self, request: HttpRequest, obj: RoadmapMilestone) -> None:
        roadmap_milestone_delete(actor=request.user, channel=ADMIN, step=obj)


class ProgressEntryForm(ServiceForm):
    status = forms.ChoiceField(label="状态", choices=ProgressStatus.choices)
    evidence_file = forms.FileField(label="佐证材料", required=False)
    # Only a reviewer's correction while the month's report is in review needs one; kept in the history.
    reason = TextField(
        label="更正原因", required=False, widget=forms.Textarea({"rows": 2}), help_text=CORRECTION_HELP
    )

    class Meta:
        model = ProgressEntry
        fields = ["action_item", "month", "status", "note"]

    def check(self, cleaned: dict[str, Any]) -> None:
        if self.instance.pk:
            refuse_owner_change(self.instance, _owner(cleaned, "action_item", "month"), what="进展")
        progress_check(
            actor=self.actor,
            action_item=cleaned["action_item"],
            month=cleaned["month"],
            status=cleaned["status"],
            reason=cleaned.get("reason", ""),
        )
        if cleaned.get("evidence_file"):
            check_upload(cleaned["evidence_file"])


class EvidenceInline(ReadOnlyInline):
    model = ProgressEvidence
    readonly_fields = (
        "original_name",
        "size",
        "uploaded_at",
        "download",
    )
    fields = readonly_fields

    @admin.display(description="文件")
    def download(self, obj: ProgressEvidence) -> str:
        return _download_link("progress-evidence-download", obj.pk)


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ServiceAdmin):
    form = ProgressEntryForm
    scope_hospital_field = "action_item__hospital"
    scoped_choices = {"action_item": lambda user: action_item_list(user=user)}
    list_display = ["action_item", "month", "status", "recorded_by", "recorded_at"]
    list_filter = [
        ("action_item__hospital__banner", admin.RelatedOnlyFieldListFilter),
        "action_item__hospital__level",
        "status",
        ProgressMonthFilter,
    ]
    list_select_related = ["action_item", "recorded_by"]
    inlines = [EvidenceInline]

    def _record(self, request: HttpRequest, form: Any) -> ProgressEntry:
        c = form.cleaned_data
        files = [c["evidence_file"]] if c.get("evidence_file") else []
        return progress_record(
            actor=request.user,
            channel=ADMIN,
            action_item=c["action_item"],
            month=c["month"],
            status=c["status"],
            note=c.get("note", ""),
            evidence=files,
            reason=c.get("reason", ""),
        )

    def create(self, request: HttpRequest, form: Any) -> ProgressEntry:
        return self._record(request, form)

    def update(self, request: HttpRequest, obj: ProgressEntry, form: Any) -> ProgressEntry:
        return self._record(request, form)

    def delete(self, request: HttpRequest, obj: ProgressEntry) -> None:
        progress_delete(actor=request.user, channel=ADMIN, entry=obj)
