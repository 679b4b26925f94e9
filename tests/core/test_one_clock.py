"""One clock for every decision and every stamp (issue 13, item 1): with ``REPORTING_CLOCK`` set, what a
user sees on the API, the pages and the workbooks reads the clock's date, never the real one.

The clock stands where the demo's does (``make run``): 2021-12-03 10:00, December under way. The real
date is years later, so every assertion below fails wherever the real date is read instead.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from campaign.models import ActionItem, Indicator, Milestone, ProgressStatus
from campaign.services import progress_record
from tests.campaign.conftest import h004_action_item
from tests.conftest import Alxa, client_for, streamed
from tests.factories import CampaignFactory, indicator_value

pytestmark = pytest.mark.django_db

CLOCK = "2021-12-03T10:00"
CLOCK_DAY = dt.date(2021, 12, 3)
DECEMBER = dt.date(2021, 12, 1)


@pytest.fixture(autouse=True)
def _demo_clock(settings: Any, tmp_path: Any) -> None:
    settings.REPORTING_CLOCK = CLOCK
    settings.MEDIA_ROOT = tmp_path / "media"


def _page(user: Any, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _on_track_till_new_year(alxa: Alxa) -> ActionItem:
    """H004's item due 2021-12-31, on track in November: not overdue on 12-03."""
    item = h004_action_item(alxa, due_on=dt.date(2021, 12, 31))
    progress_record(
        actor=alxa.reporter, channel="web", action_item=item, month=dt.date(2021, 11, 1), status="on_track"
    )
    item.refresh_from_db()
    assert item.current_status == ProgressStatus.ON_TRACK
    return item


def test_an_item_due_at_new_year_is_not_overdue_in_the_api(alxa: Alxa) -> None:
    item = _on_track_till_new_year(alxa)
    client = client_for(alxa.reporter)
    detail = client.get(f"/api/v1/action-items/{item.pk}/").json()
    assert (detail["status"], detail["is_overdue"]) == ("on_track", False)
    overdue = client.get("/api/v1/action-items/", {"status": "overdue"}).json()
    on_track = client.get("/api/v1/action-items/", {"status": "on_track"}).json()
    assert (overdue["count"], [r["id"] for r in on_track["results"]]) == (0, [item.pk])


def test_an_item_due_at_new_year_is_not_overdue_on_its_page_the_plan_and_the_admin(alxa: Alxa) -> None:
    item = _on_track_till_new_year(alxa)
    for html in (
        _page(alxa.reporter, f"/actions/{item.pk}/"),
        _page(alxa.reporter, f"/hospitals/{alxa.h004.pk}/actions/"),
    ):
        assert re.findall(r'<span class="badge[^"]*">([^<]*)</span>', html) == ["按计划推进"]
    admin = _page(alxa.admin, "/admin/campaign/actionitem/")
    assert re.findall(r'<td class="field-status_now">([^<]*)</td>', admin) == ["按计划推进"]
    admin_overdue = _page(alxa.admin, "/admin/campaign/actionitem/?status=overdue")
    assert "处方点评全覆盖" not in admin_overdue


def test_an_item_due_at_new_year_is_on_track_in_the_tracker_workbook(alxa: Alxa) -> None:
    _on_track_till_new_year(alxa)
    response = client_for(alxa.reporter).get("/api/v1/action-items/export/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(streamed(response))).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[header.index("状态")] == "按计划推进"


def test_december_values_and_decembers_report_are_both_refused_on_the_third(alxa: Alxa) -> None:
    """The same month arithmetic (``core.months.month_has_ended`` on the clock) for both: SPEC §6 refuses
    a value for "a month not yet ended", and a report of a month not ended cannot be submitted. (This one
    already held when the test was written: the indicator rule had moved onto ``core.months``.)"""
    client = client_for(alxa.reporter)
    indicator = Indicator.objects.get(campaign=alxa.campaign, code="O1.1-a")
    body = {"indicator": indicator.pk, "hospital": alxa.h004.pk, "count": 3}
    november = client.post("/api/v1/indicator-values/", {**body, "month": "2021-11"}, format="json")
    assert november.status_code == 201, november.content
    december = client.post("/api/v1/indicator-values/", {**body, "month": "2021-12"}, format="json")
    assert december.status_code == 400
    assert december.json()["code"] == "month_not_ended"
    assert "2021年12月尚未结束" in december.json()["message"]

    opened = client.post(
        "/api/v1/monthly-reports/", {"hospital": alxa.h004.pk, "month": "2021-12-01"}, format="json"
    )
    assert opened.status_code in (200, 201), opened.content
    report_id = opened.json()["id"]
    client.patch(
        f"/api/v1/monthly-reports/{report_id}/", {"problems": "无", "corrections": "无"}, format="json"
    )
    submitted = client.post(f"/api/v1/monthly-reports/{report_id}/submit/")
    assert submitted.status_code == 400
    assert "2021年12月尚未结束" in str(submitted.json())


def _late_launch_milestone(alxa: Alxa) -> Milestone:
    """A launch milestone due 12-20: not yet due on the clock's day, missed on the real one."""
    return Milestone.objects.create(
        campaign=alxa.campaign,
        code="late_launch",
        name="补充启动",
        due_on=dt.date(2021, 12, 20),
        rule="launch",
    )


def test_compliance_without_on_answers_the_clocks_day_and_the_clocks_campaign(alxa: Alxa) -> None:
    late = _late_launch_milestone(alxa)
    # A campaign of the real year exists: "the current campaign" is still the clock's year's.
    CampaignFactory.create(year=timezone.localdate().year, league=alxa.league)
    answer = client_for(alxa.reporter).get("/api/v1/compliance/", {"hospital": alxa.h004.pk}).json()
    assert (answer["results"]["on"], answer["results"]["campaign"]) == (
        CLOCK_DAY.isoformat(),
        alxa.campaign.pk,
    )
    (h004,) = answer["results"]["hospitals"]
    states = {m["milestone"]: m["state"] for m in h004["milestones"]}
    assert states[late.code] == "not_due"


def test_the_hospital_page_judges_milestones_on_the_clocks_day(alxa: Alxa) -> None:
    _late_launch_milestone(alxa)
    html = _page(alxa.reporter, f"/hospitals/{alxa.h004.pk}/")
    row = re.search(r"补充启动.*?</tr>", html, re.S)
    assert row is not None
    assert re.findall(r'<span class="badge[^"]*">([^<]*)</span>', row.group(0)) == ["未到期"]


def test_export_file_names_carry_the_clocks_time(alxa: Alxa) -> None:
    response = client_for(alxa.reporter).get("/api/v1/action-items/export/")
    assert "20211203-1000" in response["Content-Disposition"]


def test_the_indicator_table_defaults_to_the_clocks_last_ended_month(alxa: Alxa) -> None:
    """出成效指标表 by default covers the year to the last ended month: November on 12-03, not December."""
    indicator_value("O1.1-a", alxa.h004, dt.date(2021, 11, 1), count=4)
    indicator_value("O1.1-a", alxa.h004, DECEMBER.replace(year=2020), count=9)
    response = client_for(alxa.league_reviewer).get("/api/v1/indicator-evaluations/export/")
    assert response.status_code == 200, response.content
    sheet = openpyxl.load_workbook(io.BytesIO(streamed(response))).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)]
    (h004,) = [r for r in rows if r["单位"] == alxa.h004.name and r["指标编码"] == "O1.1-a"]
    assert (h004["上年同期"], h004["本期"]) == (None, 4)  # 2020-12 is outside Jan–Nov
