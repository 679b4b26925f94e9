"""``{% table_rows rows columns %}``: the body rows of a large table of stored figures, written in Python.

The same HTML as the template loop ``{% for row in rows %}<tr>{% for v in row %}<td>{{ v|default_if_none:
"—" }}</td>{% endfor %}</tr>{% empty %}<tr><td colspan="N" class="empty">无</td></tr>{% endfor %}`` (a test
holds them equal), without a template node per cell: a region's bulletin has some 15,000 cells, and Django's
template engine spends most of a request on them. Each value is shown as the template would show it:
localised (``django.utils.formats.localize``, once per distinct value) and escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def table_rows(rows: Iterable[Sequence[Any]], columns: Sequence[Any]) -> SafeString:
    shown: dict[tuple[type, Any], str] = {}

    def cell(value: Any) -> str:
        if value is None:
            return "<td>—</td>"
        key = (type(value), value) if isinstance(value, str | int | float | bool) else None
        if key is not None and key in shown:
            return shown[key]
        html = f"<td>{conditional_escape(localize(value))}</td>"
        if key is not None:
            shown[key] = html
        return html

    parts = ["<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows]
    if not parts:
        parts = [f'<tr><td colspan="{len(columns)}" class="empty">无</td></tr>']
    return mark_safe("".join(parts))  # every value is escaped above
