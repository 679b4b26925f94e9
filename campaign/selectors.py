from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .models import Campaign


def campaign_current() -> Campaign | None:
    """The campaign of the current year, else the latest one."""
    year = timezone.localdate().year
    return Campaign.objects.filter(year=year).first() or Campaign.objects.order_by("-year", "-id").first()


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("league").order_by("-year", "code")
