"""Text is stored as typed, on every path, and neutralised only when exported."""

from __future__ import annotations

import importlib
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from rest_framework import serializers

from campaign.models import LectureSession
from core.api import TextField
from tests.campaign.test_api_lectures import payload
from tests.conftest import Alxa, client_for
from tests.pages.test_campaign_pages import _lecture_post

pytestmark = pytest.mark.django_db

# A formula behind a leading tab: the tab is part of what was typed, the formula must never run.
TYPED = '\t=HYPERLINK("http://example.invalid","点我")  '
SERIALIZER_MODULES = [
    "campaign.serializers",
    "hospitals.serializers",
    "reporting.evaluation.api",
    "reporting.indicators.api",
    "reporting.reports.api",
    "reporting.bulletins.api",
    "reporting.notices.api",
    "exports.api",
]
# CharFields that carry a code or are only ever answered, never typed text: trimming them is harmless.
NOT_TYPED_TEXT = {
    "campaign.serializers.ProgressEntrySerializer.status",  # a status code
    "reporting.reports.api.CommentSerializer.item_key",  # the key of a report item
    "exports.api.ExportRequestSerializer.kind",  # a workbook kind
    "reporting.reports.api.LockStateSerializer.message",  # answer only
    "exports.api.ExportKindSerializer.code",  # answer only
    "exports.api.ExportKindSerializer.title",  # answer only
    "hospitals.serializers.PersonSerializer.code",  # a person's code (H004-P10)
    "hospitals.serializers.PersonSerializer.email",  # an address: surrounding blanks are never meant
}


def _streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_api_keeps_a_title_as_typed_and_the_export_neutralises_it(alxa: Alxa) -> None:
    client = client_for(alxa.reporter)
    created = client.post("/api/v1/lectures/", payload(alxa, title=TYPED), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["title"] == TYPED
    assert LectureSession.objects.get().title == TYPED

    response = client.get("/api/v1/lectures/export/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(_streamed(response))).worksheets[0]
    cells = [c for row in sheet.iter_rows(min_row=2, values_only=True) for c in row if isinstance(c, str)]
    assert "'" + TYPED in cells  # shown as text with the apostrophe, never a formula
    assert not any(c.startswith(("=", "\t")) for c in cells)


def test_a_page_keeps_a_title_as_typed(alxa: Alxa) -> None:
    client = Client()
    client.force_login(alxa.reporter)
    response = client.post(f"/hospitals/{alxa.h004.pk}/lectures/new/", _lecture_post(alxa, title=TYPED))
    assert response.status_code == 302
    assert LectureSession.objects.get().title == TYPED


def test_a_title_of_only_whitespace_is_still_blank(alxa: Alxa) -> None:
    response = client_for(alxa.reporter).post("/api/v1/lectures/", payload(alxa, title=" \t "), format="json")
    assert response.status_code == 400
    assert "title" in response.json()["errors"]
    page = Client()
    page.force_login(alxa.reporter)
    form = page.post(f"/hospitals/{alxa.h004.pk}/lectures/new/", _lecture_post(alxa, title=" \t "))
    assert form.status_code == 200
    assert not LectureSession.objects.exists()


def _serializers() -> list[type[serializers.Serializer]]:
    found = []
    for name in SERIALIZER_MODULES:
        module = importlib.import_module(name)
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, serializers.Serializer)
            and value.__module__ == name
        ]
    return found


def test_no_writable_text_field_of_the_api_trims_what_was_typed() -> None:
    """Every serializer of the project: a writable CharField is a TextField (no trimming)."""
    trimming = [
        f"{cls.__module__}.{cls.__name__}.{field_name}"
        for cls in _serializers()
        for field_name, field in cls().fields.items()
        if isinstance(field, serializers.CharField)
        and not field.read_only
        and type(field) is serializers.CharField
        and field.trim_whitespace
        and f"{cls.__module__}.{cls.__name__}.{field_name}" not in NOT_TYPED_TEXT
    ]
    assert len(_serializers()) > 20
    assert trimming == []
    assert TextField().trim_whitespace is False
