"""Helpers for the 讲 / 见 tests: the 2021 campaign's lecture kinds and people by their seed codes."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaign.models import ActionItem, ActionTask, KeyDocument, Layer, LectureKind
from campaign.services import LectureData
from core import clock
from hospitals.models import Hospital, MedicalAlliance, OrgUnit, Person
from tests.conftest import Alxa
from tests.reporting.conftest import set_clock  # noqa: F401  (the reporting clock, for deadlines)


def enter_on(day: dt.date, hour: int = 20) -> None:
    """Make ``day`` (at ``hour``, Asia/Shanghai) "now" for the records entered next: a milestone counts a
    record only when it was entered by its due date (tests/conftest.py restores the clock after each
    test)."""
    moment = dt.datetime.combine(day, dt.time(hour)).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    clock.now = lambda: moment


def person(code: str) -> Person:
    return Person.objects.get(code=code)


def hospital(code: str) -> Hospital:
    return Hospital.objects.get(code=code)


def kind(alxa: Alxa, code: str) -> LectureKind:
    return LectureKind.objects.get(campaign=alxa.campaign, code=code)


def alliance(code: str) -> MedicalAlliance:
    return MedicalAlliance.objects.get(code=code)


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def task(alxa: Alxa, code: str) -> ActionTask:
    return ActionTask.objects.get(campaign=alxa.campaign, code=code)


def full_coverage(alxa: Alxa) -> tuple[tuple[KeyDocument, Layer], ...]:
    documents = KeyDocument.objects.filter(campaign=alxa.campaign).order_by("number")
    layers = Layer.objects.filter(campaign=alxa.campaign).order_by("order")
    return tuple((d, layer) for d in documents for layer in layers)


def lecture_data(alxa: Alxa, kind_code: str = "in_hospital", **overrides: Any) -> LectureData:
    """A valid lecture of H004 by its secretary (or the banner head for 集中宣讲), then ``overrides``."""
    k = kind(alxa, kind_code)
    values: dict[str, Any] = {
        "campaign": alxa.campaign,
        "kind": k,
        "held_on": dt.date(2021, 7, 10),
        "title": "推动公立医院高质量发展",
        "speaker": person("H004-P01"),
        "hospital": alxa.h004,
        "attendance_expected": 400,
        "attendance_present": 380,
        "on_duty_exempt": 20,
    }
    if k.speaker_rule == LectureKind.SpeakerRule.COMMISSION_LEADER:
        values.update(hospital=None, org_unit=alxa.zuoqi, speaker=person("B152921-P01"))
    if k.venue == LectureKind.Venue.HOST_HOSPITAL:
        values["host_hospital"] = hospital("H005")
    if k.venue == LectureKind.Venue.ALLIANCE:
        values["alliance"] = alliance("CC-ZQ")
    if k.venue == LectureKind.Venue.REGION:  # §四(三): 全区巡讲同时采取线上宣讲
        values.update(is_online=True, online_link="https://live.example.cn/tour/1")
    if k.speaker_rule == LectureKind.SpeakerRule.DEPARTMENT_HEAD:
        values["department"] = alxa.h004.departments.get(name="内科")
        values["speaker"] = person("H004-P03")
    values.update(overrides)
    return LectureData(**values)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Each test writes its uploads to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def h004_action_item(alxa: Alxa, **overrides: Any) -> ActionItem:
    """H004's 处方点评全覆盖 (task A3.2, the president responsible, July to October), then ``overrides``."""
    values: dict[str, Any] = {
        "campaign": alxa.campaign,
        "hospital": alxa.h004,
        "task": ActionTask.objects.get(campaign=alxa.campaign, code="A3.2"),
        "title": "处方点评全覆盖",
        "responsible": Person.objects.get(code="H004-P02"),
        "starts_on": dt.date(2021, 7, 1),
        "due_on": dt.date(2021, 10, 31),
    }
    return ActionItem.objects.create(**{**values, **overrides})
