"""django-filter FilterSets for the 讲 / 见 endpoints: hospital, banner, kind, date range, topic, status."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Model, Q, QuerySet

from campaign.models import (
    SEEN_STATUS_CHOICES,
    ActionArea,
    ActionItem,
    ActionTask,
    Campaign,
    LaunchRecord,
    LectureKind,
    LectureMaterial,
    LecturePlan,
    LectureSession,
    MaterialKind,
    ProgressEntry,
    ProgressStatus,
    RoadmapMilestone,
    SpeakerRole,
)
from campaign.selectors import campaigns_visible_to, filter_action_status
from core import clock
from hospitals.models import Hospital, OrgUnit


def _visible_campaigns(request: Any) -> QuerySet[Campaign]:
    return campaigns_visible_to(getattr(request, "user", None))


class VisibleCampaignFilter(django_filters.ModelChoiceFilter):
    """``?campaign=`` among the requester's campaigns (``campaigns_visible_to``): another league's id is
    a 400 naming the parameter, as an unknown id is, never a list of that league's rows. Needs the
    FilterSet's ``request`` (the API gives it; an export passes the requester, ``exports.registry``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", _visible_campaigns)
        kwargs.setdefault("label", "活动")
        super().__init__(*args, **kwargs)


class CampaignFilterSet(django_filters.FilterSet):
    """A FilterSet whose ``campaign`` is the requester's (the base of every list that filters by it)."""

    campaign = VisibleCampaignFilter()


def campaign_filterset(model: type[Model], fields: list[str]) -> type[CampaignFilterSet]:
    """The FilterSet of a list that would say ``filterset_fields = [...]``, its ``campaign`` the
    requester's (``VisibleCampaignFilter``) instead of any campaign."""
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}Filter", (CampaignFilterSet,), {"Meta": meta})


# The topics of SPEC §4: 百年党史, or a key document by its code (kd1…), or any policy document.
TOPIC_PARTY_HISTORY = "party_history"
TOPIC_POLICY = "policy"


class LectureFilter(CampaignFilterSet):
    hospital = django_filters.ModelChoiceFilter(queryset=Hospital.objects.all())
    banner = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.all(), method="filter_banner", label="旗(区)"
    )
    kind = django_filters.ModelChoiceFilter(queryset=LectureKind.objects.all())
    kind_code = django_filters.CharFilter(field_name="kind__code", label="宣讲形式编码")
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label="宣讲日期起")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label="宣讲日期止")
    topic = django_filters.CharFilter(
        method="filter_topic", label="主题: party_history、policy 或重点文件编码(kd1…)"
    )
    speaker_role = django_filters.ChoiceFilter(choices=SpeakerRole.choices)

    class Meta:
        model = LectureSession
        fields = ["campaign", "hospital", "org_unit", "kind", "speaker", "party_history", "is_online"]

    def filter_banner(
        self, qs: QuerySet[LectureSession], name: str, value: OrgUnit
    ) -> QuerySet[LectureSession]:
        return qs.filter(Q(hospital__banner=value) | Q(org_unit=value))

    def filter_topic(self, qs: QuerySet[LectureSession], name: str, value: str) -> QuerySet[LectureSession]:
        if value == TOPIC_PARTY_HISTORY:
            return qs.filter(party_history=True)
        if value == TOPIC_POLICY:
            return qs.filter(coverage__isnull=False).distinct()
        return qs.filter(coverage__document__code=value).distinct()


class MaterialFilter(django_filters.FilterSet):
    hospital = django_filters.ModelChoiceFilter(
        queryset=Hospital.objects.all(), field_name="lecture__hospital"
    )
    banner = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.all(), method="filter_banner", label="旗(区)"
    )
    kind = django_filters.ChoiceFilter(choices=MaterialKind.choices)
    lecture_kind = django_filters.ModelChoiceFilter(
        queryset=LectureKind.objects.all(), field_name="lecture__kind"
    )
    uploaded_after = django_filters.DateFilter(field_name="uploaded_at", lookup_expr="date__gte")
    uploaded_before = django_filters.DateFilter(field_name="uploaded_at", lookup_expr="date__lte")

    class Meta:
        model = LectureMaterial
        fields = ["lecture", "kind", "recommended_for_publicity"]

    def filter_banner(self, qs: QuerySet[Any], name: str, value: OrgUnit) -> QuerySet[Any]:
        return qs.filter(Q(lecture__hospital__banner=value) | Q(lecture__org_unit=value))


class ActionItemFilter(CampaignFilterSet):
    hospital = django_filters.ModelChoiceFilter(queryset=Hospital.objects.all())
    banner = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.all(), field_name="hospital__banner")
    task = django_filters.ModelChoiceFilter(queryset=ActionTask.objects.all())
    task_code = django_filters.CharFilter(field_name="task__code")
    area = django_filters.ModelChoiceFilter(queryset=ActionArea.objects.all(), field_name="task__area")
    status = django_filters.ChoiceFilter(
        choices=SEEN_STATUS_CHOICES,
        method="filter_status",
        label="状态(含计算得出的已逾期)",
    )
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = ActionItem
        fields = ["campaign", "hospital", "task", "responsible"]

    def filter_status(self, qs: QuerySet[ActionItem], name: str, value: str) -> QuerySet[ActionItem]:
        return filter_action_status(qs, value, clock.today())


class RoadmapFilter(django_filters.FilterSet):
    hospital = django_filters.ModelChoiceFilter(
        queryset=Hospital.objects.all(), field_name="action_item__hospital"
    )
    banner = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.all(), field_name="action_item__hospital__banner"
    )
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = RoadmapMilestone
        fields = ["action_item"]


class ProgressFilter(django_filters.FilterSet):
    hospital = django_filters.ModelChoiceFilter(
        queryset=Hospital.objects.all(), field_name="action_item__hospital"
    )
    banner = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.all(), field_name="action_item__hospital__banner"
    )
    status = django_filters.ChoiceFilter(choices=ProgressStatus.choices)
    month_after = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_before = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = ProgressEntry
        fields = ["action_item", "month"]


class LaunchRecordFilter(CampaignFilterSet):
    banner = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.all(), method="filter_banner", label="旗(区)"
    )
    launched_after = django_filters.DateFilter(field_name="launched_on", lookup_expr="gte")
    launched_before = django_filters.DateFilter(field_name="launched_on", lookup_expr="lte")

    class Meta:
        model = LaunchRecord
        fields = ["campaign", "hospital", "org_unit"]

    def filter_banner(self, qs: QuerySet[Any], name: str, value: OrgUnit) -> QuerySet[Any]:
        return qs.filter(Q(hospital__banner=value) | Q(org_unit=value))


class LecturePlanFilter(CampaignFilterSet):
    banner = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.all(), field_name="hospital__banner")

    class Meta:
        model = LecturePlan
        fields = ["campaign", "hospital"]
