"""Forms of the monthly report, its review and unlock requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from campaign.calendar import report_months
from campaign.models import Campaign
from core.forms import DateInput, PlainSelect, TextField
from hospitals.models import Hospital, OrgUnit
from hospitals.selectors import AnyUser, org_units_visible_to
from reporting.reports.models import MonthlyReport
from reporting.reports.services import CommentInput


class ReportForm(forms.Form):
    problems = TextField(
        label="存在问题", required=False, widget=forms.Textarea({"rows": 3}), help_text="没有问题请填“无”。"
    )
    corrections = TextField(label="整改措施", required=False, widget=forms.Textarea({"rows": 3}))


class UnlockRequestForm(forms.Form):
    reason = TextField(label="申请解锁的理由", widget=forms.Textarea({"rows": 2}))


class ReviewActionForm(forms.Form):
    reason = TextField(label="审核意见", required=False, widget=forms.Textarea({"rows": 2}))


class ReturnForm(forms.Form):
    """A return: an overall reason and, per item of the report, the reason that concerns it."""

    reason = TextField(label="退回原因(整体)", required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, contents: dict[str, dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(contents.items())
        for index, (_, item) in enumerate(self.items):
            self.fields[f"item_{index}"] = TextField(
                label=item.get("label", ""),
                required=False,
                widget=forms.TextInput({"placeholder": "该项退回原因"}),
            )

    def item_fields(self) -> list[tuple[str, dict[str, Any], forms.BoundField]]:
        return [(key, item, self[f"item_{i}"]) for i, (key, item) in enumerate(self.items)]

    def comments(self) -> list[CommentInput]:
        result = []
        for index, (key, item) in enumerate(self.items):
            text = self.cleaned_data.get(f"item_{index}", "").strip()
            if text:
                result.append(
                    CommentInput(
                        text=text,
                        item_kind=item.get("kind", "general"),
                        item_key=key,
                        item_label=item.get("label", ""),
                    )
                )
        return result


class QueueFilterForm(forms.Form):
    month = forms.TypedChoiceField(
        label="月份", required=False, coerce=dt.date.fromisoformat, empty_value=None
    )
    banner = forms.ModelChoiceField(
        OrgUnit.objects.none(), label="旗区", required=False, empty_label="全部", widget=PlainSelect
    )
    level = forms.ChoiceField(label="等级", required=False, choices=[("", "全部"), *Hospital.Level.choices])
    status = forms.ChoiceField(label="状态", required=False)
    late = forms.BooleanField(label="仅逾期", required=False)

    PENDING = "pending"

    def __init__(self, *args: Any, user: AnyUser, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The status shown is the status applied: without one in the URL the queue holds the reports
        # waiting for this reviewer, and the select says so (also when other filters are set).
        self.initial.setdefault("status", self.PENDING)
        if self.is_bound and "status" not in self.data:
            data = QueryDict(mutable=True)
            for key in self.data:
                data.setlist(
                    key, self.data.getlist(key) if isinstance(self.data, QueryDict) else [self.data[key]]
                )
            data["status"] = self.PENDING
            self.data = data
        fields: Any = self.fields
        fields["month"].choices = [("", "全部")] + [
            (m.isoformat(), f"{m:%Y年%m月}") for m in report_months(campaign)
        ]
        fields["banner"].queryset = (
            org_units_visible_to(user).filter(kind=OrgUnit.Kind.BANNER).order_by("code")
        )
        fields["status"].choices = [(self.PENDING, "待我审核"), ("", "全部"), *MonthlyReport.Status.choices]

    def filter(self, reports: QuerySet[MonthlyReport], pending: list[str]) -> QuerySet[MonthlyReport]:
        data = self.cleaned_data
        status = data.get("status", self.PENDING)
        if status == self.PENDING:
            reports = reports.filter(status__in=pending)
        elif status:
            reports = reports.filter(status=status)
        if data.get("month"):
            reports = reports.filter(month=data["month"])
        if data.get("banner"):
            reports = reports.filter(hospital__banner=data["banner"])
        if data.get("level"):
            reports = reports.filter(hospital__level=data["level"])
        if data.get("late"):
            reports = reports.filter(late_days__gt=0)
        return reports


class UnlockDecisionForm(forms.Form):
    request_id = forms.IntegerField(label="解锁申请", widget=forms.HiddenInput)
    until = forms.DateField(label="解锁至", required=False, widget=DateInput)
    note = TextField(label="处理意见", required=False)
