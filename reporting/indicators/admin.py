"""Admin for indicator values and imports. Saves and deletes go through the same services as the API, so
the admin can neither skip a hard rule nor write without history; changelists are scoped."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from core.forms import TextField
from core.monthlock import require_month_editable
from core.pages import add_service_error
from core.refusals import Refusals
from hospitals.models import ChangeRecord
from hospitals.selectors import scope_queryset
from reporting.indicators.models import IndicatorImport, IndicatorValue
from reporting.indicators.services import (
    indicator_value_clean,
    indicator_value_delete,
    indicator_value_save,
    require_owner_in_scope,
)


class IndicatorValueForm(forms.ModelForm):
    """Shows a refused value on the form: the service's hard rules run in ``clean``."""

    request_user: Any = None
    # Only a reviewer's correction while the month's report is in review needs one; kept in the history.
    reason = TextField(
        label="更正原因",
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text="报告审核中，审核员更正须填写原因，记入变更记录并告知医院。",
    )

    class Meta:
        model = IndicatorValue
        fields = [
            "indicator",
            "hospital",
            "unit",
            "month",
            "numerator",
            "denominator",
            "count",
            "answers",
            "explanation",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # On a change the owner, indicator and month are read-only: take them from the instance.
        fixed = {
            name: data.get(name) if name in self.fields else getattr(self.instance, name, None)
            for name in ("indicator", "hospital", "unit", "month")
        }
        if fixed["indicator"] is None or fixed["month"] is None:
            return data
        try:
            require_owner_in_scope(self.request_user, fixed["hospital"], fixed["unit"])
        except PermissionDenied as exc:
            raise ValidationError(str(exc), code="permission_denied") from exc
        # The month's lock (on top) and the figures' rules (beside their fields) are shown together.
        refusals = Refusals()
        with refusals.collect():
            require_month_editable(
                fixed["hospital"], fixed["month"], actor=self.request_user, reason=data.get("reason", "")
            )
        with refusals.collect():
            indicator_value_clean(
                indicator=fixed["indicator"],
                month=fixed["month"],
                hospital=fixed["hospital"],
                unit=fixed["unit"],
                numerator=data.get("numerator"),
                denominator=data.get("denominator"),
                count=data.get("count"),
                answers=data.get("answers") or None,
            )
        try:
            refusals.raise_if_any()
        except ValidationError as exc:
            add_service_error(self, exc)  # a field the form does not show: on top
        return data


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    form = IndicatorValueForm
    list_display = [
        "month",
        "indicator",
        "hospital",
        "unit",
        "numerator",
        "denominator",
        "count",
        "answers",
        "updated_at",
    ]
    list_filter = [
        "month",
        ("indicator__campaign", admin.RelatedOnlyFieldListFilter),
        "indicator",
        "hospital__banner",
        "hospital__level",
        "unit",
    ]
    search_fields = ["indicator__code", "indicator__name", "hospital__name", "unit__name"]
    list_select_related = ["indicator", "hospital", "unit"]
    autocomplete_fields = ["hospital"]
    date_hierarchy = "month"
    readonly_fields = ["updated_by", "updated_at", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[IndicatorValue]:
        qs = super().get_queryset(request)
        return scope_queryset(qs, request.user, hospital_field="hospital", unit_field="unit")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A value belongs to one unit, indicator and month for good; a wrong one is deleted and re-entered.
        fixed = ["indicator", "hospital", "unit", "month"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user  # type: ignore[attr-defined]
        return form

    def save_model(self, request: HttpRequest, obj: IndicatorValue, form: Any, change: bool) -> None:
        saved = indicator_value_save(
            actor=request.user,
            channel=ChangeRecord.Channel.ADMIN,
            indicator=obj.indicator,
            month=obj.month,
            hospital=obj.hospital,
            unit=obj.unit,
            numerator=obj.numerator,
            denominator=obj.denominator,
            count=obj.count,
            answers=obj.answers or None,
            explanation=obj.explanation,
            reason=form.cleaned_data.get("reason", ""),
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: IndicatorValue) -> None:
        indicator_value_delete(actor=request.user, channel=ChangeRecord.Channel.ADMIN, value=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[IndicatorValue]) -> None:
        for value in queryset:
            indicator_value_delete(actor=request.user, channel=ChangeRecord.Channel.ADMIN, value=value)


@admin.register(IndicatorImport)
class IndicatorImportAdmin(admin.ModelAdmin):
    """Uploads are made and confirmed through the API and pages; the admin shows them."""

    list_display = ["uploaded_at", "hospital", "unit", "month", "status", "file_name", "uploaded_by"]
    list_filter = ["status", "month", "hospital__banner", "hospital__level"]
    list_select_related = ["hospital", "unit", "uploaded_by"]
    readonly_fields = [f.name for f in IndicatorImport._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[IndicatorImport]:
        qs = super().get_queryset(request)
        return scope_queryset(qs, request.user, hospital_field="hospital", unit_field="unit")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
