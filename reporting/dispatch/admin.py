"""Admin of the banners' 调度 reports and the league's visits. Thin: a report changes only through the
actions (the services of the API and the pages); a visit is recorded, corrected and deleted through its
services, its refusals shown on the form."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from campaign.admin import ServiceAdmin, ServiceForm
from campaign.selectors import lecture_list
from hospitals.admin import ScopedAdminMixin
from hospitals.models import ChangeRecord
from reporting.dispatch.models import DispatchReport, DispatchReportFile, LeagueVisit
from reporting.dispatch.services import (
    dispatch_report_mark_read,
    dispatch_report_return,
    league_visit_check,
    league_visit_create,
    league_visit_delete,
    league_visit_update,
)
from reporting.reports.admin import _each

ADMIN = ChangeRecord.Channel.ADMIN


class DispatchFileInline(admin.TabularInline):
    model = DispatchReportFile
    extra = 0
    can_delete = False
    fields = ["original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DispatchReport)
class DispatchReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_hospital_field = None
    scope_unit_field = "banner"
    list_display = ["banner", "month", "status", "late_days", "submitted_at", "return_count", "read_at"]
    list_filter = ["status", "month", ("banner", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["banner", "campaign"]
    actions = ["mark_read", "return_report"]
    inlines = [DispatchFileInline]
    readonly_fields = [
        "campaign",
        "banner",
        "month",
        "status",
        "text",
        "first_submitted_at",
        "submitted_at",
        "late_days",
        "return_count",
        "return_reason",
        "returned_at",
        "read_at",
        "read_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a report is written by its banner, on the pages or the API

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # every change is a transition: use the actions

    @admin.action(description="标记所选调度报告为已阅")
    def mark_read(self, request: HttpRequest, queryset: QuerySet[DispatchReport]) -> None:
        _each(
            request,
            queryset,
            lambda r: dispatch_report_mark_read(actor=request.user, channel=ADMIN, report=r),
            "已阅",
        )

    @admin.action(description="退回所选调度报告(原因：请补充调度情况后重新报送)")
    def return_report(self, request: HttpRequest, queryset: QuerySet[DispatchReport]) -> None:
        _each(
            request,
            queryset,
            lambda r: dispatch_report_return(
                actor=request.user, channel=ADMIN, report=r, reason="请补充调度情况后重新报送。"
            ),
            "已退回",
        )


class LeagueVisitForm(ServiceForm):
    class Meta:
        model = LeagueVisit
        fields = ["lecture", "visited_on", "attendees", "note"]

    def check(self, cleaned: dict[str, Any]) -> None:
        visit = self.instance if self.instance.pk else None
        league_visit_check(
            actor=self.actor,
            lecture=visit.lecture if visit is not None else cleaned["lecture"],
            visited_on=cleaned.get("visited_on"),
            attendees=cleaned.get("attendees", ""),
            visit=visit,
        )


@admin.register(LeagueVisit)
class LeagueVisitAdmin(ServiceAdmin):
    form = LeagueVisitForm
    scope_hospital_field = None
    scope_unit_field = "lecture__org_unit"
    # Only banners' 集中宣讲 in the user's scope can be picked.
    scoped_choices = {"lecture": lambda user: lecture_list(user=user).filter(org_unit__isnull=False)}
    list_display = ["visited_on", "lecture", "attendees", "campaign"]
    list_select_related = ["lecture", "campaign"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["lecture"] if obj is not None else []

    def create(self, request: HttpRequest, form: Any) -> LeagueVisit:
        c = form.cleaned_data
        return league_visit_create(
            actor=request.user,
            channel=ADMIN,
            lecture=c["lecture"],
            visited_on=c["visited_on"],
            attendees=c["attendees"],
            note=c.get("note", ""),
        )

    def update(self, request: HttpRequest, obj: LeagueVisit, form: Any) -> LeagueVisit:
        c = form.cleaned_data
        return league_visit_update(
            actor=request.user,
            channel=ADMIN,
            visit=LeagueVisit.objects.get(pk=obj.pk),
            visited_on=c["visited_on"],
            attendees=c["attendees"],
            note=c.get("note", ""),
        )

    def delete(self, request: HttpRequest, obj: LeagueVisit) -> None:
        league_visit_delete(actor=request.user, channel=ADMIN, visit=obj)
