"""Helpers of the 调度 tests: a banner's report brought to a state through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from campaign.models import LectureSession
from campaign.services import lecture_create
from reporting.dispatch.models import DispatchReport
from reporting.dispatch.services import (
    dispatch_report_open,
    dispatch_report_return,
    dispatch_report_submit,
    dispatch_report_update,
)
from tests.campaign.conftest import lecture_data
from tests.conftest import Alxa

JULY = dt.date(2021, 7, 1)
TEXT = "本月各医院完成院内宣讲12场，书记、院长均已宣讲；存在问题：部分医院课件未报送。"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Each test writes its uploads to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def dispatch_report(alxa: Alxa, *, state: str = "draft", month: dt.date = JULY) -> DispatchReport:
    """左旗's report of ``month`` in ``state`` (draft, submitted, returned, resubmitted), written by its
    reviewer and returned by the league (the clock must be set after the month began)."""
    report, _ = dispatch_report_open(
        actor=alxa.banner_reviewer, channel="web", banner=alxa.zuoqi, month=month
    )
    if state == "draft":
        return report
    report = dispatch_report_update(actor=alxa.banner_reviewer, channel="web", report=report, text=TEXT)
    report = dispatch_report_submit(actor=alxa.banner_reviewer, channel="web", report=report)
    if state in ("returned", "resubmitted"):
        report = dispatch_report_return(
            actor=alxa.league_reviewer, channel="web", report=report, reason="请补充各医院院外互讲情况"
        )
    if state == "resubmitted":
        report = dispatch_report_submit(actor=alxa.banner_reviewer, channel="web", report=report)
    return report


def central_lecture(alxa: Alxa, **overrides: Any) -> LectureSession:
    """左旗's 集中宣讲 on 2021-07-10, given by its commission head."""
    return lecture_create(
        actor=alxa.banner_reviewer, channel="web", data=lecture_data(alxa, "centralised", **overrides)
    )
