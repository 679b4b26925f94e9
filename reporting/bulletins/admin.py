from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from reporting.bulletins.models import Bulletin
from reporting.bulletins.services import bulletin_publish
from reporting.reports.admin import ADMIN, _each


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["month", "campaign", "status", "built_at", "published_at", "workbook"]
    list_filter = ["status", "campaign"]
    actions = ["publish"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # built by the monthly rollup or the API

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="发布所选通报")
    def publish(self, request: HttpRequest, queryset: QuerySet[Bulletin]) -> None:
        _each(
            request,
            queryset,
            lambda b: bulletin_publish(bulletin_id=b.pk, actor=request.user, channel=ADMIN),
            "已发布",
        )
