"""django-filter FilterSets of reporting's lists that an export shares (the list and its workbook must filter
alike, so both use the class defined here)."""

from __future__ import annotations

import django_filters

from campaign.filters import CampaignFilterSet
from hospitals.models import OrgUnit
from reporting.evaluation.models import Evaluation


class EvaluationFilter(CampaignFilterSet):
    hospital__banner = django_filters.ModelChoiceFilter(queryset=OrgUnit.objects.all(), label="旗(区)")

    class Meta:
        model = Evaluation
        fields = ["campaign", "proposed_commendation", "hospital__banner"]
