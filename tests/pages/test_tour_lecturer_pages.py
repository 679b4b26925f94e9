"""The league's 全区巡讲 lecturers on the pages (§三(二)): selected and removed through
``campaign.services.tour_lecturer_select`` / ``tour_lecturer_remove`` with the services' dates and
rules as Chinese form errors; another league's lecturer is 404; banners and hospitals are refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from campaign.models import TourLecturer
from campaign.services import lecture_create, tour_lecturer_select
from hospitals.models import ChangeRecord, Hospital, Person, Post, User
from tests.campaign.conftest import kind, lecture_data, person
from tests.conftest import Alxa
from tests.factories import HospitalFactory, PostFactory
from tests.reporting.conftest import SetClock

pytestmark = pytest.mark.django_db
URL = "/tour-lecturers/"
WEB = ChangeRecord.Channel.WEB


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _select(client: Client, code: str, on: str = "2021-08-02", **extra: Any) -> Any:
    return client.post(URL, {"person": person(code).pk, "selected_on": on, **extra})


def test_the_league_selects_a_lecturer_from_its_nav(alxa: Alxa, set_clock: SetClock) -> None:
    client = _client(alxa.league_reviewer)
    assert f'href="{URL}">巡讲讲师</a>' in client.get("/").content.decode()
    page = client.get(URL).content.decode()
    assert "尚未选拔全区巡讲讲师。" in page
    assert "2021年8月31日前择优选拔" in page
    assert 'value="2021-08-03"' in page  # today, on the reporting clock
    assert "郭玉梅（阿拉善左旗人民医院）" in page
    assert "罗萨仁" not in page  # a department head holds no 书记/院长 post
    response = _select(client, "H004-P01", note="盟卫生健康委推荐")
    assert response.status_code == 302
    assert response.headers["Location"] == URL
    selection = TourLecturer.objects.get()
    assert (selection.person.code, selection.campaign, selection.selected_on, selection.note) == (
        "H004-P01",
        alxa.campaign,
        dt.date(2021, 8, 2),
        "盟卫生健康委推荐",
    )
    record = ChangeRecord.objects.get(action="create", object_id=str(selection.pk))
    assert (record.channel, record.actor) == (WEB, alxa.league_reviewer)
    listing = client.get(URL).content.decode()
    row = listing[listing.index(f'id="tour-lecturer-{selection.pk}"') :]
    assert "郭玉梅" in row[: row.index("</tr>")]
    assert "党委书记" in row[: row.index("</tr>")]
    assert "尚未巡讲" in row[: row.index("</tr>")]
    # The tour she then gives is listed beside her.
    tour = lecture_create(
        actor=alxa.reporter,
        channel=WEB,
        data=lecture_data(
            alxa,
            "region_tour",
            held_on=dt.date(2021, 8, 3),
            title="全区巡讲：高质量发展",
            is_online=True,
            online_link="https://example.com/live",
        ),
    )
    listing = client.get(URL).content.decode()
    assert f'href="/lectures/{tour.pk}/">08-03 全区巡讲：高质量发展</a>' in listing


@pytest.mark.parametrize(
    ("code", "on", "message"),
    [
        ("H004-P01", "", "该字段是必填项。"),
        ("H004-P01", "8月2日", "输入一个有效的日期。"),
        ("H004-P01", "2021-08-10", "入选日期（2021-08-10）不能晚于今天。"),
        ("H004-P01", "2021-06-01", "入选日期须在活动期间（2021-06-21至2021-12-31）内，2021-06-01不在其中。"),
        ("H004-P03", "2021-08-02", "选择一个有效的选项： 该选择不在可用的选项中。"),
    ],
)
def test_bad_input_is_a_chinese_form_error_and_nothing_is_written(
    alxa: Alxa, set_clock: SetClock, code: str, on: str, message: str
) -> None:
    response = _select(_client(alxa.league_reviewer), code, on)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TourLecturer.objects.exists()


def test_the_services_dates_and_rules_are_shown_on_the_form(alxa: Alxa, set_clock: SetClock) -> None:
    client = _client(alxa.league_reviewer)
    _select(client, "H004-P02")
    duplicate = _select(client, "H004-P02").content.decode()
    assert "马斯琴已入选本活动的巡讲人选。" in duplicate
    # A leader whose post ended before the selection day is not a leader on it.
    Post.objects.filter(person__code="H006-P02").update(end_on=dt.date(2021, 7, 1))
    former = _select(client, "H006-P02").content.decode()
    assert "全区巡讲讲师须为医院的书记或院长；董少华在2021-08-02不担任该职务。" in former
    set_clock("2021-09-03 10:00")
    closed = _select(client, "H006-P01", "2021-08-30").content.decode()
    assert "全区巡讲讲师的选拔已于2021-08-31截止（通知三(二)），今天（2021-09-03）不能再选拔。" in closed
    assert list(TourLecturer.objects.values_list("person__code", flat=True)) == ["H004-P02"]


def test_a_lecturer_is_removed_with_a_reason_kept_in_the_history(alxa: Alxa, set_clock: SetClock) -> None:
    selection = tour_lecturer_select(
        actor=alxa.league_reviewer,
        channel=WEB,
        campaign=alxa.campaign,
        person=person("H004-P01"),
        selected_on=dt.date(2021, 8, 1),
    )
    client = _client(alxa.league_reviewer)
    page = client.get(URL).content.decode()
    assert f'action="/tour-lecturers/{selection.pk}/remove/"' in page
    response = client.post(f"/tour-lecturers/{selection.pk}/remove/", {"reason": "改由院长巡讲"})
    assert response.headers["Location"] == URL
    assert not TourLecturer.objects.exists()
    record = ChangeRecord.objects.get(action="delete", object_id=str(selection.pk))
    assert (record.reason, record.actor) == ("改由院长巡讲", alxa.league_reviewer)
    assert "已移除全区巡讲讲师：郭玉梅。" in client.get(URL).content.decode()


def test_another_leagues_lecturer_is_404_and_banners_and_hospitals_are_refused(
    alxa: Alxa, set_clock: SetClock
) -> None:
    elsewhere: Hospital = HospitalFactory.create()  # in a banner of another league
    leader = Person.objects.create(code="X-P01", hospital=elsewhere, name="外盟书记")
    PostFactory(person=leader, hospital=elsewhere, role=Post.Role.SECRETARY, start_on=dt.date(2020, 1, 1))
    theirs = TourLecturer.objects.create(
        campaign=alxa.campaign, person=leader, selected_on=dt.date(2021, 8, 1)
    )
    client = _client(alxa.league_reviewer)
    page = client.get(URL).content.decode()
    assert "外盟书记" not in page
    assert client.post(f"/tour-lecturers/{theirs.pk}/remove/").status_code == 404
    refused = client.post(URL, {"person": leader.pk, "selected_on": "2021-08-02"}).content.decode()
    assert "选择一个有效的选项" in refused
    for user in (alxa.banner_reviewer, alxa.reporter):
        other = _client(user)
        assert other.get(URL).status_code == 403
        assert _select(other, "H004-P01").status_code == 403
        assert other.post(f"/tour-lecturers/{theirs.pk}/remove/").status_code == 403
        assert "巡讲讲师</a>" not in other.get("/").content.decode()
    assert list(TourLecturer.objects.all()) == [theirs]
    assert kind(alxa, "region_tour").name == "全区巡讲"


def test_the_list_does_not_grow_queries_with_lecturers(alxa: Alxa, set_clock: SetClock) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(alxa.league_reviewer)

    def count() -> int:
        client.get(URL)
        with CaptureQueriesContext(connection) as captured:
            client.get(URL)
        return len(captured)

    _select(client, "H004-P01")
    one = count()
    for code in ("H004-P02", "H006-P01", "H006-P02"):
        _select(client, code)
    assert TourLecturer.objects.count() == 4
    assert count() == one
