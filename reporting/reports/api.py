"""API of the report workflow, bulletins, the evaluation and notifications. Thin: each action validates
its input shape and calls one service; the service holds the rule (role, scope, state) and its refusal
becomes the API's 400/403 error body."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from campaign.filters import campaign_filterset
from core.api import MAX_ID, ModelSerializer, TextField, validated
from hospitals.models import ChangeRecord, Hospital
from hospitals.serializers import ChangeRecordSerializer
from reporting.reports.models import MonthlyReport, ReviewComment, UnlockRequest
from reporting.reports.selectors import (
    report_changes_since_last_review,
    report_contents,
    report_history,
    report_lock_state,
    report_open_comments,
    report_open_warnings,
    reports_visible_to,
    unlock_requests_visible_to,
)
from reporting.reports.services import (
    CommentInput,
    report_approve,
    report_banner_review,
    report_get_or_create,
    report_return,
    report_submit,
    report_unlock_grant,
    report_unlock_refuse,
    report_unlock_request,
    report_update,
    reports_bulk_approve,
)

API = ChangeRecord.Channel.API


class LockStateSerializer(serializers.Serializer):
    """``LockState.as_dict()``: documents the shape, never used to write."""

    locked = serializers.BooleanField()
    reason = serializers.ChoiceField(
        choices=["in_review", "approved", "past_lock_day", "unlock_expired", "unlocked_until", "open"]
    )
    until = serializers.DateField(allow_null=True)
    message = serializers.CharField()


class MonthlyReportSerializer(ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    banner_name = serializers.CharField(source="hospital.banner.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_late = serializers.BooleanField(read_only=True)
    lock_state = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "campaign",
            "hospital",
            "hospital_name",
            "banner_name",
            "month",
            "status",
            "status_label",
            "problems",
            "corrections",
            "first_submitted_at",
            "submitted_at",
            "late_days",
            "is_late",
            "banner_reviewed_at",
            "approved_at",
            "return_count",
            "unlocked_until",
            "lock_state",
        ]
        read_only_fields = [f for f in fields if f not in ("problems", "corrections")]

    @extend_schema_field(LockStateSerializer)
    def get_lock_state(self, obj: MonthlyReport) -> dict[str, Any]:
        return report_lock_state(obj).as_dict()


class ReportOpenSerializer(serializers.Serializer):
    hospital = serializers.PrimaryKeyRelatedField(queryset=Hospital.objects.select_related("banner"))
    month = serializers.DateField()


class NarrativeSerializer(serializers.Serializer):
    problems = TextField(required=False, allow_blank=True)
    corrections = TextField(required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = TextField(required=False, allow_blank=True, default="")


class CommentSerializer(serializers.Serializer):
    text = TextField()
    item_kind = serializers.ChoiceField(choices=ReviewComment.ItemKind.choices, default="general")
    item_key = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    reason = TextField(required=False, allow_blank=True, default="")
    comments = CommentSerializer(many=True, required=False, default=list)


# Row ids are bigints: anything outside is refused as input, not sent to the database.


class IdsSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False
    )


# The documented bodies of the actions that answer with something else than their model (the views build
# these dicts; the serializers only tell the schema, and so clients and the schemathesis run, their shape).
ReportContentsSerializer = inline_serializer(
    "ReportContents",
    fields={
        "items": serializers.DictField(
            child=serializers.DictField(), help_text="{条目键: {kind, label, value}}"
        ),
        "changes_since_last_review": serializers.ListField(child=serializers.DictField()),
        "open_comments": inline_serializer(
            "OpenComment",
            fields={
                "item_kind": serializers.CharField(),
                "item_key": serializers.CharField(allow_blank=True),
                "item_label": serializers.CharField(allow_blank=True),
                "text": serializers.CharField(),
            },
            many=True,
        ),
        "warnings": serializers.ListField(child=serializers.CharField()),
        "lock_state": LockStateSerializer(),
    },
)
BulkApproveResultSerializer = inline_serializer(
    "BulkApproveResult",
    fields={
        "approved": serializers.ListField(child=serializers.IntegerField(), help_text="已通过的报告编号"),
        "skipped": serializers.DictField(child=serializers.CharField(), help_text="{报告编号: 未通过的原因}"),
    },
)


class UnlockRequestSerializer(ModelSerializer):
    report_label = serializers.CharField(source="report.__str__", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = UnlockRequest
        fields = [
            "id",
            "report",
            "report_label",
            "reason",
            "status",
            "status_label",
            "requested_at",
            "until",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class GrantSerializer(serializers.Serializer):
    until = serializers.DateField()
    note = TextField(required=False, allow_blank=True, default="")


class RefuseSerializer(serializers.Serializer):
    note = TextField()


class MonthlyReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly self-check reports in the caller's scope. POST opens (or finds) a hospital's report for a
    month; PATCH edits the narrative; the transitions are POST actions."""

    serializer_class = MonthlyReportSerializer
    filterset_class = campaign_filterset(
        MonthlyReport, ["month", "status", "hospital", "hospital__banner", "hospital__level", "campaign"]
    )
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[MonthlyReport]:
        return reports_visible_to(self.request.user).order_by("-month", "hospital__code", "id")

    def _report(self, report: MonthlyReport) -> Response:
        report = self.get_queryset().get(pk=report.pk)
        return Response(MonthlyReportSerializer(report).data)

    @extend_schema(
        request=ReportOpenSerializer,
        responses={201: MonthlyReportSerializer, 200: MonthlyReportSerializer},
        description="Opens the hospital's report of the month: 201 when created, 200 when it existed.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(ReportOpenSerializer, request)
        report, created = report_get_or_create(
            hospital=data["hospital"], month=data["month"], actor=request.user, channel=API
        )
        return Response(
            MonthlyReportSerializer(self.get_queryset().get(pk=report.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=NarrativeSerializer, responses=MonthlyReportSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        data = validated(NarrativeSerializer, request)
        return self._report(report_update(report_id=report.pk, actor=request.user, channel=API, **data))

    @extend_schema(request=None, responses=MonthlyReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._report(report_submit(report_id=self.get_object().pk, actor=request.user, channel=API))

    @extend_schema(request=ReasonSerializer, responses=MonthlyReportSerializer)
    @action(detail=True, methods=["post"], url_path="banner-review", serializer_class=ReasonSerializer)
    def banner_review(self, request: Request, pk: str | None = None) -> Response:
        reason = validated(ReasonSerializer, request)["reason"]
        report = report_banner_review(
            report_id=self.get_object().pk, actor=request.user, channel=API, reason=reason
        )
        return self._report(report)

    @extend_schema(request=ReasonSerializer, responses=MonthlyReportSerializer)
    @action(detail=True, methods=["post"], serializer_class=ReasonSerializer)
    def approve(self, request: Request, pk: str | None = None) -> Response:
        reason = validated(ReasonSerializer, request)["reason"]
        report = report_approve(
            report_id=self.get_object().pk, actor=request.user, channel=API, reason=reason
        )
        return self._report(report)

    @extend_schema(request=ReturnSerializer, responses=MonthlyReportSerializer)
    @action(
        detail=True, methods=["post"], url_path="return", url_name="return", serializer_class=ReturnSerializer
    )
    def return_report(self, request: Request, pk: str | None = None) -> Response:
        data = validated(ReturnSerializer, request)
        comments = [CommentInput(**c) for c in data["comments"]]
        report = report_return(
            report_id=self.get_object().pk,
            actor=request.user,
            channel=API,
            reason=data["reason"],
            comments=comments,
        )
        return self._report(report)

    @extend_schema(request=ReasonSerializer, responses={201: UnlockRequestSerializer})
    @action(detail=True, methods=["post"], url_path="unlock-request", serializer_class=ReasonSerializer)
    def unlock_request(self, request: Request, pk: str | None = None) -> Response:
        reason = validated(ReasonSerializer, request)["reason"]
        created = report_unlock_request(
            report_id=self.get_object().pk, actor=request.user, channel=API, reason=reason
        )
        return Response(UnlockRequestSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ReportContentsSerializer)
    @action(detail=True, methods=["get"])
    def contents(self, request: Request, pk: str | None = None) -> Response:
        """What the reviewer reads: the items, what changed since the last review, the open return
        reasons and the warnings."""
        report = self.get_object()
        return Response(
            {
                "items": report_contents(report),
                "changes_since_last_review": report_changes_since_last_review(report),
                "open_comments": [
                    {
                        "item_kind": c.item_kind,
                        "item_key": c.item_key,
                        "item_label": c.item_label,
                        "text": c.text,
                    }
                    for c in report_open_comments(report)
                ],
                "warnings": report_open_warnings(report),
                "lock_state": report_lock_state(report).as_dict(),
            }
        )

    @extend_schema(responses=ChangeRecordSerializer(many=True))
    # The whole history, not paginated (and so documented).
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        return Response(ChangeRecordSerializer(report_history(self.get_object()), many=True).data)

    @extend_schema(request=IdsSerializer, responses=BulkApproveResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-approve", serializer_class=IdsSerializer)
    def bulk_approve(self, request: Request) -> Response:
        ids = validated(IdsSerializer, request)["ids"]
        visible = set(self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True))
        result = reports_bulk_approve(report_ids=sorted(visible), actor=request.user, channel=API)
        skipped = {str(k): v for k, v in result.skipped.items()}
        skipped.update({str(i): "未找到该报告，或您无权查看。" for i in ids if i not in visible})
        return Response({"approved": result.approved, "skipped": skipped})


class UnlockRequestViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnlockRequestSerializer
    filterset_fields = ["status", "report"]

    def get_queryset(self) -> QuerySet[UnlockRequest]:
        return unlock_requests_visible_to(self.request.user).order_by("-requested_at", "-id")

    @extend_schema(request=GrantSerializer, responses=UnlockRequestSerializer)
    @action(detail=True, methods=["post"], serializer_class=GrantSerializer)
    def grant(self, request: Request, pk: str | None = None) -> Response:
        data = validated(GrantSerializer, request)
        request_id = self.get_object().pk
        report_unlock_grant(
            request_id=request_id, actor=request.user, channel=API, until=data["until"], note=data["note"]
        )
        return Response(UnlockRequestSerializer(self.get_queryset().get(pk=request_id)).data)

    @extend_schema(request=RefuseSerializer, responses=UnlockRequestSerializer)
    @action(detail=True, methods=["post"], serializer_class=RefuseSerializer)
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        note = validated(RefuseSerializer, request)["note"]
        refused = report_unlock_refuse(
            request_id=self.get_object().pk, actor=request.user, channel=API, note=note
        )
        return Response(UnlockRequestSerializer(refused).data)


def register(router: DefaultRouter) -> None:
    router.register("monthly-reports", MonthlyReportViewSet, basename="monthly-report")
    router.register("unlock-requests", UnlockRequestViewSet, basename="unlock-request")
