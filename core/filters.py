"""List filters every API list shares (``REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]``).

Its own module: DRF imports the filter backends while ``rest_framework.generics`` loads, so this module
imports nothing that imports the views.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import filters


class OrderingFilter(filters.OrderingFilter):
    """DRF's ``?ordering=``, offered only on what the database can sort: a list without its own
    ``ordering_fields`` gets the serializer's fields whose source is a model field or an annotation,
    never a method such as ``get_status_display`` (ordering by it was a FieldError, a 500)."""

    def get_default_valid_fields(
        self, queryset: Any, view: Any, context: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        fields = super().get_default_valid_fields(queryset, view, context or {})
        meta = queryset.model._meta
        sortable = {f.name for f in meta.get_fields()} | {f.attname for f in meta.concrete_fields}
        sortable |= set(queryset.query.annotations)
        return [(source, label) for source, label in fields if source.split("__")[0] in sortable]
