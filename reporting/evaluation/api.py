"""/api/v1/evaluations/: the December evaluation, its build and export."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from campaign.serializers import VisibleCampaignField
from core.api import ModelSerializer, validated
from exports.api import XlsxExportMixin
from hospitals.models import ChangeRecord
from hospitals.selectors import scope_queryset
from reporting.evaluation.filters import EvaluationFilter
from reporting.evaluation.models import Evaluation
from reporting.evaluation.services import evaluation_build

API = ChangeRecord.Channel.API


class EvaluationSerializer(ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "campaign",
            "hospital",
            "hospital_name",
            "lecture_score",
            "action_score",
            "outcome_score",
            "total_score",
            "rank",
            "proposed_commendation",
            "details",
            "built_at",
        ]
        read_only_fields = fields


class EvaluationBuildSerializer(serializers.Serializer):
    campaign = VisibleCampaignField()


class EvaluationViewSet(XlsxExportMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter
    export_kind = "evaluation"

    def get_queryset(self) -> QuerySet[Evaluation]:
        qs = Evaluation.objects.select_related("hospital").order_by("campaign", "rank", "hospital__code")
        return scope_queryset(qs, self.request.user)

    @extend_schema(request=EvaluationBuildSerializer, responses={201: EvaluationSerializer(many=True)})
    # Answers every evaluated row of the campaign in scope, not a page (and so documented).
    @action(detail=False, methods=["post"], serializer_class=EvaluationBuildSerializer, pagination_class=None)
    def build(self, request: Request) -> Response:
        campaign = validated(EvaluationBuildSerializer, request)["campaign"]
        evaluation_build(campaign_id=campaign.pk, actor=request.user, channel=API)
        rows = self.get_queryset().filter(campaign=campaign)
        return Response(EvaluationSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


def register(router: DefaultRouter) -> None:
    router.register("evaluations", EvaluationViewSet, basename="evaluation")
