"""API of the banners' 调度 reports and the league's visits to banner lectures. Thin: each action
validates its input's shape and calls one service; the service holds the rule (role, scope, state)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from campaign.api import file_response, file_responses
from campaign.filters import campaign_filterset
from campaign.models import LectureSession
from core.api import ModelSerializer, TextField, validated
from hospitals.models import ChangeRecord, OrgUnit
from hospitals.serializers import ChangeRecordSerializer
from reporting.dispatch.models import DispatchReport, DispatchReportFile, LeagueVisit
from reporting.dispatch.selectors import (
    dispatch_due_date,
    dispatch_files_visible_to,
    dispatch_history,
    dispatch_reports_visible_to,
    league_visits_visible_to,
)
from reporting.dispatch.services import (
    dispatch_file_remove,
    dispatch_report_mark_read,
    dispatch_report_open,
    dispatch_report_return,
    dispatch_report_submit,
    dispatch_report_update,
    league_visit_create,
    league_visit_delete,
    league_visit_update,
)

API = ChangeRecord.Channel.API


class DispatchFileSerializer(ModelSerializer):
    class Meta:
        model = DispatchReportFile
        fields = ["id", "report", "original_name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class DispatchReportSerializer(ModelSerializer):
    banner_name = serializers.CharField(source="banner.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_late = serializers.BooleanField(read_only=True)
    due_on = serializers.SerializerMethodField()
    files = DispatchFileSerializer(many=True, read_only=True)

    class Meta:
        model = DispatchReport
        fields = [
            "id",
            "campaign",
            "banner",
            "banner_name",
            "month",
            "due_on",
            "status",
            "status_label",
            "text",
            "first_submitted_at",
            "submitted_at",
            "late_days",
            "is_late",
            "return_count",
            "return_reason",
            "returned_at",
            "read_at",
            "files",
        ]
        read_only_fields = [f for f in fields if f != "text"]

    def get_due_on(self, obj: DispatchReport) -> Any:
        return dispatch_due_date(obj.campaign, obj.month)


class DispatchOpenSerializer(serializers.Serializer):
    banner = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.BANNER))
    month = serializers.DateField()


class DispatchTextSerializer(serializers.Serializer):
    text = TextField(allow_blank=True)


class DispatchUploadSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)


class ReadSerializer(serializers.Serializer):
    note = TextField(required=False, allow_blank=True, default="")


class DispatchReturnSerializer(serializers.Serializer):
    reason = TextField(allow_blank=True)


class DispatchReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Banners' monthly 调度 reports in the caller's scope. POST opens (or finds) a banner's report of a
    month; PATCH writes its text; files are added with ``files/`` (multipart); the transitions are POST
    actions (``submit`` by the banner, ``mark-read`` and ``return`` by the league)."""

    serializer_class = DispatchReportSerializer
    filterset_class = campaign_filterset(DispatchReport, ["month", "status", "banner", "campaign"])
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[DispatchReport]:
        return dispatch_reports_visible_to(self.request.user).order_by("-month", "banner__path", "id")

    def _report(self, report: DispatchReport, code: int = status.HTTP_200_OK) -> Response:
        return Response(DispatchReportSerializer(self.get_queryset().get(pk=report.pk)).data, status=code)

    @extend_schema(
        request=DispatchOpenSerializer,
        responses={201: DispatchReportSerializer, 200: DispatchReportSerializer},
        description="Opens the banner's report of the month: 201 when created, 200 when it existed.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(DispatchOpenSerializer, request)
        report, created = dispatch_report_open(
            actor=request.user, channel=API, banner=data["banner"], month=data["month"]
        )
        return self._report(report, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=DispatchTextSerializer, responses=DispatchReportSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        text = validated(DispatchTextSerializer, request)["text"]
        return self._report(dispatch_report_update(actor=request.user, channel=API, report=report, text=text))

    @extend_schema(
        request={"multipart/form-data": DispatchUploadSerializer}, responses=DispatchReportSerializer
    )
    @action(detail=True, methods=["post"], serializer_class=DispatchUploadSerializer)
    def files(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        uploaded = validated(DispatchUploadSerializer, request)["files"]
        return self._report(
            dispatch_report_update(actor=request.user, channel=API, report=report, files=uploaded)
        )

    @extend_schema(request=None, responses=DispatchReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._report(dispatch_report_submit(actor=request.user, channel=API, report=self.get_object()))

    @extend_schema(request=ReadSerializer, responses=DispatchReportSerializer)
    @action(detail=True, methods=["post"], url_path="mark-read", serializer_class=ReadSerializer)
    def mark_read(self, request: Request, pk: str | None = None) -> Response:
        note = validated(ReadSerializer, request)["note"]
        report = dispatch_report_mark_read(
            actor=request.user, channel=API, report=self.get_object(), note=note
        )
        return self._report(report)

    @extend_schema(request=DispatchReturnSerializer, responses=DispatchReportSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        url_name="return",
        serializer_class=DispatchReturnSerializer,
    )
    def return_report(self, request: Request, pk: str | None = None) -> Response:
        reason = validated(DispatchReturnSerializer, request)["reason"]
        report = dispatch_report_return(
            actor=request.user, channel=API, report=self.get_object(), reason=reason
        )
        return self._report(report)

    @extend_schema(responses=ChangeRecordSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        return Response(ChangeRecordSerializer(dispatch_history(self.get_object()), many=True).data)


class DispatchFileViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The files of the 调度 reports in scope; removed (while the report is editable) by the banner."""

    serializer_class = DispatchFileSerializer
    filterset_fields = ["report"]

    def get_queryset(self) -> QuerySet[DispatchReportFile]:
        return dispatch_files_visible_to(self.request.user).order_by("-id")

    def perform_destroy(self, instance: DispatchReportFile) -> None:
        dispatch_file_remove(actor=self.request.user, channel=API, attached=instance)

    @extend_schema(responses=file_responses("调度报告附件"))
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        attached = self.get_object()
        return file_response(attached.file, attached.original_name, attached.content_type)


class LeagueVisitSerializer(ModelSerializer):
    lecture = serializers.PrimaryKeyRelatedField(
        queryset=LectureSession.objects.select_related("org_unit", "campaign")
    )
    lecture_title = serializers.CharField(source="lecture.title", read_only=True)
    banner = serializers.IntegerField(source="lecture.org_unit_id", read_only=True)
    banner_name = serializers.CharField(source="lecture.org_unit.name", read_only=True)

    class Meta:
        model = LeagueVisit
        fields = [
            "id",
            "campaign",
            "lecture",
            "lecture_title",
            "banner",
            "banner_name",
            "visited_on",
            "attendees",
            "note",
            "created_at",
        ]
        read_only_fields = ["campaign", "created_at"]

    def create(self, validated_data: dict[str, Any]) -> LeagueVisit:
        return league_visit_create(
            actor=self.context["request"].user,
            channel=API,
            lecture=validated_data["lecture"],
            visited_on=validated_data["visited_on"],
            attendees=validated_data["attendees"],
            note=validated_data.get("note", ""),
        )

    def update(self, instance: LeagueVisit, validated_data: dict[str, Any]) -> LeagueVisit:
        if "lecture" in validated_data and validated_data["lecture"].pk != instance.lecture_id:
            raise serializers.ValidationError({"lecture": "出席记录不能改到另一场宣讲，请删除后重新登记。"})
        return league_visit_update(
            actor=self.context["request"].user,
            channel=API,
            visit=instance,
            visited_on=validated_data.get("visited_on", instance.visited_on),
            attendees=validated_data.get("attendees", instance.attendees),
            note=validated_data.get("note", instance.note),
        )


class LeagueVisitViewSet(viewsets.ModelViewSet):
    """The banner lectures (集中宣讲) the league attended: recorded by the league, read by it and by the
    banner whose lecture it was."""

    serializer_class = LeagueVisitSerializer
    filterset_class = campaign_filterset(
        LeagueVisit, ["campaign", "lecture", "lecture__org_unit", "visited_on"]
    )

    def get_queryset(self) -> QuerySet[LeagueVisit]:
        return league_visits_visible_to(self.request.user).order_by("-visited_on", "-id")

    def perform_destroy(self, instance: LeagueVisit) -> None:
        league_visit_delete(actor=self.request.user, channel=API, visit=instance)


def register(router: DefaultRouter) -> None:
    router.register("dispatch-reports", DispatchReportViewSet, basename="dispatch-report")
    router.register("dispatch-files", DispatchFileViewSet, basename="dispatch-file")
    router.register("league-visits", LeagueVisitViewSet, basename="league-visit")
