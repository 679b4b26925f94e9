"""Reading a page form's errors where the person sees them: beside each field, or on top of the form."""

from __future__ import annotations

import lxml.html


def field_errors(html: str, name: str) -> list[str]:
    """The messages in the error list of the field ``name`` (its html name, with any prefix): the
    ``<div id="field-…">`` that ``templates/includes/field.html`` draws around the field."""
    boxes = lxml.html.fromstring(html).xpath(f'//*[@id="field-{name}"]')
    assert boxes, f"no field {name} on the page"
    return [li.text_content().strip() for li in boxes[0].xpath('.//ul[contains(@class, "errorlist")]/li')]


def form_errors(html: str) -> list[str]:
    """The messages on top of the form (what concerns no single field)."""
    tops = lxml.html.fromstring(html).xpath('//*[contains(@class, "form-errors")]//li')
    return [li.text_content().strip() for li in tops]
