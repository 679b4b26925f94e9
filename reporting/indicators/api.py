"""Indicator endpoints (SPEC §6, §9): values and baselines, figures, evaluations, the Excel template and its
import. Thin: every write is a service of ``reporting.indicators`` / ``reporting.indicator_workbook``,
every read a selector, every query scoped.

- ``/indicator-values/`` — months of the campaign's year; ``/indicator-baselines/`` — last year's months
  (the same model and rules; the route only fixes which year a row may have).
- ``/indicator-figures/`` — each unit's figure for a period beside last year's, with the change.
- ``/indicator-evaluations/`` — target verdicts per unit, per banner and for the whole scope.
- ``/indicator-imports/template/`` (GET, the pre-filled workbook), ``/indicator-imports/upload/`` (POST,
  the dry run), ``/indicator-imports/{id}/confirm/`` (POST, the write).

Periods are given as ``period=month|quarter|ytd`` with ``year`` and ``month`` (or ``quarter``), or as
``start`` and ``end`` months (``YYYY-MM``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from campaign.filters import VisibleCampaignFilter, campaign_filterset
from campaign.models import Campaign, Indicator
from campaign.selectors import campaign_current, campaigns_visible_to
from campaign.serializers import VisibleCampaignField
from core.api import ModelSerializer, TextField, cached_json_response
from exports.api import EXPORT_RESPONSES, export_response
from exports.writer import XLSX_MIME
from hospitals.audit import history_of
from hospitals.models import ChangeRecord, Hospital, OrgUnit, Role, User
from hospitals.selectors import hospitals_visible_to, org_units_visible_to, scope_queryset
from hospitals.serializers import ChangeRecordSerializer
from reporting.indicators.models import IndicatorImport, IndicatorValue
from reporting.indicators.selectors import (
    Period,
    figure_parts,
    figure_tables,
    indicator_comparisons,
    indicator_value_list,
    indicator_value_warnings,
)
from reporting.indicators.services import (
    indicator_value_delete,
    indicator_value_explain,
    indicator_value_save,
    indicator_value_update,
)
from reporting.indicators.targets import indicator_evaluations
from reporting.indicators.template import (
    baseline_import_create,
    baseline_template_build,
    indicator_import_confirm,
    indicator_import_create,
    indicator_template_build,
)

FIGURES = ("numerator", "denominator", "count", "answers")


def parse_month(value: Any, field: str = "month") -> dt.date:
    """``YYYY-MM`` or ``YYYY-MM-01`` to the 1st of that month; a clear 400 otherwise."""
    text = str(value or "").strip()
    try:
        parsed = dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except ValueError:
        raise ValidationError(
            {field: [ValidationError("月份格式应为 YYYY-MM。", code="invalid_month")]}
        ) from None
    if parsed.day != 1:
        raise ValidationError({field: [ValidationError("月份须为当月1日。", code="invalid_month")]})
    return parsed


@extend_schema_field(OpenApiTypes.DATE)
class MonthField(serializers.Field):
    def to_internal_value(self, data: Any) -> dt.date:
        try:
            return parse_month(data)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages[0], code="invalid_month") from exc

    def to_representation(self, value: dt.date) -> str:
        return value.isoformat()


class IndicatorValueSerializer(ModelSerializer):
    """A value with its ratio and its soft-rule warnings (computed for the whole page in one query)."""

    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    month = MonthField()
    value = serializers.SerializerMethodField(method_name="value_of")
    warnings = serializers.SerializerMethodField()
    is_baseline = serializers.BooleanField(read_only=True)
    answers = serializers.ListField(child=serializers.BooleanField(), required=False, allow_empty=True)
    numerator = serializers.DecimalField(max_digits=30, decimal_places=10, required=False, allow_null=True)
    denominator = serializers.DecimalField(max_digits=30, decimal_places=10, required=False, allow_null=True)
    count = serializers.IntegerField(required=False, allow_null=True)
    explanation = TextField(required=False, allow_blank=True, max_length=2000)
    # Only a reviewer's correction while the month's report is in review needs one; kept in the history.
    reason = TextField(
        write_only=True, required=False, allow_blank=True, max_length=2000, help_text="更正原因"
    )

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator",
            "indicator_code",
            "hospital",
            "unit",
            "month",
            "is_baseline",
            "numerator",
            "denominator",
            "count",
            "answers",
            "value",
            "explanation",
            "warnings",
            "reason",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = ["updated_at", "updated_by"]
        # Uniqueness is the service's business (it replaces the month's value); no extra validator query.
        validators: list[Any] = []

    def value_of(self, obj: IndicatorValue) -> str | None:
        if obj.numerator is not None and obj.denominator:
            return str(round(obj.numerator / obj.denominator, 6))
        return None if obj.count is None else str(obj.count)

    def get_warnings(self, obj: IndicatorValue) -> list[dict[str, Any]]:
        warnings = self.context.get("warnings")
        if warnings is None:
            warnings = indicator_value_warnings([obj])
        return [w.as_dict() for w in warnings.get(obj.pk, [])]


class IndicatorValueFilter(django_filters.FilterSet):
    campaign = VisibleCampaignFilter(field_name="indicator__campaign")
    indicator_code = django_filters.CharFilter(field_name="indicator__code")
    banner = django_filters.NumberFilter(method="filter_banner", label="旗(区)")
    level = django_filters.ChoiceFilter(field_name="hospital__level", choices=Hospital.Level.choices)
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "hospital", "unit", "month"]

    def filter_banner(
        self, queryset: QuerySet[IndicatorValue], name: str, value: int
    ) -> QuerySet[IndicatorValue]:
        return queryset.filter(Q(hospital__banner=value) | Q(unit=value))


class IndicatorValueViewSet(viewsets.ModelViewSet):
    """Values of the campaign's year. Create replaces the month's value if there is one (as the template
    does); update changes the figures or the explanation; every write goes through the service."""

    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    ordering_fields = ["month", "updated_at"]
    baseline = False

    def get_queryset(self) -> QuerySet[IndicatorValue]:
        qs = indicator_value_list(self.request.user)
        year = F("indicator__campaign__year") - 1 if self.baseline else F("indicator__campaign__year")
        return qs.filter(month__year=year)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "warnings": getattr(self, "_warnings", None)}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        self._warnings = indicator_value_warnings(rows)
        serializer = self.get_serializer(rows, many=True)
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)

    def _check_year(self, indicator: Indicator, month: dt.date) -> None:
        year = indicator.campaign.year - 1 if self.baseline else indicator.campaign.year
        if month.year != year:
            what = (
                f"基线须为上年({year}年)的月份"
                if self.baseline
                else f"指标值须为{year}年的月份；上年基线请在“基线”中填写"
            )
            raise ValidationError({"month": [ValidationError(f"{what}。", code="month_outside_campaign")]})

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        indicator = Indicator.objects.select_related("campaign__league").get(pk=data["indicator"].pk)
        self._check_year(indicator, data["month"])
        serializer.instance = indicator_value_save(
            actor=self.request.user,
            channel=ChangeRecord.Channel.API,
            indicator=indicator,
            month=data["month"],
            hospital=data.get("hospital"),
            unit=data.get("unit"),
            explanation=data.get("explanation"),
            reason=data.get("reason", ""),
            **{f: data.get(f) for f in FIGURES},
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        value: IndicatorValue = serializer.instance  # type: ignore[assignment]
        data = serializer.validated_data
        figures = {f: data[f] if f in data else getattr(value, f) for f in FIGURES}
        serializer.instance = indicator_value_update(
            actor=self.request.user,
            channel=ChangeRecord.Channel.API,
            value=value,
            owner={k: data[k] for k in ("indicator", "hospital", "unit", "month") if k in data},
            explanation=data.get("explanation"),
            reason=data.get("reason", ""),
            **figures,
        )

    def perform_destroy(self, instance: IndicatorValue) -> None:
        indicator_value_delete(actor=self.request.user, channel=ChangeRecord.Channel.API, value=instance)

    @extend_schema(request=None, responses=ChangeRecordSerializer(many=True))
    # The whole history, not paginated (and so documented).
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        value = self.get_object()
        return Response(ChangeRecordSerializer(history_of(value), many=True).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=IndicatorValueSerializer)
    @action(detail=True, methods=["post"])
    def explain(self, request: Request, pk: str | None = None) -> Response:
        value = self.get_object()
        body = request.data if isinstance(request.data, dict) else {}
        explanation = str(body.get("explanation", ""))
        value = indicator_value_explain(
            actor=request.user,
            channel=ChangeRecord.Channel.API,
            value=value,
            explanation=explanation,
            reason=str(body.get("reason", "")),
        )
        return Response(self.get_serializer(value).data)


class IndicatorBaselineViewSet(IndicatorValueViewSet):
    """Last year's values (the baseline), entered the same way as this year's."""

    baseline = True


# ---------------------------------------------------------------------------------- figures, targets


def int_param(request: Request, name: str) -> int | None:
    """An integer query parameter, None when absent; a clear 400 (never a 500) when it is not a number."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(str(raw))
    except ValueError:
        raise ValidationError({name: [ValidationError(f"参数 {name} 须为整数。", code="invalid")]}) from None


def _campaign(request: Request) -> Campaign:
    campaign_id = int_param(request, "campaign")
    if campaign_id:
        return get_object_or_404(campaigns_visible_to(request.user), pk=campaign_id)
    campaign = campaign_current(request.user)
    if campaign is None:
        raise ValidationError({"campaign": [ValidationError("尚无活动。", code="no_campaign")]})
    return campaign


def _period(params: Any, campaign: Campaign) -> Period:
    """Raises ValueError on bad parameters (Period's constructors refuse what no date can hold)."""
    kind = params.get("period", "ytd")
    year = int(params.get("year") or campaign.year)
    if "start" in params or "end" in params:
        return Period(parse_month(params.get("start"), "start"), parse_month(params.get("end"), "end"))
    if kind == "quarter":
        quarter = int(params.get("quarter") or 1)
        if not 1 <= quarter <= 4:
            raise ValueError
        return Period.quarter(year, quarter)
    month = int(params.get("month") or 12)
    if kind == "month":
        return Period.month(year, month)
    if kind == "ytd":
        return Period.year_to_date(year, month)
    raise ValueError


def period_from(request: Request, campaign: Campaign) -> Period:
    try:
        period = _period(request.query_params, campaign)
        # Every figure is shown beside last year's: start/end in year 1 have none (date.replace refuses).
        period.previous_year()
        return period
    except ValueError:
        pass
    raise ValidationError(
        {
            "period": [
                ValidationError(
                    "期间参数有误：period=month|quarter|ytd，或 start/end=YYYY-MM。", code="invalid_period"
                )
            ]
        }
    )


def scoped_units(request: Request) -> tuple[QuerySet[Hospital], QuerySet[OrgUnit]]:
    """The hospitals and banners the user may see, narrowed by ``hospital`` / ``banner`` parameters."""
    user = request.user
    hospitals = hospitals_visible_to(user)
    banners = org_units_visible_to(user).filter(kind=OrgUnit.Kind.BANNER)
    if isinstance(user, User) and user.role == Role.HOSPITAL_REPORTER:
        banners = banners.none()  # banner-level figures are the banner's, not the hospital's (scope rule)
    hospital_id, banner_id = int_param(request, "hospital"), int_param(request, "banner")
    if hospital_id is not None:
        hospitals = hospitals.filter(pk=hospital_id)
        banners = banners.none()
    if banner_id is not None:
        hospitals = hospitals.filter(banner_id=banner_id)
        banners = banners.filter(pk=banner_id)
    return hospitals, banners


PERIOD_PARAMETERS = [
    OpenApiParameter("campaign", int),
    OpenApiParameter("period", str, enum=["month", "quarter", "ytd"]),
    OpenApiParameter("year", int),
    OpenApiParameter("month", int),
    OpenApiParameter("quarter", int),
    OpenApiParameter("start", str, description="YYYY-MM"),
    OpenApiParameter("end", str, description="YYYY-MM"),
    OpenApiParameter("hospital", int),
    OpenApiParameter("banner", int),
]


def _period_dict(period: Period) -> dict[str, str]:
    return {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label}


def figures_payload(
    campaign: Campaign, period: Period, hospitals: QuerySet[Hospital], banners: QuerySet[OrgUnit]
) -> dict[str, Any]:
    """The live answer of ``/indicator-figures/`` (the endpoint keeps it under the figures' versions)."""
    rows = indicator_comparisons(campaign=campaign, period=period, hospitals=hospitals, banners=banners)
    return {"campaign": campaign.pk, "period": _period_dict(period), "results": [r.as_dict() for r in rows]}


def evaluations_payload(
    campaign: Campaign, period: Period, hospitals: QuerySet[Hospital], banners: QuerySet[OrgUnit]
) -> dict[str, Any]:
    """The live answer of ``/indicator-evaluations/`` (the endpoint keeps it under the figures' versions)."""
    table = indicator_evaluations(campaign=campaign, hospitals=hospitals, banners=banners, period=period)
    return {
        "campaign": campaign.pk,
        "period": _period_dict(period),
        "units": [e.as_dict() for e in table.units],
        "banners": [e.as_dict() for e in table.banners],
        "league": [e.as_dict() for e in table.league],
    }


class IndicatorFigureViewSet(viewsets.ViewSet):
    """Each applicable (indicator, unit) in scope: this period, last year's same period, and the change."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> HttpResponse | Response:
        campaign = _campaign(request)
        period = period_from(request, campaign)
        hospitals, banners = scoped_units(request)
        return cached_json_response(
            request,
            "indicator-figures",
            figure_parts(campaign, period, hospitals, banners),
            figure_tables(),
            lambda: figures_payload(campaign, period, hospitals, banners),
        )


class IndicatorEvaluationViewSet(viewsets.ViewSet):
    """Target verdicts for a period: per unit, per banner, and for everything in scope ("league")."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> HttpResponse | Response:
        campaign = _campaign(request)
        period = period_from(request, campaign)
        hospitals, banners = scoped_units(request)
        return cached_json_response(
            request,
            "indicator-evaluations",
            figure_parts(campaign, period, hospitals, banners),
            figure_tables(),
            lambda: evaluations_payload(campaign, period, hospitals, banners),
        )

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=EXPORT_RESPONSES, summary="导出出成效指标表")
    @action(detail=False, methods=["get"], url_path="export", url_name="export")
    def export(self, request: Request) -> Response | FileResponse:
        return export_response(request, "indicator_table")


# ------------------------------------------------------------------------------------------ imports


class IndicatorImportSerializer(ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    month = MonthField(read_only=True)

    class Meta:
        model = IndicatorImport
        fields = [
            "id",
            "campaign",
            "hospital",
            "unit",
            "month",
            "kind",
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


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    campaign = VisibleCampaignField()
    hospital = serializers.PrimaryKeyRelatedField(
        queryset=Hospital.objects.select_related("banner"), required=False, allow_null=True
    )
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True)
    month = MonthField()


class BaselineUploadSerializer(serializers.Serializer):
    """The 12-month baseline workbook of one hospital or banner (no month: the sheets name theirs)."""

    file = serializers.FileField()
    campaign = VisibleCampaignField()
    hospital = serializers.PrimaryKeyRelatedField(
        queryset=Hospital.objects.select_related("banner"), required=False, allow_null=True
    )
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True)


def _owner_from(request: Request) -> tuple[Hospital | None, OrgUnit | None]:
    hospital_id, unit_id = int_param(request, "hospital"), int_param(request, "unit")
    if bool(hospital_id) == bool(unit_id):
        raise ValidationError(
            {"hospital": [ValidationError("请指定医院(hospital)或旗(区)(unit)之一。", code="required")]}
        )
    if hospital_id:
        return get_object_or_404(hospitals_visible_to(request.user), pk=hospital_id), None
    return None, get_object_or_404(
        org_units_visible_to(request.user).filter(kind=OrgUnit.Kind.BANNER), pk=unit_id
    )


class IndicatorImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Uploaded templates and their dry runs; upload and confirm are the two writes."""

    serializer_class = IndicatorImportSerializer
    filterset_class = campaign_filterset(IndicatorImport, ["campaign", "hospital", "unit", "month", "status"])

    def get_queryset(self) -> QuerySet[IndicatorImport]:
        qs = IndicatorImport.objects.order_by("-uploaded_at", "-id")
        return scope_queryset(qs, self.request.user, hospital_field="hospital", unit_field="unit")

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", int),
            OpenApiParameter("hospital", int),
            OpenApiParameter("unit", int),
            OpenApiParameter("month", str, description="YYYY-MM", required=True),
        ],
        responses={(200, XLSX_MIME): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"])
    def template(self, request: Request) -> HttpResponse:
        """The pre-filled template of one unit (in scope) and month; last year's months give the baseline."""
        campaign = _campaign(request)
        month = parse_month(request.query_params.get("month"))
        hospital, unit = _owner_from(request)
        content = indicator_template_build(campaign=campaign, month=month, hospital=hospital, unit=unit)
        code = hospital.code if hospital is not None else unit.code if unit is not None else ""
        response = HttpResponse(content, content_type=XLSX_MIME)
        response["Content-Disposition"] = f'attachment; filename="indicators-{code}-{month:%Y-%m}.xlsx"'
        return response

    @extend_schema(
        request={"multipart/form-data": UploadSerializer}, responses={201: IndicatorImportSerializer}
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request: Request) -> Response:
        """Dry run: 201 with every error by cell and every change old → new; a refused file is 400."""
        form = UploadSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        upload = data["file"]
        batch = indicator_import_create(
            actor=request.user,
            campaign=data["campaign"],
            month=data["month"],
            hospital=data.get("hospital"),
            unit=data.get("unit"),
            # One byte over the cap is enough for the service to refuse; a huge upload is never read whole.
            data=upload.read(settings.XLSX_UPLOAD_MAX_BYTES + 1),
            file_name=upload.name or "",
        )
        return Response(IndicatorImportSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", int),
            OpenApiParameter("hospital", int),
            OpenApiParameter("unit", int),
        ],
        responses={(200, XLSX_MIME): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], url_path="baseline-template")
    def baseline_template(self, request: Request) -> HttpResponse:
        """Last year's 12 months of one unit (in scope) in one workbook, a sheet per month, pre-filled."""
        campaign = _campaign(request)
        hospital, unit = _owner_from(request)
        content = baseline_template_build(campaign=campaign, hospital=hospital, unit=unit)
        code = hospital.code if hospital is not None else unit.code if unit is not None else ""
        response = HttpResponse(content, content_type=XLSX_MIME)
        response["Content-Disposition"] = f'attachment; filename="baseline-{code}-{campaign.year - 1}.xlsx"'
        return response

    @extend_schema(
        request={"multipart/form-data": BaselineUploadSerializer}, responses={201: IndicatorImportSerializer}
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="baseline-upload",
        parser_classes=[MultiPartParser, FormParser],
    )
    def baseline_upload(self, request: Request) -> Response:
        """Dry run of the 12-month baseline workbook: 201 with every error by sheet and cell and every
        change old → new with its month; a refused file is 400. ``…/{id}/confirm/`` writes all 12 months
        or nothing."""
        form = BaselineUploadSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        upload = data["file"]
        batch = baseline_import_create(
            actor=request.user,
            campaign=data["campaign"],
            hospital=data.get("hospital"),
            unit=data.get("unit"),
            data=upload.read(settings.XLSX_UPLOAD_MAX_BYTES + 1),
            file_name=upload.name or "",
        )
        return Response(IndicatorImportSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=IndicatorImportSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        batch = self.get_object()
        indicator_import_confirm(actor=request.user, batch=batch)
        batch.refresh_from_db()
        return Response(IndicatorImportSerializer(batch).data)


def register(router: DefaultRouter) -> None:
    router.register("indicator-values", IndicatorValueViewSet, basename="indicator-value")
    router.register("indicator-baselines", IndicatorBaselineViewSet, basename="indicator-baseline")
    router.register("indicator-figures", IndicatorFigureViewSet, basename="indicator-figure")
    router.register("indicator-evaluations", IndicatorEvaluationViewSet, basename="indicator-evaluation")
    router.register("indicator-imports", IndicatorImportViewSet, basename="indicator-import")
