"""/api/v1/notifications/: a user's in-app notifications."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api import MAX_ID, ModelSerializer, validated
from reporting.notices.models import Notification
from reporting.notices.selectors import notifications_for
from reporting.notices.services import notification_mark_read

MarkReadResultSerializer = inline_serializer(
    "MarkReadResult", fields={"marked": serializers.IntegerField(help_text="标为已读的条数")}
)


class NotificationSerializer(ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False)


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own notifications, newest first; ``?unread=1`` for the unread ones."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        qs = notifications_for(self.request.user).order_by("-created_at", "-id")
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(request=MarkReadSerializer, responses=MarkReadResultSerializer)
    @action(detail=False, methods=["post"], url_path="mark-read", serializer_class=MarkReadSerializer)
    def mark_read(self, request: Request) -> Response:
        ids = validated(MarkReadSerializer, request).get("ids")
        return Response({"marked": notification_mark_read(user=request.user, notification_ids=ids)})


def register(router: DefaultRouter) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
