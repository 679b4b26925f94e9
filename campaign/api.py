"""Catalogue endpoints: read-only, visible to every signed-in user (they are the campaign's rules)."""

from rest_framework import viewsets
from rest_framework.routers import DefaultRouter

from .models import ActionTask, Campaign, Indicator, KeyDocument, Layer, LectureKind
from .serializers import (
    ActionTaskSerializer,
    CampaignSerializer,
    IndicatorSerializer,
    KeyDocumentSerializer,
    LayerSerializer,
    LectureKindSerializer,
)


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Campaign.objects.prefetch_related("milestones").order_by("-year", "code")
    serializer_class = CampaignSerializer
    filterset_fields = ["year", "league"]


class KeyDocumentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = KeyDocument.objects.order_by("campaign", "number")
    serializer_class = KeyDocumentSerializer
    filterset_fields = ["campaign"]


class LayerViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Layer.objects.order_by("campaign", "order")
    serializer_class = LayerSerializer
    filterset_fields = ["campaign"]


class LectureKindViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = LectureKind.objects.order_by("campaign", "order")
    serializer_class = LectureKindSerializer
    filterset_fields = ["campaign"]


class ActionTaskViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ActionTask.objects.select_related("area").order_by("campaign", "code")
    serializer_class = ActionTaskSerializer
    filterset_fields = ["campaign", "area", "applies_to"]


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Indicator.objects.order_by("campaign", "order")
    serializer_class = IndicatorSerializer
    filterset_fields = ["campaign", "value_type", "reporting_level", "applies_to", "target_kind"]


def register(router: DefaultRouter) -> None:
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("key-documents", KeyDocumentViewSet, basename="key-document")
    router.register("layers", LayerViewSet, basename="layer")
    router.register("lecture-kinds", LectureKindViewSet, basename="lecture-kind")
    router.register("action-tasks", ActionTaskViewSet, basename="action-task")
    router.register("indicators", IndicatorViewSet, basename="indicator")
