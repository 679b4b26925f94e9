"""/api/v1/bulletins/: build, publish and download the monthly bulletin."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from campaign.filters import campaign_filterset
from campaign.serializers import VisibleCampaignField
from core.api import ApiErrorSerializer, ModelSerializer, validated
from exports.api import PdfUnavailable
from exports.documents import DOCX_MIME, PDF_MIME, ConversionUnavailable
from exports.writer import XLSX_MIME
from hospitals.models import ChangeRecord
from reporting.bulletins.document import bulletin_document_filename, bulletin_docx, bulletin_pdf
from reporting.bulletins.models import Bulletin
from reporting.bulletins.selectors import bulletins_visible_to
from reporting.bulletins.services import bulletin_build, bulletin_publish
from reporting.bulletins.workbook import bulletin_filename, bulletin_workbook

API = ChangeRecord.Channel.API


class BulletinSerializer(ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Bulletin
        fields = ["id", "campaign", "month", "status", "status_label", "built_at", "published_at", "data"]
        read_only_fields = fields


class BulletinBuildSerializer(serializers.Serializer):
    campaign = VisibleCampaignField()
    month = serializers.DateField()


class BulletinViewSet(viewsets.ReadOnlyModelViewSet):
    """The league's monthly bulletins: published ones for everyone in the league, drafts for league
    reviewers."""

    serializer_class = BulletinSerializer
    filterset_class = campaign_filterset(Bulletin, ["campaign", "month", "status"])

    def get_queryset(self) -> QuerySet[Bulletin]:
        return bulletins_visible_to(self.request.user).order_by("-month", "id")

    @extend_schema(request=BulletinBuildSerializer, responses={201: BulletinSerializer})
    @action(detail=False, methods=["post"], serializer_class=BulletinBuildSerializer)
    def build(self, request: Request) -> Response:
        data = validated(BulletinBuildSerializer, request)
        month: dt.date = data["month"]
        bulletin = bulletin_build(
            campaign_id=data["campaign"].pk, month=month, actor=request.user, channel=API
        )
        return Response(BulletinSerializer(bulletin).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=BulletinSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        bulletin = bulletin_publish(bulletin_id=self.get_object().pk, actor=request.user, channel=API)
        return Response(BulletinSerializer(bulletin).data)

    @extend_schema(responses={(200, XLSX_MIME): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        bulletin = self.get_object()
        content = bulletin_workbook(bulletin)
        return FileResponse(
            io.BytesIO(content),
            as_attachment=True,
            filename=bulletin_filename(bulletin),
            content_type=XLSX_MIME,
        )

    @extend_schema(responses={(200, DOCX_MIME): OpenApiTypes.BINARY}, summary="下载通报Word公文")
    @action(detail=True, methods=["get"])
    def docx(self, request: Request, pk: str | None = None) -> FileResponse:
        bulletin = self.get_object()
        return FileResponse(
            io.BytesIO(bulletin_docx(bulletin)),
            as_attachment=True,
            filename=bulletin_document_filename(bulletin, "docx"),
            content_type=DOCX_MIME,
        )

    @extend_schema(
        responses={
            (200, PDF_MIME): OpenApiTypes.BINARY,
            503: OpenApiResponse(ApiErrorSerializer, description="服务器暂不能生成PDF（未安装LibreOffice）"),
        },
        summary="下载通报PDF（由Word公文转换）",
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> FileResponse:
        bulletin = self.get_object()
        try:
            content = bulletin_pdf(bulletin)
        except ConversionUnavailable as error:
            raise PdfUnavailable(str(error)) from None
        return FileResponse(
            io.BytesIO(content),
            as_attachment=True,
            filename=bulletin_document_filename(bulletin, "pdf"),
            content_type=PDF_MIME,
        )


def register(router: DefaultRouter) -> None:
    router.register("bulletins", BulletinViewSet, basename="bulletin")
