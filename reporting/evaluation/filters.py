"""django-filter FilterSets of reporting's lists that an export shares (the list and its workbook must filter
alike, so both use the class defined here)."""

from __future__ import annotations

import django_filters

from campaign.filters import CampaignFilterSet
from hospitals.models import OrgUnit
from reporting.evaluation.models import BannerEvaluation, Evaluation


class EvaluationFilter(CampaignFilterSet):
    hospital__banner = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.all(), label="旗(区)")

    class Meta:
        model = Evaluation
        fields = ["campaign", "proposed_commendation", "hospital__banner"]


class BannerEvaluationFilter(CampaignFilterSet):
    """The banners' sheet of the evaluation workbook and ``/api/v1/evaluations/banners/``: the same
    ``?campaign=`` and ``?hospital__banner=`` as the hospitals' list."""

    hospital__banner = django_filters.ModelChoiceFilter(
        field_name="banner", queryset=OrgUnit.objects.all(), label="旗(区)"
    )

    class Meta:
        model = BannerEvaluation
        fields = ["campaign"]
