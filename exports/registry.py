"""The export kinds: each workbook is registered once under a code, and every caller (API list actions,
the generic /exports/ endpoint, admin actions, pages, the Celery task) builds it through this registry.

A kind's ``build(user, params)`` returns its sheets with lazy rows; it must limit every row to ``user``'s
scope (the domain's scoped selectors) and apply ``params`` with the SAME django-filter FilterSet
as the list it comes from (``filtered`` below), so that a file never holds a row its list would not show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django_filters import FilterSet

from exports.writer import Sheet

# Query parameters that steer a list's page, not its rows.
NON_FILTER_PARAMS = frozenset({"page", "page_size", "format", "ordering"})
# The admin's "export selected" passes the chosen primary keys under this parameter.
IDS_PARAM = "ids"

Params = dict[str, list[str]]
# The requesting ``request.user`` (an account or AnonymousUser): the exports know no user model of
# their own; a kind's ``build`` and ``allowed`` read what they need from it.
AnyUser = Any


@dataclass(frozen=True)
class ExportKind:
    code: str
    title: str  # the workbook's Chinese name, also the download file name
    build: Callable[[AnyUser, Params], Sequence[Sheet]]
    filterset_class: type[FilterSet] | None = None
    allowed: Callable[[AnyUser], bool] = lambda user: True


_KINDS: dict[str, ExportKind] = {}


def register_export(kind: ExportKind) -> ExportKind:
    _KINDS[kind.code] = kind
    return kind


def export_kind_get(code: str) -> ExportKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise ValidationError(
            "没有这种导出类型：%(code)s。", code="unknown_export", params={"code": code}
        ) from None


def export_kinds() -> list[ExportKind]:
    return sorted(_KINDS.values(), key=lambda k: k.code)


def params_from_querydict(data: QueryDict | Mapping[str, Any]) -> Params:
    """The filter parameters of a request as JSON-safe ``{name: [values]}`` (multi-valued kept)."""
    out: Params = {}
    keys = list(data.keys())
    for key in keys:
        if key in NON_FILTER_PARAMS:
            continue
        if isinstance(data, QueryDict):
            out[key] = [str(v) for v in data.getlist(key)]
        else:
            raw = data[key]
            out[key] = [str(v) for v in raw] if isinstance(raw, list | tuple) else [str(raw)]
    return out


def params_to_querydict(params: Mapping[str, Iterable[Any]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in params.items():
        data.setlist(key, [str(v) for v in values])
    return data


def filtered(
    queryset: QuerySet[Any],
    params: Params,
    filterset_class: type[FilterSet] | None = None,
    *,
    user: AnyUser = None,
) -> QuerySet[Any]:
    """Apply a list's FilterSet (and the admin's selected ``ids``) to an already scoped queryset.

    ``user`` is the requester, handed to the FilterSet as its request's user as the list's request
    would be: filters whose choices are the requester's (``?campaign=`` among its own campaigns) judge
    the file's parameters as they judge the list's.

    Invalid filter values are refused with the FilterSet's own messages instead of being ignored: an
    export that silently dropped a filter would hand out more rows than the clerk asked for.
    """
    if filterset_class is not None:
        filterset = filterset_class(
            data=params_to_querydict(params), queryset=queryset, request=SimpleNamespace(user=user)
        )
        if not filterset.is_valid():
            raise ValidationError(
                {
                    name: [ValidationError(str(e), code="invalid_filter") for e in errors]
                    for name, errors in filterset.errors.items()
                }
            )
        queryset = filterset.qs
    ids = params.get(IDS_PARAM)
    if ids:
        try:
            queryset = queryset.filter(pk__in=[int(i) for i in ids])
        except ValueError:
            raise ValidationError("选中的记录编号有误。", code="invalid_ids") from None
    return queryset
