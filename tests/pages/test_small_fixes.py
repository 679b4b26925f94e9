"""The "smaller things" of issue 14 on the pages: real target texts, one 已 in a message, history in
Chinese with people's names, Chinese error pages, the queue's status filter, no "None" in the bulletin,
the unread badge."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from campaign.models import Indicator
from hospitals.models import ChangeRecord, User
from reporting.bulletins.services import bulletin_build
from reporting.notices.models import Notification
from tests.conftest import Alxa, client_for
from tests.reporting.conftest import JULY, SetClock, fill_indicators, make_report

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_target_text_names_the_numbers(alxa: Alxa) -> None:
    texts = {i.code: i.target_text for i in Indicator.objects.filter(campaign=alxa.campaign)}
    assert texts["O1.2-b"] == "较上年提高10个百分点"
    assert texts["O4.2-b"] == "较上年提高10%"
    assert texts["O3.1-a"] == "二级医院不低于75%；三级医院不低于60%"
    assert texts["O3.1-b"] == "达到95%的医院数较上年增加"
    assert not any("N" in t for t in texts.values())


def test_month_page_shows_the_target_in_words(alxa: Alxa, set_clock: SetClock) -> None:
    html = _client(alxa.reporter).get(f"/hospitals/{alxa.h004.pk}/months/2021-07/").content.decode()
    assert "目标：较上年提高10%" in html
    assert "N%" not in html
    assert "N个百分点" not in html


def test_submit_message_has_one_yi(alxa: Alxa, set_clock: SetClock) -> None:
    fill_indicators(alxa.h004, JULY)
    client = _client(alxa.reporter)
    url = f"/hospitals/{alxa.h004.pk}/months/2021-07/"
    response = client.post(
        url, {"report-problems": "无", "report-corrections": "无", "action": "submit"}, follow=True
    )
    html = response.content.decode()
    assert "：已提交。" in html
    assert "已已" not in html


def test_history_shows_chinese_actions_and_names(alxa: Alxa, set_clock: SetClock) -> None:
    report = make_report(alxa, state="returned")
    html = _client(alxa.league_reviewer).get(f"/reports/{report.pk}/").content.decode()
    history = html[html.index('id="history"') :]
    assert "左旗人民医院填报员 · 提交" in history
    assert "左旗卫健委审核员 · 退回：数据不全" in history
    assert not re.search(r"· (submit|return|update|create)\b", history)
    assert "zuoqi" not in history
    # The API's history carries the same labels beside the codes.
    rows = client_for(alxa.league_reviewer).get(f"/api/v1/monthly-reports/{report.pk}/history/").json()
    returned = next(r for r in rows if r["action"] == "return")
    assert returned["action_label"] == "退回"
    assert returned["actor"] == "zuoqi"
    assert returned["actor_name"] == "左旗卫健委审核员"


def test_change_record_labels() -> None:
    record = ChangeRecord(action="unlock_refuse")
    assert record.action_label == "不同意解锁"
    assert record.actor_name == "系统"
    assert ChangeRecord(action="something_new").action_label == "something_new"


@override_settings(DEBUG=False)
def test_error_pages_are_chinese(alxa: Alxa) -> None:
    anonymous = Client()
    missing = anonymous.get("/no-such-page/")
    assert missing.status_code == 404
    assert "页面不存在" in missing.content.decode()
    assert "Not Found" not in missing.content.decode()
    refused = _client(alxa.reporter).get("/review/")
    assert refused.status_code == 403
    assert "无权访问" in refused.content.decode()
    assert "您的角色无权访问该页面。" in refused.content.decode()
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(alxa.reporter)
    forbidden = csrf.post("/notifications/", {})
    assert forbidden.status_code == 403
    assert "页面已过期" in forbidden.content.decode()


def test_500_page_is_chinese() -> None:
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "服务器内部错误" in html
    assert "Server Error" not in html


def test_queue_status_shown_is_status_applied(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-08-03 10:00")
    report = make_report(alxa, state="submitted")
    client = _client(alxa.banner_reviewer)
    for url in ("/review/", "/review/?month=2021-07-01"):
        html = client.get(url).content.decode()
        assert re.search(r'<option value="pending" selected>待我审核</option>', html), url
        assert f"/reports/{report.pk}/" in html
    # Once first-reviewed the report leaves "待我审核" for this reviewer, and is found under 全部.
    client.post(f"/reports/{report.pk}/", {"action": "banner_review"})
    assert f"/reports/{report.pk}/" not in client.get("/review/").content.decode()
    everything = client.get("/review/?status=").content.decode()
    assert re.search(r'<option value="" selected>全部</option>', everything)
    assert f"/reports/{report.pk}/" in everything


def test_bulletin_prints_a_dash_for_hospitals_without_report(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-08-10 10:00")
    make_report(alxa, state="submitted")
    bulletin = bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    html = _client(alxa.league_reviewer).get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert "None" not in html
    assert "<td>—</td><td>—</td><td>—</td><td>未提交报告</td>" in html


def test_unread_badge_in_the_nav(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    assert 'id="unread-badge"' not in client.get("/notifications/").content.decode()
    Notification.objects.create(user=alxa.reporter, kind="reminder", title="请提交7月报告")
    Notification.objects.create(user=alxa.reporter, kind="reminder", title="请提交8月报告")
    Notification.objects.create(user=alxa.banner_reviewer, kind="reminder", title="别人的")
    html = client.get("/").content.decode()
    assert re.search(r'通知 <span class="nav-badge" id="unread-badge" aria-label="未读2条">2</span>', html)
    client.post("/notifications/", {})
    assert 'id="unread-badge"' not in client.get("/").content.decode()


def test_banner_lectures_page(alxa: Alxa) -> None:
    from campaign.services import lecture_create
    from tests.campaign.conftest import lecture_data

    central = lecture_create(actor=alxa.admin, channel="web", data=lecture_data(alxa, "centralised"))
    hospital = lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa, title="院内"))
    client = _client(alxa.banner_reviewer)
    home = client.get("/").content.decode()
    assert f'href="/banners/{alxa.zuoqi.pk}/lectures/">集中宣讲</a>' in home
    html = client.get(f"/banners/{alxa.zuoqi.pk}/lectures/").content.decode()
    assert f'href="/lectures/{central.pk}/"' in html
    assert f'href="/lectures/{hospital.pk}/"' not in html
    assert client.get(f"/banners/{alxa.youqi.pk}/lectures/").status_code == 404
    assert "集中宣讲</a>" not in _client(alxa.reporter).get("/").content.decode()
