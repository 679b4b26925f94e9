"""Export endpoints: /api/v1/exports/ (request, poll, download) and ``XlsxExportMixin``, which gives a list
viewset an ``export/`` action that applies the list's own filters.

A request answers 200 with the .xlsx when the rows fit under ``EXPORT_ASYNC_ROW_THRESHOLD``, else 202 with
the job (poll ``url`` until ``status`` is ``done``, then fetch ``download_url``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api import ApiErrorSerializer, ModelSerializer
from exports.models import ExportJob
from exports.registry import export_kind_get, export_kinds, params_from_querydict
from exports.selectors import export_jobs_for
from exports.services import ExportOutcome, export_job_file, export_start
from exports.writer import XLSX_MIME


class PdfUnavailable(exceptions.APIException):
    """503: the server cannot convert an official document's Word file to PDF (no LibreOffice)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "pdf_unavailable"


# Not ready yet is a conflict with the job's state; an expired file is gone for good.
DOWNLOAD_STATUS = {"export_not_ready": status.HTTP_409_CONFLICT, "export_expired": status.HTTP_410_GONE}


class ExportJobSerializer(ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "params",
            "scope",
            "status",
            "status_display",
            "rows_total",
            "rows_done",
            "percent",
            "filename",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
            "url",
            "download_url",
        ]
        read_only_fields = fields

    def get_url(self, job: ExportJob) -> str:
        return reverse("export-job-detail", args=[job.pk])

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        return reverse("export-job-download", args=[job.pk])


class ExportKindSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=50)
    params = serializers.DictField(required=False, default=dict)


def xlsx_response(handle: Any, filename: str) -> FileResponse:
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_MIME)


def outcome_response(outcome: ExportOutcome) -> Response | FileResponse:
    if outcome.job is not None:
        body = ExportJobSerializer(outcome.job).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
    return xlsx_response(outcome.file, outcome.filename)


EXPORT_RESPONSES = {
    (200, XLSX_MIME): OpenApiResponse(OpenApiTypes.BINARY, description="The .xlsx file (small exports)"),
    (202, "application/json"): OpenApiResponse(
        ExportJobSerializer, description="A queued export job to poll (large exports)"
    ),
}


def export_response(request: Request, kind_code: str) -> Response | FileResponse:
    """Export ``kind_code`` with the request's query parameters as the list's filters."""
    outcome = export_start(actor=request.user, kind=kind_code, params=params_from_querydict(request.GET))
    return outcome_response(outcome)


class XlsxExportMixin:
    """Adds ``GET <list>/export/?<the list's filters>`` to a list viewset.

    ``export_kind`` names a registered kind whose ``filterset_class`` must be the viewset's own, so the
    file holds exactly the rows the list shows (scope included), without its pagination.
    """

    export_kind: str = ""

    # filters=True: the list's filter parameters are this action's too (spectacular adds them to lists only).
    @extend_schema(responses=EXPORT_RESPONSES, filters=True, summary="导出Excel（与列表相同的筛选条件）")
    @action(detail=False, methods=["get"], url_path="export", url_name="export", pagination_class=None)
    def export(self, request: Request) -> Response | FileResponse:
        kind = export_kind_get(self.export_kind)
        own = getattr(self, "filterset_class", None)
        if kind.filterset_class is not own:
            raise AssertionError(f"{type(self).__name__} and export {kind.code} filter differently")
        return export_response(request, kind.code)


class ExportJobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Export jobs of the signed-in user: POST to export any kind, GET to poll, download when done."""

    serializer_class = ExportJobSerializer
    filterset_fields = ["kind", "status"]

    def get_queryset(self) -> Any:
        return export_jobs_for(self.request.user)

    @extend_schema(request=ExportRequestSerializer, responses=EXPORT_RESPONSES, summary="申请导出")
    def create(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response | FileResponse:
        body = ExportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        params = params_from_querydict(body.validated_data["params"])
        force = str(request.query_params.get("async", "")).lower() in {"1", "true", "yes"}
        outcome = export_start(
            actor=request.user, kind=body.validated_data["kind"], params=params, force_async=force
        )
        return outcome_response(outcome)

    @extend_schema(
        responses={
            (200, XLSX_MIME): OpenApiResponse(OpenApiTypes.BINARY),
            # DOWNLOAD_STATUS: not finished yet, or the file is gone.
            409: OpenApiResponse(ApiErrorSerializer, description="导出尚未完成"),
            410: OpenApiResponse(ApiErrorSerializer, description="导出文件已过期"),
        },
        summary="下载导出文件",
    )
    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        job = self.get_object()
        try:
            handle = export_job_file(actor=request.user, job=job)
        except ValidationError as exc:
            error = exceptions.APIException(exc.messages[0], code=exc.code)
            error.status_code = DOWNLOAD_STATUS.get(exc.code or "", status.HTTP_400_BAD_REQUEST)
            raise error from None
        return xlsx_response(handle, job.filename)

    @extend_schema(responses={200: ExportKindSerializer(many=True)}, summary="可导出的类型")
    # A short fixed list: neither paginated nor filtered (and so documented).
    @action(
        detail=False,
        methods=["get"],
        url_path="kinds",
        url_name="kinds",
        pagination_class=None,
        filter_backends=[],
    )
    def kinds(self, request: Request) -> Response:
        return Response(
            [{"code": k.code, "title": k.title} for k in export_kinds() if k.allowed(request.user)]
        )


def register(router: DefaultRouter) -> None:
    router.register("exports", ExportJobViewSet, basename="export-job")
