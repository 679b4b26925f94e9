"""/api/v1/region-rollup/: the rollup per league, and its workbook (``export/``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api import SingleObjectListSchema
from exports.api import EXPORT_RESPONSES, export_response
from reporting.region.selectors import region_rollup, region_rollup_allowed
from reporting.region.workbook import CODE

REFUSED = "全区汇总仅供自治区审核员、盟(市)审核员和管理员查看。"


class KindCountSerializer(serializers.Serializer):
    kind = serializers.CharField()
    count = serializers.IntegerField()


class LeagueRollupSerializer(serializers.Serializer):
    league = serializers.IntegerField()
    league_code = serializers.CharField()
    league_name = serializers.CharField()
    campaign = serializers.IntegerField(allow_null=True)
    campaign_name = serializers.CharField(allow_null=True)
    hospitals = serializers.IntegerField()
    lectures = serializers.IntegerField()
    lectures_by_kind = KindCountSerializer(many=True)
    bulletin_month = serializers.DateField(allow_null=True)
    milestones_met = serializers.IntegerField()
    milestones_due = serializers.IntegerField()
    milestone_rate = serializers.FloatField(allow_null=True)
    report_months = serializers.IntegerField()
    reports_on_time = serializers.IntegerField()
    reports_late = serializers.IntegerField()
    reports_missing = serializers.IntegerField()
    punctuality_rate = serializers.FloatField(allow_null=True)
    indicators_met = serializers.IntegerField()
    indicators_judged = serializers.IntegerField()
    indicator_rate = serializers.FloatField(allow_null=True)
    evaluated = serializers.IntegerField()
    evaluation_mean = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    evaluation_commended = serializers.IntegerField()
    evaluation_built_at = serializers.DateTimeField(allow_null=True)
    evaluation_published_at = serializers.DateTimeField(allow_null=True)


class RegionRollupSerializer(serializers.Serializer):
    on = serializers.DateField()
    kinds = serializers.ListField(child=serializers.CharField())
    leagues = LeagueRollupSerializer(many=True)


class RegionRollupViewSet(viewsets.ViewSet):
    """Per league of the requester's scope (the region reviewer and the admin: every league; a league
    reviewer: its own), as of the clock's today: lectures by kind, milestone compliance and indicators
    met (from the league's latest published bulletin), report punctuality and the December evaluation."""

    schema = SingleObjectListSchema()  # its list is one rollup object, not an array of rows

    @extend_schema(responses={200: RegionRollupSerializer})
    def list(self, request: Request) -> Response:
        if not region_rollup_allowed(request.user):
            raise PermissionDenied(REFUSED)
        rollup = region_rollup(user=request.user)
        body = {"on": rollup.on, "kinds": rollup.kinds, "leagues": [r.as_dict() for r in rollup.leagues]}
        return Response(RegionRollupSerializer(body).data)

    @extend_schema(responses=EXPORT_RESPONSES)
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> Response | FileResponse:
        if not region_rollup_allowed(request.user):
            raise PermissionDenied(REFUSED)
        return export_response(request, CODE)


def register(router: DefaultRouter) -> None:
    router.register("region-rollup", RegionRollupViewSet, basename="region-rollup")
