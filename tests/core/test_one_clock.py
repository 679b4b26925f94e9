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


# ---------------------------------------------------------------------------------------------------
# Record stamps: 提交/审核/退回/通过时间, the history, notifications and the send log, unlock requests,
# export jobs, lectures and materials, and the files' own properties.
# ---------------------------------------------------------------------------------------------------

CLOCK_STAMP = "2021-12-03T10:00:00+08:00"
CLOCK_SHOWN = "2021-12-03 10:00"
NOVEMBER = dt.date(2021, 11, 1)
STAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
SHOWN_RE = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b")


def _stamps(body: Any, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every date-and-time in an API answer, by its path (``results.0.created_at``)."""
    found: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in skip:
                    walk(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}.{index}")
        elif isinstance(value, str) and STAMP_RE.match(value):
            found[path] = value

    walk(body, "")
    return found


def _all_on_the_clock(body: Any, *, expect: set[str], skip: tuple[str, ...] = ()) -> None:
    """``expect`` (field names) are among the answer's stamps, and every stamp is the clock's moment."""
    stamps = _stamps(body, skip)
    assert expect <= {path.rsplit(".", 1)[-1] for path in stamps}, stamps
    assert set(stamps.values()) == {CLOCK_STAMP}, stamps


def _shown_on_the_clock(html: str, *, at_least: int = 1) -> None:
    """Every 年-月-日 时:分 a page shows is the clock's."""
    shown = SHOWN_RE.findall(html)
    assert len(shown) >= at_least, shown
    assert set(shown) == {CLOCK_SHOWN}, shown


def _reviewed_november(alxa: Alxa) -> int:
    """H004's November report on 12-03: submitted, returned, submitted again, reviewed and approved, all
    through the API."""
    from tests.reporting.conftest import fill_indicators

    fill_indicators(alxa.h004, NOVEMBER)
    reporter, banner, league = (
        client_for(u) for u in (alxa.reporter, alxa.banner_reviewer, alxa.league_reviewer)
    )
    opened = reporter.post(
        "/api/v1/monthly-reports/", {"hospital": alxa.h004.pk, "month": "2021-11-01"}, format="json"
    )
    assert opened.status_code in (200, 201), opened.content
    report_id = opened.json()["id"]
    url = f"/api/v1/monthly-reports/{report_id}"
    narrative = {"problems": "课件准备不足", "corrections": "已补齐课件"}
    assert reporter.patch(f"{url}/", narrative, format="json").status_code == 200
    steps = [
        (reporter, "submit", {}),
        (banner, "return", {"reason": "数据不全"}),
        (reporter, "submit", {}),
        (banner, "banner-review", {}),
        (league, "approve", {}),
    ]
    for client, step, body in steps:
        answer = client.post(f"{url}/{step}/", body, format="json")
        assert answer.status_code == 200, (step, answer.content)
    return report_id


def test_a_reports_stamps_and_history_read_the_clock_in_the_api(alxa: Alxa) -> None:
    report_id = _reviewed_november(alxa)
    client = client_for(alxa.reporter)
    report = client.get(f"/api/v1/monthly-reports/{report_id}/").json()
    assert report["status"] == "approved"
    _all_on_the_clock(
        report, expect={"first_submitted_at", "submitted_at", "banner_reviewed_at", "approved_at"}
    )
    history = client.get(f"/api/v1/monthly-reports/{report_id}/history/").json()
    assert len(history) >= 5
    _all_on_the_clock(history, expect={"at"})
    notifications = client.get("/api/v1/notifications/").json()
    assert notifications["count"] >= 2  # returned, approved
    _all_on_the_clock(notifications, expect={"created_at"})


def test_a_reports_stamps_and_history_read_the_clock_on_the_pages_and_in_the_admin(alxa: Alxa) -> None:
    report_id = _reviewed_november(alxa)
    page = _page(alxa.reporter, f"/reports/{report_id}/")
    assert "数据不全" in page
    _shown_on_the_clock(page, at_least=5)
    _shown_on_the_clock(_page(alxa.reporter, "/notifications/"), at_least=2)
    queue = _page(alxa.league_reviewer, "/review/?status=approved")
    assert "12-03 10:00" in queue
    history = _page(alxa.admin, "/admin/hospitals/changerecord/")
    assert "2021年12月3日" in history
    assert f"{timezone.localdate():%Y年%-m月%-d日}" not in history
    # The admin's date filters: 今天 is the clock's day (Django's own filter reads the real time).
    reports = _page(alxa.admin, "/admin/reporting/monthlyreport/")
    assert "month__gte=2021-12-03&amp;month__lt=2021-12-04" in reports
    assert str(timezone.localdate().year) not in reports
    # 上次登录 (the pages above logged the reporter in) and 注册时间 (the seed's accounts).
    account = _page(alxa.admin, f"/admin/hospitals/user/{alxa.reporter.pk}/change/")
    assert re.findall(r'name="(?:last_login|date_joined)_0" value="([^"]*)"', account) == ["2021/12/03"] * 2
    assert str(timezone.localdate().year) not in account


def test_an_unlock_request_and_its_grant_read_the_clock(alxa: Alxa) -> None:
    report_id = _reviewed_november(alxa)
    asked = client_for(alxa.reporter).post(
        f"/api/v1/monthly-reports/{report_id}/unlock-request/", {"reason": "补录一次宣讲"}, format="json"
    )
    assert asked.status_code == 201, asked.content
    _all_on_the_clock(asked.json(), expect={"requested_at"})
    _shown_on_the_clock(_page(alxa.league_reviewer, "/unlock-requests/"))
    granted = client_for(alxa.league_reviewer).post(
        f"/api/v1/unlock-requests/{asked.json()['id']}/grant/", {"until": "2021-12-10"}, format="json"
    )
    assert granted.status_code == 200, granted.content
    _all_on_the_clock(granted.json(), expect={"requested_at", "decided_at"})
    notifications = client_for(alxa.league_reviewer).get("/api/v1/notifications/").json()
    _all_on_the_clock(notifications, expect={"created_at"})


def test_a_reminder_its_send_log_and_its_e_mail_read_the_clock(alxa: Alxa, mailoutbox: Any) -> None:
    from reporting.notices.services import SendBatch

    batch = SendBatch()
    for channel in ("in_app", "email"):
        batch.add(
            target=f"report:{alxa.h004.pk}:2021-11",
            step="due_soon",
            channel=channel,
            subject="11月自查报告即将到期",
            body="请按时提交。",
            count_as="reports",
            users=[alxa.reporter],
            emails=["h004@example.org"],
            hospital=alxa.h004,
        )
    assert batch.flush()["reports"] == 2
    notifications = client_for(alxa.reporter).get("/api/v1/notifications/").json()
    _all_on_the_clock(notifications, expect={"created_at"})
    _shown_on_the_clock(_page(alxa.reporter, "/notifications/"))
    (mail,) = mailoutbox
    assert mail.message()["Date"] == "Fri, 03 Dec 2021 10:00:00 +0800"
    log = _page(alxa.admin, "/admin/reporting/sendlog/")
    assert log.count("2021年12月3日") == 2


def test_an_export_jobs_times_and_its_workbook_read_the_clock(
    alxa: Alxa, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EXPORT_ASYNC_ROW_THRESHOLD = 2
    client = client_for(alxa.league_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post("/api/v1/exports/", {"kind": "hospital_roster", "params": {}}, format="json")
    assert queued.status_code == 202, queued.content
    job = client.get(f"/api/v1/exports/{queued.json()['id']}/").json()
    assert job["status"] == "done"
    _all_on_the_clock(job, expect={"created_at", "finished_at"}, skip=("expires_at",))
    assert job["expires_at"] == "2021-12-04T10:00:00+08:00"  # EXPORT_FILE_TTL_HOURS after the clock
    listed = _page(alxa.league_reviewer, "/exports/jobs/")
    assert CLOCK_SHOWN in listed
    detail = _page(alxa.league_reviewer, f"/exports/jobs/{job['id']}/")
    assert set(SHOWN_RE.findall(detail)) == {CLOCK_SHOWN, "2021-12-04 10:00"}
    workbook = openpyxl.load_workbook(io.BytesIO(streamed(client.get(job["download_url"]))))
    utc_clock = dt.datetime(2021, 12, 3, 2, 0)  # 10:00 in Asia/Shanghai; core properties are UTC
    assert (workbook.properties.created, workbook.properties.modified) == (utc_clock, utc_clock)


def test_a_small_exports_workbook_and_the_template_carry_the_clocks_time(alxa: Alxa) -> None:
    utc_clock = dt.datetime(2021, 12, 3, 2, 0)
    response = client_for(alxa.reporter).get("/api/v1/action-items/export/")
    workbook = openpyxl.load_workbook(io.BytesIO(streamed(response)))
    assert (workbook.properties.created, workbook.properties.modified) == (utc_clock, utc_clock)
    from reporting.indicators.template import indicator_template_build

    content = indicator_template_build(campaign=alxa.campaign, hospital=alxa.h004, month=NOVEMBER)
    template = openpyxl.load_workbook(io.BytesIO(content))
    assert (template.properties.created, template.properties.modified) == (utc_clock, utc_clock)


def test_a_lecture_and_its_material_read_the_clock(alxa: Alxa) -> None:
    from tests.campaign.conftest import upload
    from tests.campaign.test_api_lectures import payload
    from tests.samples import PDF

    client = client_for(alxa.reporter)
    created = client.post("/api/v1/lectures/", payload(alxa, held_on="2021-11-20"), format="json")
    assert created.status_code == 201, created.content
    lecture_id = created.json()["id"]
    _all_on_the_clock(created.json(), expect={"created_at", "updated_at"})
    changed = client.patch(f"/api/v1/lectures/{lecture_id}/", {"attendance_present": 370}, format="json")
    assert changed.status_code == 200, changed.content
    _all_on_the_clock(changed.json(), expect={"created_at", "updated_at"})
    uploaded = client.post(
        "/api/v1/lecture-materials/",
        {"lecture": lecture_id, "kind": "courseware", "title": "课件", "file": upload("课件.pdf", PDF)},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    _all_on_the_clock(uploaded.json(), expect={"uploaded_at"})
    history = _page(alxa.reporter, f"/lectures/{lecture_id}/")
    _shown_on_the_clock(history, at_least=2)


def test_a_lecture_after_the_clocks_day_is_refused_and_the_day_itself_is_not(alxa: Alxa) -> None:
    """Real today is years later: a lecture on 12-04 is in the future for the clock, not for Django."""
    from campaign.models import LectureSession
    from tests.campaign.test_api_lectures import payload

    client = client_for(alxa.reporter)
    future = client.post("/api/v1/lectures/", payload(alxa, held_on="2021-12-04"), format="json")
    assert future.status_code == 400
    assert future.json()["code"] == "date_in_future"
    assert future.json()["errors"]["held_on"] == [
        "宣讲日期2021-12-04晚于今天（2021-12-03），不能填写尚未发生的事项。"
    ]
    assert not LectureSession.objects.exists()
    today = client.post("/api/v1/lectures/", payload(alxa, held_on="2021-12-03"), format="json")
    assert today.status_code == 201, today.content


def test_progress_of_a_month_after_the_clocks_is_refused(alxa: Alxa) -> None:
    item = h004_action_item(alxa, due_on=dt.date(2022, 3, 31))
    client = client_for(alxa.reporter)
    body = {"action_item": item.pk, "status": "on_track"}
    january = client.post("/api/v1/progress-entries/", {**body, "month": "2022-01-01"}, format="json")
    assert january.status_code == 400
    assert january.json()["code"] == "month_in_future"
    december = client.post("/api/v1/progress-entries/", {**body, "month": "2021-12-01"}, format="json")
    assert december.status_code == 201, december.content
    _all_on_the_clock(december.json(), expect={"recorded_at"})
