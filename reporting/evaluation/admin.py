from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from exports.admin import xlsx_export_action
from hospitals.admin import ScopedAdminMixin
from reporting.evaluation.models import Evaluation


@admin.register(Evaluation)
class EvaluationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "rank",
        "hospital",
        "lecture_score",
        "action_score",
        "outcome_score",
        "assessment_score",
        "total_score",
        "proposed_commendation",
        "published_at",
    ]
    list_filter = [
        ("campaign", admin.RelatedOnlyFieldListFilter),
        "proposed_commendation",
        "hospital__banner",
        "hospital__level",
    ]
    list_select_related = ["hospital"]
    actions = [xlsx_export_action("evaluation")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
