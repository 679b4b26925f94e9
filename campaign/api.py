"""Campaign endpoints. Catalogues are read-only and visible to every signed-in user of the campaign's
league (they are the campaign's rules); lectures, materials, action items and the rest are scoped to
the user (SPEC §1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from campaign.compliance import (
    ComplianceState,
    MilestoneStatus,
    banner_compliance,
    milestone_compliance,
    unit_launch_compliance,
)
from campaign.files import ALLOWED_TYPES
from campaign.filters import (
    ActionItemFilter,
    LaunchRecordFilter,
    LectureFilter,
    LecturePlanFilter,
    MaterialFilter,
    ProgressFilter,
    RoadmapFilter,
    campaign_filterset,
)
from campaign.models import (
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
    ProgressEntry,
    ProgressEvidence,
    RoadmapMilestone,
    TourLecturer,
)
from campaign.selectors import (
    action_item_list,
    action_plan,
    campaign_current,
    campaigns_visible_to,
    evidence_list,
    launch_record_list,
    lecture_list,
    lecture_plan_item_list,
    lecture_plan_list,
    material_list,
    progress_list,
    roadmap_list,
    tour_lecturer_list,
)
from campaign.serializers import (
    ActionItemSerializer,
    ActionTaskSerializer,
    CampaignSerializer,
    EvidenceSummarySerializer,
    IndicatorSerializer,
    KeyDocumentSerializer,
    LaunchRecordSerializer,
    LayerSerializer,
    LectureKindSerializer,
    LectureMaterialSerializer,
    LecturePlanItemSerializer,
    LecturePlanSerializer,
    LectureSessionSerializer,
    ProgressEntrySerializer,
    RecommendSerializer,
    RoadmapMilestoneSerializer,
    TourLecturerSerializer,
    lecture_rows,
)
from campaign.services import (
    action_item_delete,
    launch_record_delete,
    lecture_delete,
    material_delete,
    material_set_recommended,
    progress_delete,
    roadmap_milestone_delete,
    tour_lecturer_remove,
)
from core import clock
from core.versions import cached_reads, query_parts
from exports.api import XlsxExportMixin
from hospitals.models import ChangeRecord, Hospital, OrgUnit, Role
from hospitals.selectors import hospitals_visible_to, org_units_visible_to


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """The campaigns of the user's own league (an admin: all); another league's is 404."""

    serializer_class = CampaignSerializer
    filterset_fields = ["year", "league"]

    def get_queryset(self) -> QuerySet[Campaign]:
        return (
            campaigns_visible_to(self.request.user).prefetch_related("milestones").order_by("-year", "code")
        )


class _CatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    """A catalogue of the user's campaigns (``campaigns_visible_to``): another league's rules are not
    listed, and ``?campaign=`` of another league is a 400."""

    base_queryset: QuerySet[Any]

    def get_queryset(self) -> QuerySet[Any]:
        return self.base_queryset.filter(campaign__in=campaigns_visible_to(self.request.user))


class KeyDocumentViewSet(_CatalogueViewSet):
    base_queryset = KeyDocument.objects.order_by("campaign", "number")
    serializer_class = KeyDocumentSerializer
    filterset_class = campaign_filterset(KeyDocument, ["campaign"])


class LayerViewSet(_CatalogueViewSet):
    base_queryset = Layer.objects.order_by("campaign", "order")
    serializer_class = LayerSerializer
    filterset_class = campaign_filterset(Layer, ["campaign"])


class LectureKindViewSet(_CatalogueViewSet):
    base_queryset = LectureKind.objects.order_by("campaign", "order")
    serializer_class = LectureKindSerializer
    filterset_class = campaign_filterset(LectureKind, ["campaign"])


class ActionTaskViewSet(_CatalogueViewSet):
    base_queryset = ActionTask.objects.select_related("area").order_by("campaign", "code")
    serializer_class = ActionTaskSerializer
    filterset_class = campaign_filterset(ActionTask, ["campaign", "area", "applies_to"])


class IndicatorViewSet(_CatalogueViewSet):
    base_queryset = Indicator.objects.order_by("campaign", "order")
    serializer_class = IndicatorSerializer
    filterset_class = campaign_filterset(
        Indicator, ["campaign", "value_type", "reporting_level", "applies_to", "target_kind"]
    )


# ---------------------------------------------------------------------------------------------------
# 讲 / 见. Reads are scoped by the selectors (another hospital's row is 404, never in a list); writes go
# through the services (403 for another hospital, 400 with the rule's message for a refused write).
# Files are served only by the download actions below, after the same scope check: no URL serves
# MEDIA_ROOT.
# ---------------------------------------------------------------------------------------------------


# Every stored file passed campaign.files.check_upload, so a download has one of the allowed types (named
# in the schema); octet-stream is for a file whose name has none of their extensions, which no upload makes.
OCTET_STREAM = "application/octet-stream"
FILE_MEDIA_TYPES = sorted({mime for mime, _ in ALLOWED_TYPES.values()} | {OCTET_STREAM})


def file_responses(description: str) -> dict[tuple[int, str], OpenApiResponse]:
    return {
        (200, media): OpenApiResponse(OpenApiTypes.BINARY, description=description)
        for media in FILE_MEDIA_TYPES
    }


def _media_type(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return next((mime for mime, names in ALLOWED_TYPES.values() if extension in names), OCTET_STREAM)


def file_response(field: FieldFile, filename: str, content_type: str = "") -> FileResponse:
    if not field:
        raise Http404("没有文件。")
    response = FileResponse(field.open("rb"), as_attachment=True, filename=filename)
    # Not guessed by FileResponse from the system's MIME table: the types are the documented ones.
    response["Content-Type"] = content_type or _media_type(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class LectureSessionViewSet(XlsxExportMixin, viewsets.ModelViewSet):
    serializer_class = LectureSessionSerializer
    filterset_class = LectureFilter
    export_kind = "lecture_ledger"
    ordering_fields = ["held_on", "id", "attendance_present"]

    def get_queryset(self) -> QuerySet[LectureSession]:
        lectures = lecture_list(user=self.request.user)
        if self.action == "list":
            # Only the relations the list's rows read (lecture_rows reads the rest as plain rows): each
            # joined table adds to PostgreSQL's planning time (the nine of lecture_list took 110–150 ms
            # to plan for a 1 ms query, README "Benchmark").
            lectures = (
                lectures.select_related(None)
                .select_related("kind", "hospital", "org_unit", "speaker")
                .prefetch_related(None)
            )
        return lectures

    def list(  # type: ignore[override]  # the kept JSON page is sent as plain bytes
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response | HttpResponse:
        """The serializer's rows, written by ``lecture_rows`` (the same data, a fraction of the time).

        As JSON, the rendered page is kept under the versions of the tables it read
        (``core.versions.cached_reads``: any write to one of them computes it again) for the viewer, the
        address (filters, ordering, page or cursor) and the day: a page asked again unchanged costs the
        versions' query. A test holds a kept page equal to the live one after writes of every kind."""
        queryset = self.filter_queryset(self.get_queryset())
        if not isinstance(getattr(request, "accepted_renderer", None), JSONRenderer):
            return self._live_list(queryset)

        def render() -> bytes:
            return JSONRenderer().render(self._live_list(queryset).data)

        # The list's SQL names the viewer's scope, the filters and the ordering; the address the page or
        # cursor and the host of the links; the day what a row may say about its month.
        parts = (query_parts(queryset), request.build_absolute_uri(), clock.today().isoformat())
        return HttpResponse(cached_reads("api-lectures", parts, render), content_type="application/json")

    def _live_list(self, queryset: QuerySet[LectureSession]) -> Response:
        page = self.paginate_queryset(queryset)
        lectures = list(queryset) if page is None else list(page)
        rows = lecture_rows(lectures, context=self.get_serializer_context())
        return Response(rows) if page is None else self.get_paginated_response(rows)

    def perform_destroy(self, instance: LectureSession) -> None:
        lecture_delete(actor=self.request.user, channel=ChangeRecord.Channel.API, lecture=instance)


class LectureMaterialViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Upload with multipart (lecture, kind, title, file); download through ``download/``."""

    serializer_class = LectureMaterialSerializer
    filterset_class = MaterialFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[LectureMaterial]:
        return material_list(user=self.request.user)

    def perform_destroy(self, instance: LectureMaterial) -> None:
        material_delete(actor=self.request.user, channel=ChangeRecord.Channel.API, material=instance)

    @extend_schema(responses=file_responses("文件"))
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        material = self.get_object()
        return file_response(material.file, material.original_name, material.content_type)

    @extend_schema(request=RecommendSerializer, responses=LectureMaterialSerializer)
    @action(detail=True, methods=["post"])
    def recommend(self, request: Request, pk: str | None = None) -> Response:
        material = self.get_object()
        body = RecommendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        material = material_set_recommended(
            actor=request.user,
            channel=ChangeRecord.Channel.API,
            material=material,
            recommended=body.validated_data["recommended"],
        )
        return Response(self.get_serializer(material).data)


class TourLecturerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TourLecturerSerializer
    filterset_class = campaign_filterset(TourLecturer, ["campaign", "person"])

    def get_queryset(self) -> QuerySet[TourLecturer]:
        return tour_lecturer_list(user=self.request.user)

    def perform_destroy(self, instance: TourLecturer) -> None:
        tour_lecturer_remove(actor=self.request.user, channel=ChangeRecord.Channel.API, selection=instance)


class LaunchRecordViewSet(viewsets.ModelViewSet):
    serializer_class = LaunchRecordSerializer
    filterset_class = LaunchRecordFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[LaunchRecord]:
        return launch_record_list(user=self.request.user)

    def perform_destroy(self, instance: LaunchRecord) -> None:
        launch_record_delete(actor=self.request.user, channel=ChangeRecord.Channel.API, record=instance)

    @extend_schema(responses=file_responses("文件"))
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        record = self.get_object()
        return file_response(record.attachment, record.attachment.name.rsplit("/", 1)[-1])


class LecturePlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = LecturePlanSerializer
    filterset_class = LecturePlanFilter

    def get_queryset(self) -> QuerySet[LecturePlan]:
        return lecture_plan_list(user=self.request.user)


class LecturePlanItemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """POST sets the title (and courseware) of one key document in a plan, replacing the earlier one."""

    serializer_class = LecturePlanItemSerializer
    filterset_fields = ["plan", "document"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[LecturePlanItem]:
        return lecture_plan_item_list(user=self.request.user)

    @extend_schema(responses=file_responses("课件"))
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        item = self.get_object()
        return file_response(item.courseware, item.courseware.name.rsplit("/", 1)[-1])


class ActionItemViewSet(XlsxExportMixin, viewsets.ModelViewSet):
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    export_kind = "action_tracker"
    ordering_fields = ["due_on", "starts_on", "id"]

    def get_queryset(self) -> QuerySet[ActionItem]:
        return action_item_list(user=self.request.user)

    def perform_destroy(self, instance: ActionItem) -> None:
        action_item_delete(actor=self.request.user, channel=ChangeRecord.Channel.API, item=instance)


class RoadmapMilestoneViewSet(viewsets.ModelViewSet):
    serializer_class = RoadmapMilestoneSerializer
    filterset_class = RoadmapFilter

    def get_queryset(self) -> QuerySet[RoadmapMilestone]:
        return roadmap_list(user=self.request.user)

    def perform_destroy(self, instance: RoadmapMilestone) -> None:
        roadmap_milestone_delete(actor=self.request.user, channel=ChangeRecord.Channel.API, step=instance)


class ProgressEntryViewSet(viewsets.ModelViewSet):
    """POST records the month's progress (again for the same month corrects it); ``files`` are evidence."""

    serializer_class = ProgressEntrySerializer
    filterset_class = ProgressFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ProgressEntry]:
        return progress_list(user=self.request.user)

    def perform_destroy(self, instance: ProgressEntry) -> None:
        progress_delete(actor=self.request.user, channel=ChangeRecord.Channel.API, entry=instance)


class ProgressEvidenceViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EvidenceSummarySerializer

    def get_queryset(self) -> QuerySet[ProgressEvidence]:
        return evidence_list(user=self.request.user)

    @extend_schema(responses=file_responses("佐证材料"))
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        evidence = self.get_object()
        return file_response(evidence.file, evidence.original_name, evidence.content_type)


def _campaign_and_date(request: Request, hospital: Hospital | None = None) -> tuple[Campaign, dt.date]:
    """``?campaign=`` among the user's campaigns (404 otherwise), else the user's current one (of
    ``hospital``'s league when the answer is about one hospital); and ``?on=``, else the clock's day."""
    campaign_id = request.query_params.get("campaign")
    if campaign_id and not campaign_id.isdigit():
        raise exceptions.ValidationError({"campaign": ["活动编号应为整数。"]}, code="invalid")
    campaign = (
        campaigns_visible_to(request.user).filter(pk=campaign_id).first()
        if campaign_id
        else campaign_current(request.user, hospital=hospital)
    )
    if campaign is None:
        raise Http404("没有该活动。")
    on_text = request.query_params.get("on")
    try:
        on = dt.date.fromisoformat(on_text) if on_text else clock.today()
    except ValueError as exc:
        raise exceptions.ValidationError({"on": ["日期格式应为 YYYY-MM-DD。"]}, code="invalid_date") from exc
    return campaign, on


def _status_json(status: MilestoneStatus) -> dict[str, Any]:
    return {
        "milestone": status.milestone.code,
        "rule": status.milestone.rule,
        "name": status.milestone.name,
        "due_on": status.milestone.due_on,
        "state": status.state,
        "state_display": ComplianceState(status.state).label,
        "met_on": status.met_on,
        "detail": status.detail,
        "records": [{"type": r.type, "id": r.id, "label": r.label, "on": r.on} for r in status.records],
    }


class ComplianceViewSet(viewsets.ViewSet):
    """Milestone compliance as of ``on`` (default today) for ``campaign`` (default the current one).

    ``/compliance/`` lists the visible hospitals (filter ``hospital``, ``banner``), paginated;
    ``/compliance/banners/`` rolls the same up per banner.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", int),
            OpenApiParameter("on", OpenApiTypes.DATE),
            OpenApiParameter("hospital", int),
            OpenApiParameter("banner", int),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request: Request) -> Response:
        campaign, on = _campaign_and_date(request)
        hospitals = hospitals_visible_to(request.user).order_by("code")
        for name in ("hospital", "banner"):
            value = request.query_params.get(name)
            if value:
                if not value.isdigit():
                    raise exceptions.ValidationError({name: ["须为编号。"]}, code="invalid")
                hospitals = hospitals.filter(
                    **({"pk": value} if name == "hospital" else {"banner_id": value})
                )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(hospitals, request, view=self) or []
        statuses = milestone_compliance(campaign=campaign, hospitals=page, on=on)
        rows = [
            {
                "hospital": h.pk,
                "hospital_name": h.name,
                "banner": h.banner_id,
                "milestones": [_status_json(s) for s in statuses[h.pk]],
            }
            for h in page
        ]
        return paginator.get_paginated_response({"campaign": campaign.pk, "on": on, "hospitals": rows})

    @extend_schema(
        parameters=[OpenApiParameter("campaign", int), OpenApiParameter("on", OpenApiTypes.DATE)],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def banners(self, request: Request) -> Response:
        campaign, on = _campaign_and_date(request)
        banners = org_units_visible_to(request.user).filter(kind=OrgUnit.Kind.BANNER).order_by("path")
        if getattr(request.user, "role", None) == Role.HOSPITAL_REPORTER:
            raise PermissionDenied("旗(区)汇总仅供审核员查看。")
        rollup = banner_compliance(campaign=campaign, banners=banners, on=on)
        # 06-25 "全盟、各旗(区)、各医院": the league's own launch, for those whose scope holds the league.
        leagues = list(org_units_visible_to(request.user).filter(pk=campaign.league_id))
        league_launch = unit_launch_compliance(campaign=campaign, units=leagues, on=on)
        rows = [
            {
                "banner": b.pk,
                "banner_name": b.name,
                "milestones": [
                    {
                        "milestone": s.milestone.code,
                        "name": s.milestone.name,
                        "due_on": s.milestone.due_on,
                        "hospitals": s.hospitals,
                        "met": s.met,
                        "not_met": s.not_met,
                        "not_due": s.not_due,
                        "banner_status": _status_json(s.banner_status) if s.banner_status else None,
                    }
                    for s in rollup[b.pk]
                ],
            }
            for b in banners
        ]
        league = None
        for unit in leagues:
            if unit.pk in league_launch:
                league = {
                    "unit": unit.pk,
                    "unit_name": unit.name,
                    "launch": _status_json(league_launch[unit.pk]),
                }
        return Response({"campaign": campaign.pk, "on": on, "league": league, "banners": rows})


def _plan_item(item: ActionItem, on: dt.date) -> dict[str, Any]:
    return {
        "id": item.pk,
        "title": item.title,
        "part": item.part,
        "due_on": item.due_on,
        "status": item.status_on(on),
    }


class ActionPlanViewSet(viewsets.ViewSet):
    """A hospital's plan: every applicable task with its items (``has_item`` false: no action yet)."""

    @extend_schema(
        parameters=[OpenApiParameter("hospital", int, required=True), OpenApiParameter("campaign", int)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request: Request) -> Response:
        hospital_id = request.query_params.get("hospital") or getattr(request.user, "hospital_id", None)
        if not hospital_id or not str(hospital_id).isdigit():
            raise exceptions.ValidationError({"hospital": ["须指定医院。"]}, code="required")
        hospital = hospitals_visible_to(request.user).filter(pk=hospital_id).first()
        if hospital is None:
            raise Http404
        campaign, on = _campaign_and_date(request, hospital)
        rows = [
            {
                "task": row.task.pk,
                "task_code": row.task.code,
                "task_name": row.task.name,
                "area": row.task.area.name,
                "parts": row.parts,
                "has_item": row.has_item,
                "parts_without_item": row.parts_without_item,
                "items": [
                    {
                        "id": i.pk,
                        "title": i.title,
                        "part": i.part,
                        "due_on": i.due_on,
                        "status": i.status_on(on),
                    }
                    for i in row.items
                ],
            }
            for row in action_plan(campaign=campaign, hospital=hospital)
        ]
        return Response(
            {
                "hospital": hospital.pk,
                "campaign": campaign.pk,
                "tasks": rows,
                "tasks_without_item": [r["task_code"] for r in rows if not r["has_item"]],
            }
        )


def register(router: DefaultRouter) -> None:
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("key-documents", KeyDocumentViewSet, basename="key-document")
    router.register("layers", LayerViewSet, basename="layer")
    router.register("lecture-kinds", LectureKindViewSet, basename="lecture-kind")
    router.register("action-tasks", ActionTaskViewSet, basename="action-task")
    router.register("indicators", IndicatorViewSet, basename="indicator")
    router.register("lectures", LectureSessionViewSet, basename="lecture")
    router.register("lecture-materials", LectureMaterialViewSet, basename="lecture-material")
    router.register("tour-lecturers", TourLecturerViewSet, basename="tour-lecturer")
    router.register("launch-records", LaunchRecordViewSet, basename="launch-record")
    router.register("lecture-plans", LecturePlanViewSet, basename="lecture-plan")
    router.register("lecture-plan-items", LecturePlanItemViewSet, basename="lecture-plan-item")
    router.register("action-items", ActionItemViewSet, basename="action-item")
    router.register("roadmap-milestones", RoadmapMilestoneViewSet, basename="roadmap-milestone")
    router.register("progress-entries", ProgressEntryViewSet, basename="progress-entry")
    router.register("progress-evidence", ProgressEvidenceViewSet, basename="progress-evidence")
    router.register("compliance", ComplianceViewSet, basename="compliance")
    router.register("action-plan", ActionPlanViewSet, basename="action-plan")
