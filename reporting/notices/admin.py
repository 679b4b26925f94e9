from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from hospitals.admin import ScopedAdminMixin
from reporting.notices.models import Notification, SendLog
from reporting.notices.services import notification_mark_read


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Each user sees their own notifications; opening the list does not mark them read, the action does."""

    list_display = ["title", "kind", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    actions = ["mark_read"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        return super().get_queryset(request).filter(user_id=request.user.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_active and request.user.is_staff

    @admin.action(description="标记为已读")
    def mark_read(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notification_mark_read(
            user=request.user, notification_ids=queryset.values_list("pk", flat=True)
        )
        messages.success(request, f"已标记 {count} 条为已读。")


@admin.register(SendLog)
class SendLogAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["sent_at", "target", "step", "channel", "hospital", "recipients"]
    list_filter = ["channel", "step", "hospital__banner"]
    search_fields = ["target", "recipients", "subject"]
    list_select_related = ["hospital"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deleting a row would let the reminder go out again
