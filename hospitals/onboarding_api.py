"""The onboarding workbook in the API (SPEC §11), thin over ``hospitals.onboarding``:

- ``/onboarding-imports/workbook/?league=<id>&filled=true`` (GET): the league's workbook, empty or
  pre-filled;
- ``/onboarding-imports/upload/`` (POST, multipart ``file`` and ``league``): the dry run, 201 with every
  error by sheet and cell and every change old → new; a file refused as a whole is 400;
- ``/onboarding-imports/{id}/confirm/`` (POST): the write, all or nothing; its answer holds the new
  accounts' one-time passwords, the only time they are given out;
- list and detail of the uploads of the leagues the user onboards.

Who: a system admin or the league's admin (403 for anyone else, through the service).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api import ModelSerializer
from exports.writer import XLSX_MIME
from hospitals.models import OnboardingImport, OrgUnit
from hospitals.onboarding import (
    onboarding_import_confirm,
    onboarding_import_create,
    onboarding_imports_visible_to,
    onboarding_workbook_build,
)


class OnboardingImportSerializer(ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = OnboardingImport
        fields = [
            "id",
            "league",
            "status",
            "status_display",
            "file_name",
            "file_sha256",
            "errors",
            "changes",
            "summary",
            "uploaded_by",
            "uploaded_at",
            "confirmed_at",
        ]
        read_only_fields = fields


class OnboardingUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    league = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.LEAGUE))


CONFIRMED = inline_serializer(
    "OnboardingConfirmed",
    fields={
        "import": OnboardingImportSerializer(),
        "accounts": inline_serializer(
            "OnboardingNewAccount",
            fields={
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "role": serializers.CharField(),
                "one_time_password": serializers.CharField(help_text="只在此次应答中给出，系统不保存。"),
            },
            many=True,
        ),
    },
)


def _league_from(request: Request) -> OrgUnit:
    raw = request.query_params.get("league", "")
    if not raw.isdigit():
        raise serializers.ValidationError({"league": ["请指定盟(市)(league，编号)。"]})
    return get_object_or_404(OrgUnit.objects.filter(kind=OrgUnit.Kind.LEAGUE), pk=int(raw))


class OnboardingImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Uploaded onboarding workbooks and their dry runs; upload and confirm are the two writes."""

    serializer_class = OnboardingImportSerializer
    filterset_fields = ["league", "status"]

    def get_queryset(self) -> QuerySet[OnboardingImport]:
        return onboarding_imports_visible_to(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("league", int, required=True),
            OpenApiParameter("filled", bool, description="true: 预填本盟现有数据"),
        ],
        responses={(200, XLSX_MIME): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"])
    def workbook(self, request: Request) -> HttpResponse:
        """The league's onboarding workbook, empty or pre-filled with every row the league has."""
        league = _league_from(request)
        filled = request.query_params.get("filled", "").lower() in ("1", "true")
        content = onboarding_workbook_build(actor=request.user, league=league, filled=filled)
        response = HttpResponse(content, content_type=XLSX_MIME)
        name = f"onboarding-{league.code}{'-filled' if filled else ''}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @extend_schema(
        request={"multipart/form-data": OnboardingUploadSerializer},
        responses={201: OnboardingImportSerializer},
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request: Request) -> Response:
        """Dry run: 201 with every error by sheet and cell and every change old → new."""
        form = OnboardingUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        batch = onboarding_import_create(
            actor=request.user,
            league=form.validated_data["league"],
            # One byte over the cap is enough for the service to refuse; a huge upload is never read whole.
            data=upload.read(settings.XLSX_UPLOAD_MAX_BYTES + 1),
            file_name=upload.name or "",
        )
        return Response(OnboardingImportSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CONFIRMED)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Write the dry run, all or nothing; the new accounts' one-time passwords are in this answer
        only."""
        done = onboarding_import_confirm(actor=request.user, batch=self.get_object())
        done.batch.refresh_from_db()
        accounts: list[dict[str, Any]] = [
            {"id": user.pk, "username": user.username, "role": user.role, "one_time_password": password}
            for user, password in done.accounts
        ]
        response = Response({"import": OnboardingImportSerializer(done.batch).data, "accounts": accounts})
        response["Cache-Control"] = "no-store"
        return response


def register(router: DefaultRouter) -> None:
    router.register("onboarding-imports", OnboardingImportViewSet, basename="onboarding-import")
