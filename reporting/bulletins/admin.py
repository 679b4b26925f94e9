from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from reporting.bulletins.models import Bulletin
from reporting.bulletins.selectors import bulletins_visible_to
from reporting.bulletins.services import bulletin_publish
from reporting.reports.admin import ADMIN, _each


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["month", "campaign", "status", "built_at", "published_at", "workbook"]
    list_filter = ["status", ("campaign", admin.RelatedOnlyFieldListFilter)]
    actions = ["publish"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Bulletin]:
        """The bulletins the user may read (its own league's; drafts for its league reviewers)."""
        return bulletins_visible_to(request.user)

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
