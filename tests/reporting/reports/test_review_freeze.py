"""The month freezes from submission until a return (issue 13, item 2): while H004's July report is
submitted, first-reviewed or resubmitted, its lectures, materials, progress and indicator values are
read-only for the hospital on every path (API, page form, Excel import, admin); a return opens them
again; a reviewer corrects during review only with a reason, which the history keeps and the hospital
sees."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from campaign.models import LectureMaterial, LectureSession, ProgressEntry
from campaign.services import lecture_create, progress_record
from hospitals.models import ChangeRecord, User
from reporting.indicators.models import IndicatorValue
from reporting.reports.models import MonthlyReport, UnlockRequest
from reporting.reports.selectors import report_lock_state, report_review_corrections
from reporting.reports.services import report_return, report_submit, report_update
from tests.campaign.conftest import h004_action_item, lecture_data
from tests.conftest import Alxa, client_for
from tests.reporting.conftest import JULY, SetClock, fill_indicators, make_report
from tests.reporting.indicators.test_template import download, fill, upload
from tests.samples import PDF

pytestmark = pytest.mark.django_db
IN_REVIEW = "本月报告审核中"
O11A = "O1.1-a"
TITLE = "推动公立医院高质量发展"  # tests.campaign.conftest.lecture_data
MONTH_URL = "/hospitals/{}/months/2021-07/"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


class Month:
    """H004's July with a lecture, an action item's progress and every indicator filled, then its report
    brought to ``state``."""

    def __init__(self, alxa: Alxa, state: str) -> None:
        self.lecture = lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa))
        self.item = h004_action_item(alxa)
        self.progress = progress_record(
            actor=alxa.reporter, channel="web", action_item=self.item, month=JULY, status="on_track"
        )
        self.report = make_report(alxa, state="returned" if state == "resubmitted" else state)
        if state == "draft":  # ready to submit
            fill_indicators(alxa.h004, JULY)
            report_update(report_id=self.report.pk, actor=alxa.reporter, problems="无", corrections="无")
        if state == "resubmitted":
            report_submit(report_id=self.report.pk, actor=alxa.reporter)
        self.report.refresh_from_db()
        assert self.report.status == state
        self.value = IndicatorValue.objects.select_related("indicator").get(
            hospital=alxa.h004, month=JULY, indicator__code=O11A
        )

    def frozen_state(self) -> tuple[Any, ...]:
        self.value.refresh_from_db()
        self.lecture.refresh_from_db()
        return (
            self.value.count,
            self.value.explanation,
            self.lecture.title,
            LectureSession.objects.count(),
            LectureMaterial.objects.count(),
            list(ProgressEntry.objects.values_list("status", "note")),
            ChangeRecord.objects.exclude(content_type__model="monthlyreport").count(),
        )


def _api_writes(alxa: Alxa, month: Month, user: User, reason: str | None = None) -> dict[str, Any]:
    """Every API write of the month, as ``user`` (with ``reason`` in the body when given)."""
    api = client_for(user)
    extra = {} if reason is None else {"reason": reason}
    data = lecture_data(alxa)
    new_lecture = {
        "kind": data.kind.pk,
        "hospital": alxa.h004.pk,
        "held_on": "2021-07-20",
        "title": "补登宣讲",
        "speaker": data.speaker.pk,
        "attendance_expected": 420,
        "attendance_present": 400,
    }
    return {
        "value": api.patch(
            f"/api/v1/indicator-values/{month.value.pk}/", {"count": 9, **extra}, format="json"
        ),
        "explain": api.post(
            f"/api/v1/indicator-values/{month.value.pk}/explain/",
            {"explanation": "活动增加", **extra},
            format="json",
        ),
        "lecture": api.patch(
            f"/api/v1/lectures/{month.lecture.pk}/", {"title": "改过的题目", **extra}, format="json"
        ),
        "new_lecture": api.post("/api/v1/lectures/", {**new_lecture, **extra}, format="json"),
        "progress": api.patch(
            f"/api/v1/progress-entries/{month.progress.pk}/", {"status": "done", **extra}, format="json"
        ),
        "material": api.post(
            "/api/v1/lecture-materials/",
            {"lecture": month.lecture.pk, "kind": "text", "file": io.BytesIO(PDF), **extra},
            format="multipart",
        ),
    }


@pytest.mark.parametrize("state", ["submitted", "banner_reviewed", "resubmitted"])
def test_in_review_the_api_refuses_the_hospital_every_write_and_says_why(
    alxa: Alxa, set_clock: SetClock, state: str
) -> None:
    month = Month(alxa, state)
    before = month.frozen_state()
    who = "阿拉善盟审核员审核" if state == "banner_reviewed" else "阿拉善左旗审核员初审或阿拉善盟审核员审核"
    for name, response in _api_writes(alxa, month, alxa.reporter).items():
        assert response.status_code == 400, (name, response.content)
        body = response.json()
        assert body["code"] == "report_in_review", name
        assert body["message"] == (
            f"2021年07月的月度自查报告：{IN_REVIEW}（{month.report.get_status_display()}，由{who}），"
            "本月的宣讲、材料、进展和指标值在审核期间不能修改，退回后方可修改。"
        ), name
    assert month.frozen_state() == before
    lock = client_for(alxa.reporter).get(f"/api/v1/monthly-reports/{month.report.pk}/contents/").json()
    assert lock["lock_state"]["reason"] == "in_review"
    assert lock["lock_state"]["locked"] is True


def test_a_return_opens_the_month_again(alxa: Alxa, set_clock: SetClock) -> None:
    month = Month(alxa, "submitted")
    report_return(report_id=month.report.pk, actor=alxa.banner_reviewer, reason="O1.1-a 偏低")
    month.report.refresh_from_db()
    assert report_lock_state(month.report).reason == "open"
    answers = _api_writes(alxa, month, alxa.reporter)
    assert {name: r.status_code for name, r in answers.items()} == {
        "value": 200,
        "explain": 200,
        "lecture": 200,
        "new_lecture": 201,
        "progress": 200,
        "material": 201,
    }
    month.value.refresh_from_db()
    assert month.value.count == 9


def test_a_reviewers_correction_needs_a_reason_is_recorded_and_shown_to_the_hospital(
    alxa: Alxa, set_clock: SetClock
) -> None:
    month = Month(alxa, "submitted")
    before = month.frozen_state()
    for name, response in _api_writes(alxa, month, alxa.banner_reviewer).items():
        assert response.status_code == 400, (name, response.content)
        assert response.json()["code"] == "correction_reason_required", name
        assert response.json()["errors"]["reason"] == [
            "报告审核中，审核员更正须填写更正原因（记入变更记录并告知医院）。"
        ], name
    assert month.frozen_state() == before

    api = client_for(alxa.banner_reviewer)
    reason = "原始台账为9次，医院误填"
    response = api.patch(
        f"/api/v1/indicator-values/{month.value.pk}/", {"count": 9, "reason": reason}, format="json"
    )
    assert response.status_code == 200, response.content
    assert "reason" not in response.json()  # write-only
    month.value.refresh_from_db()
    assert month.value.count == 9
    history = client_for(alxa.reporter).get(f"/api/v1/indicator-values/{month.value.pk}/history/").json()
    assert history[0]["reason"] == reason
    assert history[0]["changes"]["count"] == [5, 9]
    lecture = api.patch(
        f"/api/v1/lectures/{month.lecture.pk}/",
        {"title": "更正题目", "reason": "题目与课件不符"},
        format="json",
    )
    assert lecture.status_code == 200, lecture.content
    corrections = report_review_corrections(month.report)
    assert [(c.what.split("：")[0], c.reason, c.actor, c.changes) for c in corrections] == [
        (
            "宣讲活动",
            "题目与课件不符",
            alxa.banner_reviewer,
            [("宣讲题目", "推动公立医院高质量发展", "更正题目")],
        ),
        ("指标值", reason, alxa.banner_reviewer, [("数量", 5, 9)]),
    ]
    # Still frozen for the hospital after the correction.
    refused = client_for(alxa.reporter).patch(
        f"/api/v1/indicator-values/{month.value.pk}/", {"count": 4, "reason": "改回"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "report_in_review"


def test_a_first_reviewed_report_is_corrected_by_the_league_not_the_banner(
    alxa: Alxa, set_clock: SetClock
) -> None:
    month = Month(alxa, "banner_reviewed")
    banner = client_for(alxa.banner_reviewer).patch(
        f"/api/v1/indicator-values/{month.value.pk}/", {"count": 9, "reason": "更正"}, format="json"
    )
    assert banner.status_code == 400
    assert banner.json()["code"] == "report_in_review"
    league = client_for(alxa.league_reviewer).patch(
        f"/api/v1/indicator-values/{month.value.pk}/", {"count": 9, "reason": "更正"}, format="json"
    )
    assert league.status_code == 200, league.content


def test_the_excel_import_is_refused_in_review(alxa: Alxa, set_clock: SetClock) -> None:
    month = Month(alxa, "draft")
    template = download(alxa, alxa.reporter, alxa.h004)
    filled = fill(template, lambda ws, rows: ws.__setitem__(f"D{rows[O11A][0]}", 7))
    dry_run = upload(alxa, alxa.reporter, filled)
    assert dry_run.status_code == 201, dry_run.content
    report_submit(report_id=month.report.pk, actor=alxa.reporter)
    before = month.frozen_state()
    confirm = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run.json()['id']}/confirm/")
    assert confirm.status_code == 400
    assert confirm.json()["code"] == "report_in_review"
    again = upload(alxa, alxa.reporter, filled)
    assert again.status_code == 400
    assert again.json()["code"] == "report_in_review"
    assert month.frozen_state() == before


def test_an_unlock_request_for_a_month_in_review_is_refused(alxa: Alxa, set_clock: SetClock) -> None:
    month = Month(alxa, "submitted")
    response = client_for(alxa.reporter).post(
        f"/api/v1/monthly-reports/{month.report.pk}/unlock-request/", {"reason": "想改指标"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "in_review"
    assert "审核中" in response.json()["message"]
    assert not UnlockRequest.objects.exists()
    assert MonthlyReport.objects.get().status == "submitted"


def _page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _month_post(client: Client, url: str, changes: dict[str, Any]) -> Any:
    """The month page's indicator form as shown (every stored figure), with ``changes``."""
    form = client.get(url).context["form"]
    data = {f"ind-{name}": "" if value is None else value for name, value in form.initial.items()}
    return client.post(url, {**data, **changes})


def test_the_month_page_shows_the_month_frozen_and_its_form_changes_nothing(
    alxa: Alxa, set_clock: SetClock
) -> None:
    month = Month(alxa, "submitted")
    url = MONTH_URL.format(alxa.h004.pk)
    client = _page(alxa.reporter)
    page = client.get(url)
    html = page.content.decode()
    assert "审核中，本月只读" in html
    assert "由阿拉善左旗审核员初审" in html
    assert "退回后方可修改" in html
    assert "可修改，" not in html
    assert 'id="unlock-form"' not in html  # not locked: under review
    assert 'id="report-form"' not in html
    count = f"ind-i{month.value.indicator.pk}_count"
    assert f'name="{count}"' in html
    assert all(field.field.disabled for row in page.context["rows"] for field in row.fields)
    assert '<button type="submit" disabled>保存指标</button>' in html
    before = month.frozen_state()

    posted = _month_post(client, url, {count: "9"})
    assert posted.status_code == 200
    assert "本月报告审核中" in posted.content.decode()
    narrative = client.post(url, {"report-problems": "改", "report-corrections": "改", "action": "save"})
    assert narrative.status_code == 200
    assert "审核期间不能修改" in narrative.content.decode()
    assert month.frozen_state() == before
    month.report.refresh_from_db()
    assert month.report.problems == "课件准备不足"


def test_a_past_locked_month_looks_locked_before_saving(alxa: Alxa, set_clock: SetClock) -> None:
    Month(alxa, "draft")
    set_clock("2021-08-21 09:00")  # past July's lock day (08-20)
    page = _page(alxa.reporter).get(MONTH_URL.format(alxa.h004.pk))
    html = page.content.decode()
    assert "本月只读" in html
    assert "已过锁定日(2021-08-20)" in html
    assert all(field.field.disabled for row in page.context["rows"] for field in row.fields)
    assert 'id="unlock-form"' in html


def test_a_reviewer_corrects_on_the_month_page_with_a_reason_and_the_hospital_sees_it(
    alxa: Alxa, set_clock: SetClock
) -> None:
    month = Month(alxa, "submitted")
    url = MONTH_URL.format(alxa.h004.pk)
    reviewer = _page(alxa.banner_reviewer)
    page = reviewer.get(url)
    assert 'id="correction-reason"' in page.content.decode()
    assert not any(field.field.disabled for row in page.context["rows"] for field in row.fields)
    count = f"ind-i{month.value.indicator.pk}_count"
    refused = _month_post(reviewer, url, {count: "9"})
    assert refused.status_code == 200
    assert "审核员更正须填写更正原因" in refused.content.decode()
    month.value.refresh_from_db()
    assert month.value.count == 5

    done = _month_post(reviewer, url, {count: "9", "ind-reason": "台账核对为9次"})
    assert done.status_code == 302
    month.value.refresh_from_db()
    assert month.value.count == 9
    for path in (url, f"/reports/{month.report.pk}/"):
        html = _page(alxa.reporter).get(path).content.decode()
        assert "审核期间的更正" in html, path
        assert "台账核对为9次" in html, path
        assert "数量 5 → 9" in html, path


def test_the_admin_lets_only_admins_in_and_asks_them_for_a_reason(alxa: Alxa, set_clock: SetClock) -> None:
    """The hospital and the reviewers are not staff: the admin sends them to its login, nothing changes.
    An admin, who may approve the report, corrects it there only with a reason."""
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    month = Month(alxa, "submitted")
    value_url = reverse("admin:reporting_indicatorvalue_change", args=[month.value.pk])
    body = {"numerator": "", "denominator": "", "count": "9", "answers": "[]", "explanation": ""}
    perms = ("view_indicatorvalue", "change_indicatorvalue", "view_progressentry", "change_progressentry")
    progress_url = reverse("admin:campaign_progressentry_change", args=[month.progress.pk])
    progress_body = {"action_item": month.item.pk, "month": "2021-07-01", "status": "done", "note": "",
                     "evidence-TOTAL_FORMS": 0, "evidence-INITIAL_FORMS": 0}  # fmt: skip
    before = month.frozen_state()
    assert before[0] == 5
    for user in (alxa.reporter, alxa.banner_reviewer, alxa.league_reviewer):
        user.user_permissions.add(*Permission.objects.filter(codename__in=perms))
        client = _page(user)
        for url, data in ((value_url, body), (progress_url, progress_body)):
            refused = client.post(url, data)
            assert refused.status_code == 302, (user.username, url)
            assert refused["Location"].startswith(reverse("admin:login"))
    assert month.frozen_state() == before

    admin = _page(alxa.admin)
    no_reason = admin.post(value_url, body)
    assert no_reason.status_code == 200
    assert "审核员更正须填写更正原因" in no_reason.content.decode()
    assert month.frozen_state() == before
    saved = admin.post(value_url, {**body, "reason": "后台更正：台账为9次"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    month.value.refresh_from_db()
    assert month.value.count == 9
    record = ChangeRecord.objects.filter(action="indicator_value_update").latest("at")
    assert (record.reason, record.channel, record.actor) == ("后台更正：台账为9次", "admin", alxa.admin)


def test_the_admin_refuses_an_admin_a_change_to_an_approved_month(alxa: Alxa, set_clock: SetClock) -> None:
    from django.urls import reverse

    month = Month(alxa, "approved")
    before = month.frozen_state()
    value_url = reverse("admin:reporting_indicatorvalue_change", args=[month.value.pk])
    body = {"numerator": "", "denominator": "", "count": "9", "answers": "[]", "explanation": "",
            "reason": "后台更正"}  # fmt: skip
    refused = _page(alxa.admin).post(value_url, body)
    assert refused.status_code == 200
    assert "2021年07月的月度自查报告" in refused.content.decode()
    assert month.frozen_state() == before
