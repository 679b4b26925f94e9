"""Admin for reports, bulletins, evaluations, notifications and the send log. Thin: every action calls
the same service as the API and the pages, and shows its refusal as a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from hospitals.admin import ScopedAdminMixin
from hospitals.models import ChangeRecord
from reporting.reports.models import MonthlyReport, ReviewComment, UnlockRequest
from reporting.reports.selectors import report_lock_state
from reporting.reports.services import (
    report_approve,
    report_banner_review,
    report_return,
    reports_bulk_approve,
)

ADMIN = ChangeRecord.Channel.ADMIN


def _each(request: HttpRequest, queryset: QuerySet[Any], action: Callable[[Any], object], done: str) -> None:
    ok = 0
    for obj in queryset:
        try:
            action(obj)
            ok += 1
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, f"{obj}：{text}")
    if ok:
        messages.success(request, f"{done} {ok} 份。")


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["hospital", "month", "status", "late_days", "lock_state", "submitted_at", "return_count"]
    list_filter = [
        "status",
        "month",
        "hospital__banner",
        "hospital__level",
        ("campaign", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["hospital__name", "hospital__code"]
    list_select_related = ["hospital__banner", "campaign"]
    date_hierarchy = "month"
    actions = ["banner_review", "approve", "bulk_approve", "return_report"]
    readonly_fields = [
        "campaign",
        "hospital",
        "month",
        "status",
        "problems",
        "corrections",
        "first_submitted_at",
        "submitted_at",
        "late_days",
        "banner_reviewed_at",
        "banner_reviewed_by",
        "approved_at",
        "approved_by",
        "return_count",
        "unlocked_until",
        "lock_state",
    ]

    @admin.display(description="锁定状态")
    def lock_state(self, obj: MonthlyReport) -> str:
        return report_lock_state(obj).message

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a report is opened by its hospital, through the service

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # every change is a transition: use the actions

    @admin.action(description="初审通过所选报告")
    def banner_review(self, request: HttpRequest, queryset: QuerySet[MonthlyReport]) -> None:
        _each(
            request,
            queryset,
            lambda r: report_banner_review(report_id=r.pk, actor=request.user, channel=ADMIN),
            "已初审通过",
        )

    @admin.action(description="审核通过所选报告")
    def approve(self, request: HttpRequest, queryset: QuerySet[MonthlyReport]) -> None:
        _each(
            request,
            queryset,
            lambda r: report_approve(report_id=r.pk, actor=request.user, channel=ADMIN),
            "已审核通过",
        )

    @admin.action(description="批量审核通过(跳过有提示的报告)")
    def bulk_approve(self, request: HttpRequest, queryset: QuerySet[MonthlyReport]) -> None:
        try:
            result = reports_bulk_approve(
                report_ids=list(queryset.values_list("pk", flat=True)), actor=request.user, channel=ADMIN
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return
        messages.success(request, f"已审核通过 {len(result.approved)} 份。")
        for report_id, reason in result.skipped.items():
            messages.warning(request, f"报告 #{report_id} 未通过：{reason}")

    @admin.action(description="退回所选报告(原因：请按审核意见修改)")
    def return_report(self, request: HttpRequest, queryset: QuerySet[MonthlyReport]) -> None:
        _each(
            request,
            queryset,
            lambda r: report_return(
                report_id=r.pk, actor=request.user, channel=ADMIN, reason="请按审核意见修改后重新提交。"
            ),
            "已退回",
        )


@admin.register(UnlockRequest)
class UnlockRequestAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_hospital_field = "report__hospital"
    list_display = ["report", "status", "requested_by", "requested_at", "until", "decided_by"]
    list_filter = ["status", "report__hospital__banner", "report__month"]
    list_select_related = ["report__hospital", "requested_by", "decided_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReviewComment)
class ReviewCommentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_hospital_field = "review__report__hospital"
    list_display = ["review", "item_kind", "item_label", "text"]
    list_filter = ["item_kind", "review__report__hospital__banner"]
    list_select_related = ["review__report__hospital"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
