"""A banner's (and the league's) launch record on the pages (milestone 06-25): recorded and corrected
by its own reviewer through ``campaign.services.launch_record_*``, as the API; another banner's page is
404, hospitals are refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from campaign.models import LaunchRecord
from campaign.services import launch_record_create
from hospitals.models import ChangeRecord, User
from tests.campaign.conftest import upload
from tests.conftest import Alxa, client_for, streamed
from tests.samples import PDF, PNG

pytestmark = pytest.mark.django_db
WEB = ChangeRecord.Channel.WEB


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(unit: Any) -> str:
    return f"/units/{unit.pk}/launch/"


def test_the_banner_records_its_launch_from_the_nav(alxa: Alxa) -> None:
    client = _client(alxa.banner_reviewer)
    assert f'href="{_url(alxa.zuoqi)}">启动记录</a>' in client.get("/").content.decode()
    page = client.get(_url(alxa.zuoqi)).content.decode()
    assert "尚未登记启动记录。" in page
    assert "时间节点：2021年6月25日前全盟、各旗(区)、各医院启动活动。" in page
    response = client.post(
        _url(alxa.zuoqi),
        {
            "launched_on": "2021-06-24",
            "meeting": "全旗“讲见效”活动动员部署会",
            "minutes": "各医院书记、院长参会。",
            "attachment": upload("纪要.pdf", PDF),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == _url(alxa.zuoqi)
    record = LaunchRecord.objects.get()
    assert (record.org_unit, record.hospital, record.campaign) == (alxa.zuoqi, None, alxa.campaign)
    assert (record.launched_on, record.meeting) == (dt.date(2021, 6, 24), "全旗“讲见效”活动动员部署会")
    assert record.created_by == alxa.banner_reviewer
    assert ChangeRecord.objects.get(action="create", object_id=str(record.pk)).channel == WEB
    page = client.get(_url(alxa.zuoqi)).content.decode()
    assert 'id="launch-date">2021-06-24</dd>' in page
    download = client.get(f"/launch-records/{record.pk}/attachment/")
    assert download.status_code == 200
    assert streamed(download) == PDF


def test_a_correction_keeps_the_history_and_replaces_the_file(alxa: Alxa) -> None:
    record = launch_record_create(
        actor=alxa.banner_reviewer,
        channel=WEB,
        campaign=alxa.campaign,
        org_unit=alxa.zuoqi,
        launched_on=dt.date(2021, 6, 24),
        meeting="动员会",
        attachment=upload("纪要.pdf", PDF),
    )
    old_file = record.attachment.name
    client = _client(alxa.banner_reviewer)
    form = client.get(_url(alxa.zuoqi)).content.decode()
    assert "修改启动记录" in form
    assert 'value="2021-06-24"' in form
    assert 'value="动员会"' in form
    response = client.post(
        _url(alxa.zuoqi),
        {"launched_on": "2021-06-23", "meeting": "动员部署会", "attachment": upload("现场.png", PNG)},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.launched_on, record.meeting) == (dt.date(2021, 6, 23), "动员部署会")
    assert record.attachment.name != old_file
    assert str(record.attachment.name).endswith(".png")
    change = ChangeRecord.objects.get(action="update", object_id=str(record.pk))
    assert change.changes["meeting"] == ["动员会", "动员部署会"]
    assert "attachment" in change.changes
    page = client.get(_url(alxa.zuoqi)).content.decode()
    assert "启动会议" in page  # the history line names the field
    assert LaunchRecord.objects.count() == 1


def test_bad_input_is_a_chinese_form_error_and_nothing_is_written(alxa: Alxa) -> None:
    client = _client(alxa.banner_reviewer)
    html = client.post(_url(alxa.zuoqi), {"launched_on": "6月24日", "meeting": ""}).content.decode()
    assert "输入一个有效的日期。" in html
    assert "该字段是必填项。" in html
    html = client.post(_url(alxa.zuoqi), {"launched_on": "2021-05-20", "meeting": "动员会"}).content.decode()
    assert "启动日期须在活动期间（2021-06-21至2021-12-31）内，2021-05-20不在其中。" in html
    fake = upload("纪要.pdf", b"<html></html>")
    html = client.post(
        _url(alxa.zuoqi), {"launched_on": "2021-06-24", "meeting": "动员会", "attachment": fake}
    ).content.decode()
    assert "文件内容不是允许的类型" in html
    assert 'id="field-attachment"' in html
    assert not LaunchRecord.objects.exists()
    assert not ChangeRecord.objects.filter(action="create").exists()


def test_the_league_keeps_its_own_and_reads_the_banners(alxa: Alxa) -> None:
    league = _client(alxa.league_reviewer)
    assert f'href="{_url(alxa.league)}">启动记录</a>' in league.get("/").content.decode()
    league.post(_url(alxa.league), {"launched_on": "2021-06-22", "meeting": "全盟启动会"})
    assert LaunchRecord.objects.get().org_unit == alxa.league
    banner_page = league.get(_url(alxa.zuoqi))
    assert banner_page.status_code == 200
    assert 'id="launch-form"' not in banner_page.content.decode()


def test_another_units_page_is_404_and_hospitals_are_refused(alxa: Alxa) -> None:
    theirs = launch_record_create(
        actor=alxa.admin,
        channel=WEB,
        campaign=alxa.campaign,
        org_unit=alxa.youqi,
        launched_on=dt.date(2021, 6, 24),
        meeting="右旗动员会",
        attachment=upload("纪要.pdf", PDF),
    )
    banner = _client(alxa.banner_reviewer)
    assert banner.get(_url(alxa.youqi)).status_code == 404
    assert banner.post(_url(alxa.youqi), {"launched_on": "2021-06-25", "meeting": "改"}).status_code == 404
    assert banner.get(_url(alxa.league)).status_code == 404
    assert banner.get(f"/launch-records/{theirs.pk}/attachment/").status_code == 404
    reporter = _client(alxa.reporter)
    assert reporter.get(_url(alxa.zuoqi)).status_code == 403
    assert reporter.post(_url(alxa.zuoqi), {"launched_on": "2021-06-25", "meeting": "改"}).status_code == 403
    assert reporter.get(f"/launch-records/{theirs.pk}/attachment/").status_code == 404
    assert "启动记录</a>" not in reporter.get("/").content.decode()
    theirs.refresh_from_db()
    assert theirs.meeting == "右旗动员会"
    assert LaunchRecord.objects.count() == 1


def test_the_api_replaces_the_attachment_through_the_same_service(alxa: Alxa) -> None:
    record = launch_record_create(
        actor=alxa.banner_reviewer,
        channel=WEB,
        campaign=alxa.campaign,
        org_unit=alxa.zuoqi,
        launched_on=dt.date(2021, 6, 24),
        meeting="动员会",
    )
    client = client_for(alxa.banner_reviewer)
    response = client.patch(
        f"/api/v1/launch-records/{record.pk}/", {"attachment": upload("现场.png", PNG)}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["has_attachment"] is True
    refused = client.patch(
        f"/api/v1/launch-records/{record.pk}/",
        {"attachment": upload("现场.png", b"<html></html>")},
        format="multipart",
    )
    assert refused.status_code == 400
    assert "文件内容不是允许的类型" in refused.json()["errors"]["attachment"][0]


def test_each_page_says_whether_its_unit_met_06_25_and_the_leagues_lists_the_banners(alxa: Alxa) -> None:
    """Issue 15: the league's and each banner's own 06-25, judged on entry time, on the pages where they
    keep their launch record; the league's page lists every banner's standing."""
    from tests.campaign.conftest import enter_on

    enter_on(dt.date(2021, 6, 23))
    launch_record_create(
        actor=alxa.league_reviewer,
        channel=WEB,
        campaign=alxa.campaign,
        org_unit=alxa.league,
        launched_on=dt.date(2021, 6, 23),
        meeting="全盟启动大会",
    )
    enter_on(dt.date(2021, 7, 2))
    launch_record_create(
        actor=alxa.banner_reviewer,
        channel=WEB,
        campaign=alxa.campaign,
        org_unit=alxa.zuoqi,
        launched_on=dt.date(2021, 6, 24),
        meeting="补录的启动会",
    )
    banner_page = _client(alxa.banner_reviewer).get(_url(alxa.zuoqi)).content.decode()
    assert "启动记录2021-07-02才录入，晚于06-25的期限" in banner_page
    assert 'id="banner-launches"' not in banner_page
    league_page = _client(alxa.league_reviewer).get(_url(alxa.league)).content.decode()
    status = league_page.split('id="launch-status"')[1].split("</p>")[0]
    assert '<span class="badge ok">已完成</span>' in status
    assert "06-23" in status
    table = league_page.split('id="banner-launches"')[1].split("</table>")[0]
    zuoqi = table.split(f'data-banner="{alxa.zuoqi.pk}"')[1].split("</tr>")[0]
    assert '<span class="badge bad">未完成</span>' in zuoqi
    assert "晚于06-25的期限" in zuoqi
    youqi = table.split(f'data-banner="{alxa.youqi.pk}"')[1].split("</tr>")[0]
    assert "尚无启动记录" in youqi
    assert f'href="{_url(alxa.youqi)}"' in youqi
