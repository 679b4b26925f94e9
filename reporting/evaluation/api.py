"""/api/v1/evaluations/: the December evaluation, its build, publication, export and official document;
/api/v1/evaluation-banners/: the banners' evaluation; /api/v1/evaluation-assessment-imports/: the
绩效考核 workbook (template, dry run, confirm). Thin: every write is a service of
``reporting.evaluation``."""

from __future__ import annotations

import io

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from campaign.filters import campaign_filterset
from campaign.models import Campaign
from campaign.serializers import VisibleCampaignField
from core.api import ApiErrorSerializer, ModelSerializer, validated
from exports.api import PdfUnavailable, XlsxExportMixin
from exports.documents import DOCX_MIME, PDF_MIME, ConversionUnavailable
from exports.writer import XLSX_MIME
from hospitals.models import ChangeRecord
from reporting.evaluation.assessment import (
    assessment_import_confirm,
    assessment_import_create,
    assessment_template_build,
)
from reporting.evaluation.document import evaluation_document_filename, evaluation_docx, evaluation_pdf
from reporting.evaluation.filters import BannerEvaluationFilter, EvaluationFilter
from reporting.evaluation.models import AssessmentImport, BannerEvaluation, Evaluation
from reporting.evaluation.selectors import (
    assessment_imports_visible_to,
    banner_evaluations_visible_to,
    evaluation_document_rows,
    evaluations_visible_to,
    reads_draft,
)
from reporting.evaluation.services import evaluation_build, evaluation_publish

API = ChangeRecord.Channel.API
CAMPAIGN_PARAMETER = OpenApiParameter("campaign", int, required=True, description="活动")


class EvaluationSerializer(ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "campaign",
            "hospital",
            "hospital_name",
            "lecture_score",
            "action_score",
            "outcome_score",
            "assessment_score",
            "total_score",
            "rank",
            "proposed_commendation",
            "details",
            "built_at",
            "published_at",
            "published_by",
        ]
        read_only_fields = fields


class BannerEvaluationSerializer(ModelSerializer):
    banner_name = serializers.CharField(source="banner.name", read_only=True)

    class Meta:
        model = BannerEvaluation
        fields = [
            "id",
            "campaign",
            "banner",
            "banner_name",
            "hospitals_score",
            "work_score",
            "total_score",
            "rank",
            "details",
            "built_at",
            "published_at",
            "published_by",
        ]
        read_only_fields = fields


class EvaluationBuildSerializer(serializers.Serializer):
    campaign = VisibleCampaignField()


def _campaign_param(request: Request) -> Campaign:
    """``?campaign=`` among the requester's campaigns (a 400 naming the parameter otherwise)."""
    query = EvaluationBuildSerializer(data=request.query_params, context={"request": request})
    query.is_valid(raise_exception=True)
    campaign: Campaign = query.validated_data["campaign"]
    return campaign


def _document_rows(
    request: Request,
) -> tuple[Campaign, QuerySet[Evaluation], QuerySet[BannerEvaluation]]:
    campaign = _campaign_param(request)
    found = evaluation_document_rows(request.user, campaign.pk)
    if found is None:
        raise Http404("该活动尚无可查看的年终评估。")
    return campaign, *found


class EvaluationViewSet(XlsxExportMixin, viewsets.ReadOnlyModelViewSet):
    """The hospitals' evaluation rows: the draft for the league's reviewers, the published evaluation
    for everyone else in scope."""

    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter
    export_kind = "evaluation"

    def get_queryset(self) -> QuerySet[Evaluation]:
        return evaluations_visible_to(self.request.user).order_by("campaign", "rank", "hospital__code")

    @extend_schema(request=EvaluationBuildSerializer, responses={201: EvaluationSerializer(many=True)})
    # Answers every evaluated row of the campaign in scope, not a page (and so documented).
    @action(detail=False, methods=["post"], serializer_class=EvaluationBuildSerializer, pagination_class=None)
    def build(self, request: Request) -> Response:
        campaign = validated(EvaluationBuildSerializer, request)["campaign"]
        evaluation_build(campaign_id=campaign.pk, actor=request.user, channel=API)
        rows = self.get_queryset().filter(campaign=campaign)
        return Response(EvaluationSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EvaluationBuildSerializer, responses={200: EvaluationSerializer(many=True)})
    # Answers every published row of the campaign, as build does.
    @action(detail=False, methods=["post"], serializer_class=EvaluationBuildSerializer, pagination_class=None)
    def publish(self, request: Request) -> Response:
        campaign = validated(EvaluationBuildSerializer, request)["campaign"]
        rows = evaluation_publish(campaign_id=campaign.pk, actor=request.user, channel=API)
        return Response(EvaluationSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[CAMPAIGN_PARAMETER],
        responses={(200, DOCX_MIME): OpenApiTypes.BINARY},
        summary="下载年终评估Word公文",
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def docx(self, request: Request) -> FileResponse:
        campaign, rows, banners = _document_rows(request)
        return FileResponse(
            io.BytesIO(evaluation_docx(campaign, rows, banners)),
            as_attachment=True,
            filename=evaluation_document_filename(campaign, "docx"),
            content_type=DOCX_MIME,
        )

    @extend_schema(
        parameters=[CAMPAIGN_PARAMETER],
        responses={
            (200, PDF_MIME): OpenApiTypes.BINARY,
            503: OpenApiResponse(ApiErrorSerializer, description="服务器暂不能生成PDF（未安装LibreOffice）"),
        },
        summary="下载年终评估PDF（由Word公文转换）",
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def pdf(self, request: Request) -> FileResponse:
        campaign, rows, banners = _document_rows(request)
        try:
            content = evaluation_pdf(campaign, rows, banners)
        except ConversionUnavailable as error:
            raise PdfUnavailable(str(error)) from None
        return FileResponse(
            io.BytesIO(content),
            as_attachment=True,
            filename=evaluation_document_filename(campaign, "pdf"),
            content_type=PDF_MIME,
        )


class BannerEvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    """The banners' evaluation and ranking: the league's reviewers read the draft; once published a
    banner reviewer reads its league's ranking and a hospital its own banner's row."""

    serializer_class = BannerEvaluationSerializer
    filterset_class = BannerEvaluationFilter

    def get_queryset(self) -> QuerySet[BannerEvaluation]:
        return banner_evaluations_visible_to(self.request.user).order_by("campaign", "rank", "banner__code")


class AssessmentImportSerializer(ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AssessmentImport
        fields = [
            "id",
            "campaign",
            "status",
            "status_display",
            "file_name",
            "file_sha256",
            "errors",
            "changes",
            "uploaded_by",
            "uploaded_at",
            "confirmed_at",
        ]
        read_only_fields = fields


class AssessmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    campaign = VisibleCampaignField()


class AssessmentImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The league's uploads of the 绩效考核 workbook and their dry runs; upload and confirm are the two
    writes."""

    serializer_class = AssessmentImportSerializer
    filterset_class = campaign_filterset(AssessmentImport, ["campaign", "status"])

    def get_queryset(self) -> QuerySet[AssessmentImport]:
        return assessment_imports_visible_to(self.request.user)

    @extend_schema(parameters=[CAMPAIGN_PARAMETER], responses={(200, XLSX_MIME): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def template(self, request: Request) -> HttpResponse:
        """The campaign's hospitals, one a row, pre-filled with the stored results (league reviewers)."""
        if not reads_draft(request.user):
            raise PermissionDenied("只有盟审核员可以导入绩效考核结果。")
        campaign = _campaign_param(request)
        content = assessment_template_build(campaign=campaign)
        response = HttpResponse(content, content_type=XLSX_MIME)
        response["Content-Disposition"] = f'attachment; filename="assessment-{campaign.code}.xlsx"'
        return response

    @extend_schema(
        request={"multipart/form-data": AssessmentUploadSerializer},
        responses={201: AssessmentImportSerializer},
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request: Request) -> Response:
        """Dry run: 201 with every error by sheet and cell and every change old → new; a refused file
        is 400 and stores nothing. ``…/{id}/confirm/`` writes all rows or none."""
        data = validated(AssessmentUploadSerializer, request)
        upload = data["file"]
        batch = assessment_import_create(
            actor=request.user,
            campaign=data["campaign"],
            # One byte over the cap is enough for the service to refuse; a huge upload is never read whole.
            data=upload.read(settings.XLSX_UPLOAD_MAX_BYTES + 1),
            file_name=upload.name or "",
        )
        return Response(AssessmentImportSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AssessmentImportSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        batch = self.get_object()
        assessment_import_confirm(actor=request.user, batch=batch, channel=ChangeRecord.Channel.EXCEL)
        batch.refresh_from_db()
        return Response(AssessmentImportSerializer(batch).data)


def register(router: DefaultRouter) -> None:
    router.register("evaluations", EvaluationViewSet, basename="evaluation")
    router.register("evaluation-banners", BannerEvaluationViewSet, basename="evaluation-banner")
    router.register(
        "evaluation-assessment-imports", AssessmentImportViewSet, basename="evaluation-assessment-import"
    )
