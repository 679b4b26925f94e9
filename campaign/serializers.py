from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from campaign.models import (
    ActionItem,
    ActionTask,
    Campaign,
    Indicator,
    KeyDocument,
    LaunchRecord,
    Layer,
    LectureCoverage,
    LectureKind,
    LectureMaterial,
    LecturePlan,
    LecturePlanItem,
    LectureSession,
    Milestone,
    ProgressEntry,
    ProgressEvidence,
    RoadmapMilestone,
    SpeakerRole,
    TourLecturer,
)
from campaign.selectors import campaigns_visible_to
from campaign.services import (
    ActionItemData,
    LectureData,
    RoadmapStepData,
    action_item_create,
    action_item_update,
    launch_record_create,
    launch_record_update,
    lecture_create,
    lecture_plan_create,
    lecture_plan_item_set,
    lecture_plan_update,
    lecture_update,
    material_upload,
    progress_record,
    progress_update,
    roadmap_milestone_create,
    roadmap_milestone_update,
    tour_lecturer_select,
)
from core import clock
from core.api import ModelSerializer, TextField
from hospitals.models import ChangeRecord, Person


class VisibleCampaignField(serializers.PrimaryKeyRelatedField):
    """A campaign by id, among those the requester sees (``campaigns_visible_to``): another league's
    campaign is "not found" (400 on the field), exactly as an id that does not exist."""

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Campaign.objects.select_related("league"))
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return campaigns_visible_to(getattr(request, "user", None))


class MilestoneSerializer(ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "code", "name", "due_on", "rule", "description"]


class CampaignSerializer(ModelSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "code",
            "name",
            "year",
            "league",
            "document_number",
            "starts_on",
            "ends_on",
            "bulletin_from_month",
            "report_due_day",
            "lock_day",
            "milestones",
        ]


class KeyDocumentSerializer(ModelSerializer):
    class Meta:
        model = KeyDocument
        fields = ["id", "campaign", "code", "number", "title", "theme"]


class LayerSerializer(ModelSerializer):
    class Meta:
        model = Layer
        fields = ["id", "campaign", "code", "order", "name", "description"]


class LectureKindSerializer(ModelSerializer):
    class Meta:
        model = LectureKind
        fields = ["id", "campaign", "code", "name", "speaker_rule", "venue", "audience"]


class ActionTaskSerializer(ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = ActionTask
        fields = ["id", "campaign", "code", "area", "area_name", "name", "description", "applies_to", "parts"]


class IndicatorSerializer(ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "campaign",
            "code",
            "item_code",
            "also_reported_under",
            "area",
            "name",
            "unit",
            "value_type",
            "display",
            "reporting_level",
            "applies_to",
            "numerator_label",
            "denominator_label",
            "parts",
            "target_kind",
            "target_params",
        ]


# ---------------------------------------------------------------------------------------------------
# 讲 / 见. Serializers translate JSON to service calls and back; every rule lives in campaign.services.
# Counts are plain IntegerFields (no min_value) so that a negative number reaches the service and gets
# its rule's message rather than DRF's generic one.
# ---------------------------------------------------------------------------------------------------


def _download_url(request: Any, route: str, pk: int) -> str:
    url = reverse(route, kwargs={"pk": pk})
    return request.build_absolute_uri(url) if request is not None else url


def _sent(validated: dict[str, Any], *fields: str) -> dict[str, Any]:
    """The owner fields a request carried, for the service's ``owner`` check."""
    return {name: validated[name] for name in fields if name in validated}


class CoverageSerializer(serializers.Serializer):
    document = serializers.PrimaryKeyRelatedField(queryset=KeyDocument.objects.all())
    layer = serializers.PrimaryKeyRelatedField(queryset=Layer.objects.all())


class MaterialSummarySerializer(ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = LectureMaterial
        fields = [
            "id",
            "kind",
            "title",
            "original_name",
            "content_type",
            "size",
            "recommended_for_publicity",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj: LectureMaterial) -> str:
        return _download_url(self.context.get("request"), "lecture-material-download", obj.pk)


class LectureSessionSerializer(ModelSerializer):
    campaign: serializers.PrimaryKeyRelatedField[Campaign] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    hospital_name = serializers.CharField(source="hospital.name", read_only=True, allow_null=True)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True, allow_null=True)
    banner = serializers.SerializerMethodField()
    speaker_name = serializers.CharField(source="speaker.name", read_only=True)
    speaker_role = serializers.ChoiceField(choices=SpeakerRole.choices, required=False, allow_blank=True)
    speaker_role_display = serializers.CharField(source="get_speaker_role_display", read_only=True)
    coverage = CoverageSerializer(many=True, required=False)
    attendance_expected = serializers.IntegerField(required=False, default=0)
    attendance_present = serializers.IntegerField(required=False, default=0)
    on_duty_exempt = serializers.IntegerField(required=False, default=0)
    # None when nobody had to attend (expected less on duty is 0): documented nullable.
    attendance_rate = serializers.FloatField(read_only=True, allow_null=True)
    supervising_officials = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False
    )
    materials = MaterialSummarySerializer(many=True, read_only=True)
    # Only a reviewer's correction while the month's report is in review needs one; kept in the history.
    reason = TextField(
        write_only=True, required=False, allow_blank=True, max_length=2000, help_text="更正原因"
    )

    class Meta:
        model = LectureSession
        fields = [
            "id",
            "campaign",
            "kind",
            "kind_name",
            "hospital",
            "hospital_name",
            "org_unit",
            "org_unit_name",
            "banner",
            "held_on",
            "title",
            "speaker",
            "speaker_name",
            "speaker_role",
            "speaker_role_display",
            "department",
            "party_history",
            "coverage",
            "attendance_expected",
            "attendance_present",
            "on_duty_exempt",
            "attendance_rate",
            "is_online",
            "online_link",
            "supervising_officials",
            "supervision_note",
            "host_hospital",
            "alliance",
            "materials",
            "reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # The service checks links and organisers with the rule's own message.
        extra_kwargs: dict[str, Any] = {"online_link": {"validators": []}}

    def get_banner(self, obj: LectureSession) -> int | None:
        return obj.hospital.banner_id if obj.hospital is not None else obj.org_unit_id

    def to_representation(self, instance: LectureSession) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["coverage"] = [{"document": c.document_id, "layer": c.layer_id} for c in instance.coverage.all()]
        data["supervising_officials"] = [p.pk for p in instance.supervising_officials.all()]
        return data

    def _lecture_data(self, validated: dict[str, Any], base: LectureData | None = None) -> LectureData:
        values = dict(validated)
        values.pop("reason", None)
        if "coverage" in values:
            values["coverage"] = tuple((c["document"], c["layer"]) for c in values["coverage"])
        if "supervising_officials" in values:
            values["supervising_officials"] = tuple(values["supervising_officials"])
        if base is None:
            return LectureData(campaign=values["kind"].campaign, **values)
        return base.replace(**values)

    def create(self, validated_data: dict[str, Any]) -> LectureSession:
        request = self.context["request"]
        return lecture_create(
            actor=request.user,
            channel=ChangeRecord.Channel.API,
            data=self._lecture_data(validated_data),
            reason=validated_data.get("reason", ""),
        )

    def update(self, instance: LectureSession, validated_data: dict[str, Any]) -> LectureSession:
        request = self.context["request"]
        data = self._lecture_data(validated_data, base=LectureData.from_lecture(instance))
        return lecture_update(
            actor=request.user,
            channel=ChangeRecord.Channel.API,
            lecture=instance,
            data=data,
            reason=validated_data.get("reason", ""),
        )


@functools.cache
def _lecture_fields() -> Any:
    """The serializer's fields, built once: ``lecture_rows`` uses only their context-free conversions."""
    return LectureSessionSerializer().fields


def lecture_rows(lectures: Sequence[LectureSession], *, context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``LectureSessionSerializer(lectures, many=True).data`` for a list page, written directly.

    The same keys, values and order (a test holds both equal on generated regions), from lectures that
    come with ``kind``, ``hospital``, ``org_unit`` and ``speaker`` joined and nothing prefetched: their
    coverage, supervising officials and materials are read as plain rows in three queries, instead of
    model instances and a related manager's queryset per lecture, which cost most of a list's time.
    Scalars go through the serializer's own fields (dates, times and choices as the API writes them).
    """
    fields = _lecture_fields()
    ids = [lecture.pk for lecture in lectures]
    coverage: dict[int, list[dict[str, int]]] = defaultdict(list)
    for lecture_id, document_id, layer_id in (
        LectureCoverage.objects.filter(lecture_id__in=ids)
        .order_by("document__number", "layer__order")
        .values_list("lecture_id", "document_id", "layer_id")
    ):
        coverage[lecture_id].append({"document": document_id, "layer": layer_id})
    officials: dict[int, list[int]] = defaultdict(list)
    through = LectureSession.supervising_officials.through
    for lecture_id, person_id in (
        through.objects.filter(lecturesession_id__in=ids)
        .order_by("person__code")
        .values_list("lecturesession_id", "person_id")
    ):
        officials[lecture_id].append(person_id)
    materials: dict[int, list[dict[str, Any]]] = defaultdict(list)
    request = context.get("request")
    recommended = fields["materials"].child.fields["recommended_for_publicity"]
    for values in (
        LectureMaterial.objects.filter(lecture_id__in=ids)
        .order_by("id")
        .values(
            "id", "lecture_id", "kind", "title", "original_name", "content_type", "size",
            "recommended_for_publicity",
        )
    ):  # fmt: skip
        row: dict[str, Any] = dict(values)
        lecture_id = row.pop("lecture_id")
        row["recommended_for_publicity"] = recommended.to_representation(row["recommended_for_publicity"])
        row["download_url"] = _download_url(request, "lecture-material-download", row["id"])
        materials[lecture_id].append(row)
    # get_speaker_role_display, without flattening the choices again on every lecture.
    role_labels = {v: str(label) for v, label in LectureSession._meta.get_field("speaker_role").flatchoices}
    held_on, created_at, updated_at = fields["held_on"], fields["created_at"], fields["updated_at"]
    role, rate = fields["speaker_role"], fields["attendance_rate"]
    boolean = fields["party_history"]
    rows = []
    for lecture in lectures:
        hospital, unit = lecture.hospital, lecture.org_unit
        rate_value = lecture.attendance_rate
        rows.append(
            {
                "id": lecture.pk,
                "campaign": lecture.campaign_id,
                "kind": lecture.kind_id,
                "kind_name": lecture.kind.name,
                "hospital": lecture.hospital_id,
                "hospital_name": None if hospital is None else hospital.name,
                "org_unit": lecture.org_unit_id,
                "org_unit_name": None if unit is None else unit.name,
                "banner": hospital.banner_id if hospital is not None else lecture.org_unit_id,
                "held_on": held_on.to_representation(lecture.held_on),
                "title": lecture.title,
                "speaker": lecture.speaker_id,
                "speaker_name": lecture.speaker.name,
                "speaker_role": role.to_representation(lecture.speaker_role),
                "speaker_role_display": role_labels.get(lecture.speaker_role, lecture.speaker_role),
                "department": lecture.department_id,
                "party_history": boolean.to_representation(lecture.party_history),
                "coverage": coverage.get(lecture.pk, []),
                "attendance_expected": lecture.attendance_expected,
                "attendance_present": lecture.attendance_present,
                "on_duty_exempt": lecture.on_duty_exempt,
                "attendance_rate": None if rate_value is None else rate.to_representation(rate_value),
                "is_online": boolean.to_representation(lecture.is_online),
                "online_link": lecture.online_link,
                "supervising_officials": officials.get(lecture.pk, []),
                "supervision_note": lecture.supervision_note,
                "host_hospital": lecture.host_hospital_id,
                "alliance": lecture.alliance_id,
                "materials": materials.get(lecture.pk, []),
                "created_at": created_at.to_representation(lecture.created_at),
                "updated_at": updated_at.to_representation(lecture.updated_at),
            }
        )
    return rows


class LectureMaterialSerializer(ModelSerializer):
    file = serializers.FileField(write_only=True)
    # None for the courseware of a banner's own lecture (集中宣讲): documented nullable.
    hospital = serializers.IntegerField(source="lecture.hospital_id", read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = LectureMaterial
        fields = [
            "id",
            "lecture",
            "hospital",
            "kind",
            "title",
            "file",
            "original_name",
            "content_type",
            "size",
            "recommended_for_publicity",
            "recommended_at",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = [
            "original_name",
            "content_type",
            "size",
            "recommended_for_publicity",
            "recommended_at",
            "uploaded_at",
        ]

    def get_download_url(self, obj: LectureMaterial) -> str:
        return _download_url(self.context.get("request"), "lecture-material-download", obj.pk)

    def create(self, validated_data: dict[str, Any]) -> LectureMaterial:
        return material_upload(
            actor=self.context["request"].user,
            channel=ChangeRecord.Channel.API,
            lecture=validated_data["lecture"],
            kind=validated_data["kind"],
            file=validated_data["file"],
            title=validated_data.get("title", ""),
        )


class RecommendSerializer(serializers.Serializer):
    recommended = serializers.BooleanField()


class TourLecturerSerializer(ModelSerializer):
    campaign = VisibleCampaignField()
    person_name = serializers.CharField(source="person.name", read_only=True)
    # A lecturer is a hospital's leader when selected; the person's hospital may be cleared later.
    hospital = serializers.IntegerField(source="person.hospital_id", read_only=True, allow_null=True)

    class Meta:
        model = TourLecturer
        # created_at: when the selection was entered, which 08-31's milestone judges (not the typed date).
        fields = ["id", "campaign", "person", "person_name", "hospital", "selected_on", "note", "created_at"]

    def create(self, validated_data: dict[str, Any]) -> TourLecturer:
        return tour_lecturer_select(
            actor=self.context["request"].user, channel=ChangeRecord.Channel.API, **validated_data
        )


class LaunchRecordSerializer(ModelSerializer):
    campaign = VisibleCampaignField()
    attachment = serializers.FileField(write_only=True, required=False)
    has_attachment = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = LaunchRecord
        fields = [
            "id",
            "campaign",
            "hospital",
            "org_unit",
            "launched_on",
            "meeting",
            "minutes",
            "attachment",
            "has_attachment",
            "download_url",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        validators: list[Any] = []  # uniqueness is the service's rule, with its message

    def get_has_attachment(self, obj: LaunchRecord) -> bool:
        return bool(obj.attachment)

    def get_download_url(self, obj: LaunchRecord) -> str | None:
        if not obj.attachment:
            return None
        return _download_url(self.context.get("request"), "launch-record-download", obj.pk)

    def create(self, validated_data: dict[str, Any]) -> LaunchRecord:
        return launch_record_create(
            actor=self.context["request"].user, channel=ChangeRecord.Channel.API, **validated_data
        )

    def update(self, instance: LaunchRecord, validated_data: dict[str, Any]) -> LaunchRecord:
        return launch_record_update(
            actor=self.context["request"].user,
            channel=ChangeRecord.Channel.API,
            record=instance,
            launched_on=validated_data.get("launched_on", instance.launched_on),
            meeting=validated_data.get("meeting", instance.meeting),
            minutes=validated_data.get("minutes", instance.minutes),
            attachment=validated_data.get("attachment"),
            owner=_sent(validated_data, "campaign", "hospital", "org_unit"),
        )


class LecturePlanItemSerializer(ModelSerializer):
    courseware = serializers.FileField(write_only=True, required=False)
    has_courseware = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = LecturePlanItem
        fields = ["id", "plan", "document", "title", "courseware", "has_courseware", "download_url"]
        validators: list[Any] = []  # one item per document: the service updates the existing one

    def get_has_courseware(self, obj: LecturePlanItem) -> bool:
        return bool(obj.courseware)

    def get_download_url(self, obj: LecturePlanItem) -> str | None:
        if not obj.courseware:
            return None
        return _download_url(self.context.get("request"), "lecture-plan-item-download", obj.pk)

    def create(self, validated_data: dict[str, Any]) -> LecturePlanItem:
        return lecture_plan_item_set(
            actor=self.context["request"].user, channel=ChangeRecord.Channel.API, **validated_data
        )


class LecturePlanSerializer(ModelSerializer):
    campaign = VisibleCampaignField()
    items = LecturePlanItemSerializer(many=True, read_only=True)

    class Meta:
        model = LecturePlan
        # created_at: when the plan was entered (its milestone is judged on it, not on the typed date).
        fields = ["id", "campaign", "hospital", "fixed_on", "note", "items", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []

    def create(self, validated_data: dict[str, Any]) -> LecturePlan:
        return lecture_plan_create(
            actor=self.context["request"].user, channel=ChangeRecord.Channel.API, **validated_data
        )

    def update(self, instance: LecturePlan, validated_data: dict[str, Any]) -> LecturePlan:
        return lecture_plan_update(
            actor=self.context["request"].user,
            channel=ChangeRecord.Channel.API,
            plan=instance,
            fixed_on=validated_data.get("fixed_on", instance.fixed_on),
            note=validated_data.get("note", instance.note),
            owner=_sent(validated_data, "campaign", "hospital"),
        )


class RoadmapMilestoneSerializer(ModelSerializer):
    class Meta:
        model = RoadmapMilestone
        fields = ["id", "action_item", "title", "due_on", "done_on"]

    def create(self, validated_data: dict[str, Any]) -> RoadmapMilestone:
        return roadmap_milestone_create(
            actor=self.context["request"].user, channel=ChangeRecord.Channel.API, **validated_data
        )

    def update(self, instance: RoadmapMilestone, validated_data: dict[str, Any]) -> RoadmapMilestone:
        return roadmap_milestone_update(
            actor=self.context["request"].user,
            channel=ChangeRecord.Channel.API,
            step=instance,
            title=validated_data.get("title", instance.title),
            due_on=validated_data.get("due_on", instance.due_on),
            done_on=validated_data.get("done_on", instance.done_on),
            owner=_sent(validated_data, "action_item"),
        )


class RoadmapStepSerializer(serializers.Serializer):
    """A roadmap step inside an action item: written with a new item, read with every item."""

    id = serializers.IntegerField(read_only=True)
    title = TextField(max_length=200)
    due_on = serializers.DateField()
    done_on = serializers.DateField(required=False, allow_null=True)


class ActionItemSerializer(ModelSerializer):
    campaign: serializers.PrimaryKeyRelatedField[Campaign] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    banner = serializers.IntegerField(source="hospital.banner_id", read_only=True)
    task_code = serializers.CharField(source="task.code", read_only=True)
    responsible_name = serializers.CharField(source="responsible.name", read_only=True)
    status = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    # Required when the item is created (§四(二) 路线图); later changes go through /roadmap-milestones/.
    roadmap = RoadmapStepSerializer(
        many=True,
        required=False,
        help_text="路线图节点：新建行动项时至少一个；之后通过 /roadmap-milestones/ 增删改",
    )

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "campaign",
            "hospital",
            "banner",
            "task",
            "task_code",
            "part",
            "title",
            "description",
            "responsible",
            "responsible_name",
            "starts_on",
            "due_on",
            "current_status",
            "status",
            "is_overdue",
            "roadmap",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["current_status", "created_at", "updated_at"]

    def _today(self) -> dt.date:
        return clock.today()

    def get_status(self, obj: ActionItem) -> str:
        return obj.status_on(self._today())

    def get_is_overdue(self, obj: ActionItem) -> bool:
        return obj.is_overdue(self._today())

    def create(self, validated_data: dict[str, Any]) -> ActionItem:
        steps = tuple(RoadmapStepData(**step) for step in validated_data.pop("roadmap", []))
        return action_item_create(
            actor=self.context["request"].user,
            channel=ChangeRecord.Channel.API,
            data=ActionItemData(**validated_data, roadmap=steps),
        )

    def update(self, instance: ActionItem, validated_data: dict[str, Any]) -> ActionItem:
        if "roadmap" in validated_data:
            raise serializers.ValidationError(
                {"roadmap": ["已有行动项的路线图请通过路线图节点逐条修改。"]}, code="roadmap_read_only"
            )
        data = ActionItemData.from_item(instance).replace(**validated_data)
        return action_item_update(
            actor=self.context["request"].user, channel=ChangeRecord.Channel.API, item=instance, data=data
        )


class EvidenceSummarySerializer(ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ProgressEvidence
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj: ProgressEvidence) -> str:
        return _download_url(self.context.get("request"), "progress-evidence-download", obj.pk)


class ProgressEntrySerializer(ModelSerializer):
    # A plain CharField: "overdue" must reach the service, which explains that it is computed.
    status = serializers.CharField()
    evidence = EvidenceSummarySerializer(many=True, read_only=True)
    files = serializers.ListField(child=serializers.FileField(), write_only=True, required=False)
    # Only a reviewer's correction while the month's report is in review needs one; kept in the history.
    reason = TextField(
        write_only=True, required=False, allow_blank=True, max_length=2000, help_text="更正原因"
    )

    class Meta:
        model = ProgressEntry
        fields = [
            "id",
            "action_item",
            "month",
            "status",
            "note",
            "evidence",
            "files",
            "reason",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]
        validators: list[Any] = []  # one entry a month: recording the month again corrects it

    def create(self, validated_data: dict[str, Any]) -> ProgressEntry:
        return progress_record(
            actor=self.context["request"].user,
            channel=ChangeRecord.Channel.API,
            action_item=validated_data["action_item"],
            month=validated_data["month"],
            status=validated_data["status"],
            note=validated_data.get("note", ""),
            evidence=validated_data.get("files", []),
            reason=validated_data.get("reason", ""),
        )

    def update(self, instance: ProgressEntry, validated_data: dict[str, Any]) -> ProgressEntry:
        return progress_update(
            actor=self.context["request"].user,
            channel=ChangeRecord.Channel.API,
            entry=instance,
            owner=_sent(validated_data, "action_item", "month"),
            status=validated_data.get("status", instance.status),
            note=validated_data.get("note", instance.note),
            evidence=validated_data.get("files", []),
            reason=validated_data.get("reason", ""),
        )
