"""django-filter FilterSets of the organisation lists that an export shares with its list."""

from __future__ import annotations

import django_filters

from hospitals.models import Hospital


class HospitalFilter(django_filters.FilterSet):
    """The hospital list's filters (``/api/v1/hospitals/``), also those of the 医院名册 workbook."""

    class Meta:
        model = Hospital
        fields = ["banner", "level", "type", "is_city_tertiary", "alliances"]
