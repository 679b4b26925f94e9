"""Report pages with the Django test client: submit from the month page, the review queue, return with
reasons per item, what changed since the last review, approve, bulk approve, unlocks, notifications,
the bulletin and the December evaluation — every action through reporting's services."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client

from campaign.models import Indicator
from hospitals.models import User
from reporting.bulletins.models import Bulletin
from reporting.indicators.services import indicator_value_save
from reporting.notices.models import Notification
from reporting.reports.models import MonthlyReport, UnlockRequest
from tests.conftest import Alxa
from tests.reporting.conftest import JULY, SetClock, fill_indicators, make_report

pytestmark = pytest.mark.django_db
MONTH = "/hospitals/{}/months/2021-07/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_reporter_submits_the_month_from_its_page(alxa: Alxa, set_clock: SetClock) -> None:
    client = _client(alxa.reporter)
    url = MONTH.format(alxa.h004.pk)
    blocked = client.post(url, {"report-problems": "无", "report-corrections": "无", "action": "submit"})
    html = blocked.content.decode()
    assert blocked.status_code == 200
    assert "尚未填报" in html  # the hard rule names the missing indicators, on the form
    report = MonthlyReport.objects.get(hospital=alxa.h004, month=JULY)
    assert report.status == MonthlyReport.Status.DRAFT
    fill_indicators(alxa.h004, JULY)
    done = client.post(url, {"report-problems": "无", "report-corrections": "无", "action": "submit"})
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.SUBMITTED
    assert report.late_days == 0
    assert "已提交" in client.get(url).content.decode()


def test_banner_reviewer_returns_with_a_reason_on_an_item(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="submitted")
    client = _client(alxa.banner_reviewer)
    queue = client.get("/review/").content.decode()
    assert f"/reports/{report.pk}/" in queue
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "O1.1-a 党员社区志愿服务活动次数" in page
    labels = [line for line in page.splitlines() if 'data-item="indicator:O1.1-a"' in line]
    assert labels
    form = client.get(f"/reports/{report.pk}/").context["return_form"]
    index = [key for key, _, _ in form.item_fields()].index("indicator:O1.1-a")
    response = client.post(
        f"/reports/{report.pk}/",
        {"action": "return", "return-reason": "", f"return-item_{index}": "与台账不符，请核实"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.RETURNED
    reporter = _client(alxa.reporter)
    month_page = reporter.get(MONTH.format(alxa.h004.pk)).content.decode()
    assert "与台账不符，请核实" in month_page
    assert Notification.objects.filter(user=alxa.reporter, kind="report_returned").exists()
    assert "被退回" in reporter.get("/notifications/").content.decode()


def test_a_return_without_any_reason_is_refused_on_the_form(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="submitted")
    response = _client(alxa.banner_reviewer).post(f"/reports/{report.pk}/", {"action": "return"})
    assert "退回须填写原因" in response.content.decode()
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.SUBMITTED


def test_resubmission_shows_what_changed_and_league_approves(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="returned")
    indicator_value_save(
        actor=alxa.reporter,
        channel="web",
        indicator=Indicator.objects.get(campaign=alxa.campaign, code="O1.1-a"),
        month=JULY,
        hospital=alxa.h004,
        count=9,
    )
    reporter = _client(alxa.reporter)
    reporter.post(
        MONTH.format(alxa.h004.pk),
        {"report-problems": "课件准备不足", "report-corrections": "已补齐课件", "action": "submit"},
    )
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.RESUBMITTED
    page = _client(alxa.banner_reviewer).get(f"/reports/{report.pk}/").content.decode()
    changes = page.split('id="changes"')[1].split("</section>")[0]
    assert "O1.1-a" in changes
    assert '<td class="new">9</td>' in changes
    assert (
        _client(alxa.banner_reviewer).post(f"/reports/{report.pk}/", {"action": "banner_review"}).status_code
        == 302
    )
    league = _client(alxa.league_reviewer)
    assert league.post(f"/reports/{report.pk}/", {"action": "approve"}).status_code == 302
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.APPROVED
    assert "报告已审核通过，只读" in reporter.get(MONTH.format(alxa.h004.pk)).content.decode()


def test_banner_reviewer_cannot_approve(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="submitted")
    response = _client(alxa.banner_reviewer).post(f"/reports/{report.pk}/", {"action": "approve"})
    assert response.status_code == 200
    assert "form-errors" in response.content.decode()
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.SUBMITTED


def test_bulk_approve_from_the_queue(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="submitted")
    league = _client(alxa.league_reviewer)
    response = league.post("/review/", {"report": [str(report.pk)]}, follow=True)
    assert "已批量审核通过1份报告" in response.content.decode()
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.APPROVED
    refused = _client(alxa.banner_reviewer).post("/review/", {"report": [str(report.pk)]}, follow=True)
    assert "只有盟审核员可以批量审核通过" in refused.content.decode()


def test_queue_filters(alxa: Alxa, set_clock: SetClock) -> None:
    make_report(alxa, state="submitted")
    league = _client(alxa.league_reviewer)
    assert "阿拉善左旗人民医院" in league.get("/review/?status=submitted").content.decode()
    assert "阿拉善左旗人民医院" not in league.get(f"/review/?banner={alxa.youqi.pk}").content.decode()
    assert "阿拉善左旗人民医院" not in league.get("/review/?level=tertiary").content.decode()
    assert "阿拉善左旗人民医院" not in league.get("/review/?late=on").content.decode()
    assert _client(alxa.reporter).get("/review/").status_code == 403


def test_unlock_request_and_grant(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="approved")
    reporter = _client(alxa.reporter)
    reporter.post(MONTH.format(alxa.h004.pk), {"unlock-reason": "发现病案首页数据有误"})
    request = UnlockRequest.objects.get(report=report)
    assert "发现病案首页数据有误" in _client(alxa.league_reviewer).get("/unlock-requests/").content.decode()
    response = _client(alxa.league_reviewer).post(
        "/unlock-requests/",
        {"decide-request_id": request.pk, "decide-until": "2021-08-10", "action": "grant"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.unlocked_until == dt.date(2021, 8, 10)
    assert "已解锁，可修改至2021-08-10" in reporter.get(MONTH.format(alxa.h004.pk)).content.decode()


def test_bulletin_build_publish_and_excel(alxa: Alxa, set_clock: SetClock) -> None:
    make_report(alxa, state="approved")
    league = _client(alxa.league_reviewer)
    response = league.post("/bulletins/", {"month": "2021-07-01"})
    bulletin = Bulletin.objects.get()
    assert response.headers["Location"] == f"/bulletins/{bulletin.pk}/"
    page = league.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert "月度自查报告" in page
    assert _client(alxa.banner_reviewer).get(f"/bulletins/{bulletin.pk}/").status_code == 404  # a draft
    league.post(f"/bulletins/{bulletin.pk}/", {"action": "publish"})
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.PUBLISHED
    assert _client(alxa.banner_reviewer).get(f"/bulletins/{bulletin.pk}/").status_code == 200
    assert (
        _client(alxa.reporter).get(f"/bulletins/{bulletin.pk}/").status_code == 200
    )  # published: league-wide
    excel = league.get(f"/bulletins/{bulletin.pk}/excel/")
    assert excel.headers["Content-Disposition"].startswith("attachment")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(excel.streaming_content)))  # type: ignore[attr-defined]
    assert len(workbook.sheetnames) >= 2


def test_only_the_league_builds_a_bulletin(alxa: Alxa, set_clock: SetClock) -> None:
    response = _client(alxa.banner_reviewer).post("/bulletins/", {"month": "2021-07-01"})
    assert "只有盟审核员可以生成月度通报" in response.content.decode()
    assert Bulletin.objects.count() == 0


def test_december_evaluation(alxa: Alxa, set_clock: SetClock) -> None:
    league = _client(alxa.league_reviewer)
    too_early = league.post("/evaluation/", {})
    assert "年终评估在12月进行" in too_early.content.decode()
    set_clock("2021-12-20 10:00")
    assert league.post("/evaluation/", {}).status_code == 302
    page = league.get("/evaluation/").content.decode()
    assert "阿拉善右旗人民医院" in page
    # A draft: the banner reviewer opens the page and reads that it is not published, no row, no button.
    banner_page = _client(alxa.banner_reviewer).get("/evaluation/").content.decode()
    assert "年终评估尚未发布" in banner_page
    assert "阿拉善右旗人民医院" not in banner_page
    assert 'value="publish"' not in banner_page
    assert _client(alxa.banner_reviewer).post("/evaluation/", {"action": "build"}).status_code == 403


def test_another_hospitals_report_is_404(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="submitted")
    other = User.objects.create_user("h006x", password="x", role="hospital_reporter", hospital=alxa.h006)
    assert _client(other).get(f"/reports/{report.pk}/").status_code == 404
    assert _client(other).get(MONTH.format(alxa.h004.pk)).status_code == 404
    assert _client(other).post(f"/reports/{report.pk}/", {"action": "approve"}).status_code == 404
