"""Every rule of issue 3 point 2: the refusal, its message and code, and that nothing was written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign.models import LectureSession, SpeakerRole, TourLecturer
from campaign.services import (
    LectureData,
    lecture_create,
    lecture_delete,
    lecture_update,
    tour_lecturer_select,
)
from core.refusals import refusal_codes, refusal_fields
from hospitals.models import ChangeRecord, Post, User
from tests.campaign.conftest import alliance, enter_on, full_coverage, hospital, lecture_data, person
from tests.conftest import Alxa
from tests.reporting.conftest import SetClock

pytestmark = pytest.mark.django_db


def refused(alxa: Alxa, data: LectureData, code: str, actor: User | None = None) -> str:
    """Assert the create is refused with ``code``, nothing written; return the message."""
    lectures, changes = LectureSession.objects.count(), ChangeRecord.objects.count()
    with pytest.raises(ValidationError) as info:
        lecture_create(actor=actor or alxa.reporter, channel="api", data=data)
    assert refusal_codes(info.value) == [code]
    assert LectureSession.objects.count() == lectures
    assert ChangeRecord.objects.count() == changes
    return info.value.messages[0]


def test_valid_in_hospital_lecture_derives_the_speaker_role_and_records_history(alxa: Alxa) -> None:
    data = lecture_data(alxa, coverage=full_coverage(alxa), party_history=True)
    lecture = lecture_create(actor=alxa.reporter, channel="api", data=data)
    assert lecture.speaker_role == SpeakerRole.SECRETARY
    assert lecture.coverage.count() == 16
    record = ChangeRecord.objects.get(object_id=str(lecture.pk), action="create")
    assert record.actor == alxa.reporter
    assert record.changes["title"] == [None, "推动公立医院高质量发展"]
    assert record.changes["speaker_role"] == [None, "secretary"]


def test_president_is_recognised_from_the_post(alxa: Alxa) -> None:
    lecture = lecture_create(
        actor=alxa.reporter, channel="web", data=lecture_data(alxa, speaker=person("H004-P02"))
    )
    assert lecture.speaker_role == SpeakerRole.PRESIDENT


# --- a speaker of the wrong role for the kind -------------------------------------------------------


def test_department_head_may_not_give_the_hospital_wide_lecture(alxa: Alxa) -> None:
    message = refused(alxa, lecture_data(alxa, speaker=person("H004-P03")), "speaker_role_mismatch")
    assert message.startswith("院内宣讲须由本院党委书记或院长宣讲")
    assert "罗萨仁" in message


def test_a_former_president_is_no_longer_a_leader_on_the_lecture_date(alxa: Alxa) -> None:
    message = refused(alxa, lecture_data(alxa, speaker=person("H004-P09")), "speaker_role_mismatch")
    assert "2021-07-10不是阿拉善左旗人民医院的书记或院长" in message


def test_another_hospitals_secretary_may_not_lecture_for_this_hospital(alxa: Alxa) -> None:
    refused(alxa, lecture_data(alxa, speaker=person("H006-P01")), "speaker_role_mismatch")


def test_department_lecture_needs_the_head_of_that_department(alxa: Alxa) -> None:
    data = lecture_data(alxa, "department", speaker=person("H004-P04"))  # 外科主任 at 内科
    message = refused(alxa, data, "speaker_role_mismatch")
    assert message.startswith("科室宣讲须由科室主任宣讲")
    ok = lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa, "department"))
    assert ok.speaker_role == SpeakerRole.DEPARTMENT_HEAD


def test_centralised_lecture_needs_the_banner_commission_head_or_deputy(alxa: Alxa) -> None:
    data = lecture_data(alxa, "centralised", speaker=person("B152922-P01"))  # 右旗 head at 左旗
    message = refused(alxa, data, "speaker_role_mismatch", actor=alxa.banner_reviewer)
    assert message.startswith("集中宣讲须由旗(区)卫生健康委主要负责人或分管领导宣讲")
    deputy = lecture_create(
        actor=alxa.banner_reviewer,
        channel="api",
        data=lecture_data(alxa, "centralised", speaker=person("B152921-P02")),
    )
    assert deputy.speaker_role == SpeakerRole.COMMISSION_DEPUTY


def test_a_stated_role_the_speaker_does_not_hold_is_refused(alxa: Alxa) -> None:
    data = lecture_data(alxa, speaker_role=SpeakerRole.PRESIDENT)  # the secretary claims 院长
    message = refused(alxa, data, "speaker_role_mismatch")
    assert "所填宣讲人身份“院长”" in message


# --- substitutes where the secretary or president must speak in person ----------------------------


@pytest.mark.parametrize("kind_code", ["exchange", "alliance", "region_tour"])
def test_no_substitute_for_the_secretary_or_president(alxa: Alxa, kind_code: str) -> None:
    data = lecture_data(alxa, kind_code, speaker=person("H004-P03"), held_on=dt.date(2021, 8, 10))
    message = refused(alxa, data, "substitute_not_allowed")
    assert "须由书记或院长本人宣讲，不得替代" in message


def test_region_tour_needs_a_selected_lecturer(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-08-25 10:00")  # after the tour (a lecture is not dated after today), before 08-31
    data = lecture_data(alxa, "region_tour", held_on=dt.date(2021, 8, 20))
    message = refused(alxa, data, "tour_lecturer_not_selected")
    assert "未入选本活动的巡讲人选" in message
    tour_lecturer_select(
        actor=alxa.league_reviewer,
        channel="api",
        campaign=alxa.campaign,
        person=person("H004-P01"),
        selected_on=dt.date(2021, 8, 1),
    )
    assert lecture_create(actor=alxa.reporter, channel="api", data=data).pk


def test_a_region_tour_is_also_online(alxa: Alxa, set_clock: SetClock) -> None:
    """§四(三): 全区巡讲同时采取线上宣讲 — an offline tour is refused, and online needs its link."""
    set_clock("2021-08-25 10:00")  # after the tour (a lecture is not dated after today), before 08-31
    tour_lecturer_select(
        actor=alxa.league_reviewer,
        channel="api",
        campaign=alxa.campaign,
        person=person("H004-P01"),
        selected_on=dt.date(2021, 8, 1),
    )
    offline = lecture_data(alxa, "region_tour", held_on=dt.date(2021, 8, 20), is_online=False, online_link="")
    message = refused(alxa, offline, "online_required")
    assert message == "全区巡讲须同时采取线上宣讲（通知四(三)），请勾选线上宣讲并填写线上链接。"
    refused(alxa, offline.replace(is_online=True), "online_link_required")
    online = lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=offline.replace(is_online=True, online_link="https://live.example.cn/tour/1"),
    )
    assert (online.is_online, online.online_link) == (True, "https://live.example.cn/tour/1")
    # Other kinds may still be given offline.
    assert lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa)).is_online is False


def test_only_the_league_selects_tour_lecturers_and_only_leaders(alxa: Alxa, set_clock: SetClock) -> None:
    with pytest.raises(PermissionDenied):
        tour_lecturer_select(
            actor=alxa.banner_reviewer,
            channel="api",
            campaign=alxa.campaign,
            person=person("H004-P01"),
            selected_on=dt.date(2021, 8, 1),
        )
    with pytest.raises(ValidationError) as info:
        tour_lecturer_select(
            actor=alxa.league_reviewer,
            channel="api",
            campaign=alxa.campaign,
            person=person("H004-P03"),
            selected_on=dt.date(2021, 8, 1),
        )
    assert refusal_codes(info.value) == ["tour_lecturer_not_leader"]
    assert not TourLecturer.objects.exists()


def _select(alxa: Alxa, selected_on: dt.date) -> TourLecturer:
    return tour_lecturer_select(
        actor=alxa.league_reviewer,
        channel="api",
        campaign=alxa.campaign,
        person=person("H004-P01"),
        selected_on=selected_on,
    )


def test_tour_lecturers_are_selected_by_08_31_by_the_typed_date_and_the_clock(
    alxa: Alxa, set_clock: SetClock
) -> None:
    """§三(二) "8月底前…择优选拔出全区宣讲讲师": a selection dated after 08-31, or made after 08-31 whatever
    its date, is refused; one on 08-31 itself is accepted."""
    set_clock("2021-10-15 10:00")
    for typed in (dt.date(2021, 10, 15), dt.date(2021, 8, 20)):
        with pytest.raises(ValidationError) as info:
            _select(alxa, typed)
        assert set(refusal_codes(info.value)) == {"tour_selection_closed"}
    assert info.value.messages == [
        "全区巡讲讲师的选拔已于2021-08-31截止（通知三(二)），今天（2021-10-15）不能再选拔。"
    ]
    set_clock("2021-08-31 10:00")
    with pytest.raises(ValidationError) as info:
        _select(alxa, dt.date(2021, 9, 1))
    assert refusal_codes(info.value) == ["date_in_future", "tour_selection_closed"]  # both, at once
    assert not TourLecturer.objects.exists()
    assert _select(alxa, dt.date(2021, 8, 31)).selected_on == dt.date(2021, 8, 31)
    set_clock("2021-09-03 10:00")
    TourLecturer.objects.all().delete()
    with pytest.raises(ValidationError) as info:
        _select(alxa, dt.date(2021, 9, 2))
    assert info.value.messages[0].startswith("全区巡讲讲师须在2021-08-31前选拔（通知三(二)）")


# --- party history outside the speaker's own hospital ---------------------------------------------


@pytest.mark.parametrize("kind_code", ["exchange", "alliance"])
def test_party_history_only_in_the_own_hospital(alxa: Alxa, kind_code: str) -> None:
    data = lecture_data(alxa, kind_code, party_history=True, held_on=dt.date(2021, 8, 10))
    message = refused(alxa, data, "party_history_outside_own_hospital")
    assert message.startswith("党史宣讲仅在本医院宣讲（通知四(二)）")


def test_party_history_is_fine_in_the_own_hospital(alxa: Alxa) -> None:
    assert lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa, party_history=True))


# --- attendance ------------------------------------------------------------------------------------


def test_present_above_expected_is_refused(alxa: Alxa) -> None:
    data = lecture_data(alxa, attendance_expected=400, attendance_present=401, on_duty_exempt=0)
    assert refused(alxa, data, "attendance_exceeds_expected") == "实到人数（401）不能超过应到人数（400）。"
    # Fewer expected than H004's staff as well: both rules are said, each on its field.
    with pytest.raises(ValidationError) as info:
        lecture_create(actor=alxa.reporter, channel="api", data=data.replace(attendance_expected=100))
    assert refusal_fields(info.value) == {
        "attendance_present": ["实到人数（401）不能超过应到人数（100）。"],
        "attendance_expected": [
            "院内宣讲须全院干部职工参加（通知二(一)1.2，保留正常值班人员），应到人数（100）不能少于"
            "阿拉善左旗人民医院在职职工数（460）的85%（391人）。"
        ],
    }


def test_present_and_on_duty_together_may_not_exceed_expected(alxa: Alxa) -> None:
    data = lecture_data(alxa, attendance_expected=400, attendance_present=390, on_duty_exempt=20)
    assert refused(alxa, data, "attendance_exceeds_expected") == (
        "实到人数（390）与正常值班人数（20）之和不能超过应到人数（400）。"
    )
    assert lecture_create(actor=alxa.reporter, channel="api", data=data.replace(attendance_present=380))


def test_a_hospital_wide_lecture_expects_the_staff(alxa: Alxa) -> None:
    """H004 has 460 staff: 院内宣讲 expects at least 85% of them (391), on-duty staff included."""
    data = lecture_data(alxa, attendance_expected=5, attendance_present=5, on_duty_exempt=0)
    assert refused(alxa, data, "attendance_below_staff") == (
        "院内宣讲须全院干部职工参加（通知二(一)1.2，保留正常值班人员），应到人数（5）不能少于"
        "阿拉善左旗人民医院在职职工数（460）的85%（391人）。"
    )
    refused(alxa, data.replace(attendance_expected=390), "attendance_below_staff")
    assert lecture_create(actor=alxa.reporter, channel="api", data=data.replace(attendance_expected=391))
    # A department lecture, or an exchange in another hospital, is not held before all the staff.
    department = lecture_data(
        alxa, "department", attendance_expected=12, attendance_present=10, on_duty_exempt=2
    )
    assert lecture_create(actor=alxa.reporter, channel="api", data=department)
    # The share is campaign data.
    alxa.campaign.settings = {**alxa.campaign.settings, "hospital_wide_min_staff_share": 0.95}
    alxa.campaign.save(update_fields=["settings"])
    refused(alxa, data.replace(campaign=alxa.campaign, attendance_expected=400), "attendance_below_staff")


def test_a_hospital_wide_lecture_below_the_staff_share_does_not_meet_07_31(alxa: Alxa) -> None:
    """Rows entered before the rule (here written past the service) do not count for the milestone."""
    enter_on(dt.date(2021, 7, 10))  # entered on the lectures' day, in time for 07-31
    from campaign.compliance import milestone_compliance

    president = lecture_create(
        actor=alxa.reporter, channel="api", data=lecture_data(alxa, speaker=person("H004-P02"))
    )
    secretary = lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa))

    def state() -> str:
        rows = milestone_compliance(campaign=alxa.campaign, hospitals=[alxa.h004], on=dt.date(2021, 8, 1))
        return next(s.state for s in rows[alxa.h004.pk] if s.milestone.rule == "leaders_in_hospital")

    assert state() == "met"
    LectureSession.objects.filter(pk=secretary.pk).update(
        attendance_expected=5, attendance_present=5, on_duty_exempt=0
    )
    assert state() == "not_met"
    LectureSession.objects.filter(pk=secretary.pk).update(
        attendance_expected=400, attendance_present=390, on_duty_exempt=20
    )
    assert state() == "not_met"  # 390 present + 20 on duty > 400 expected
    assert president.pk


@pytest.mark.parametrize("field", ["attendance_expected", "attendance_present", "on_duty_exempt"])
def test_negative_attendance_is_refused(alxa: Alxa, field: str) -> None:
    message = refused(alxa, lecture_data(alxa, "in_hospital", **{field: -1}), "attendance_negative")
    assert message.endswith("不能为负数。")


# --- a date outside the campaign ------------------------------------------------------------------


@pytest.mark.parametrize("held_on", [dt.date(2021, 6, 20), dt.date(2022, 1, 1)])
def test_date_outside_the_campaign_is_refused(alxa: Alxa, held_on: dt.date) -> None:
    message = refused(alxa, lecture_data(alxa, held_on=held_on), "date_outside_campaign")
    assert "活动期间（2021-06-21至2021-12-31）" in message


@pytest.mark.parametrize("held_on", [dt.date(2021, 6, 21), dt.date(2021, 12, 31)])
def test_first_and_last_day_of_the_campaign_are_inside(alxa: Alxa, held_on: dt.date) -> None:
    assert lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa, held_on=held_on))


# --- alliance and host hospital -------------------------------------------------------------------


def test_alliance_lecture_by_a_hospital_outside_the_alliance(alxa: Alxa) -> None:
    data = lecture_data(alxa, "alliance", alliance=alliance("CC-YQ"), held_on=dt.date(2021, 8, 10))
    message = refused(alxa, data, "not_alliance_member")
    assert "阿拉善左旗人民医院不是阿拉善右旗医共体的成员单位" in message


def test_host_hospital_may_not_be_the_own_hospital(alxa: Alxa) -> None:
    data = lecture_data(alxa, "exchange", host_hospital=alxa.h004, held_on=dt.date(2021, 8, 10))
    assert refused(alxa, data, "host_is_own_hospital") == "院外互讲的受讲医院不能是本院。"


def test_exchange_needs_a_host_and_in_hospital_takes_none(alxa: Alxa) -> None:
    refused(alxa, lecture_data(alxa, "exchange", host_hospital=None), "host_hospital_required")
    refused(alxa, lecture_data(alxa, host_hospital=hospital("H005")), "venue_fields_mismatch")


def test_online_lecture_needs_its_link(alxa: Alxa) -> None:
    refused(alxa, lecture_data(alxa, is_online=True), "online_link_required")


# --- scope ----------------------------------------------------------------------------------------


def test_reporter_cannot_create_for_another_hospital(alxa: Alxa) -> None:
    data = lecture_data(alxa, hospital=alxa.h006, speaker=person("H006-P01"))
    with pytest.raises(PermissionDenied):
        lecture_create(actor=alxa.reporter, channel="api", data=data)
    assert not LectureSession.objects.exists()


def test_reporter_cannot_record_the_banner_centralised_lecture(alxa: Alxa) -> None:
    with pytest.raises(PermissionDenied):
        lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa, "centralised"))


def test_banner_reviewer_cannot_write_for_another_banner(alxa: Alxa) -> None:
    data = lecture_data(alxa, hospital=alxa.h006, speaker=person("H006-P01"))
    with pytest.raises(PermissionDenied):
        lecture_create(actor=alxa.banner_reviewer, channel="api", data=data)


# --- update and delete keep history ---------------------------------------------------------------

Check = Callable[[LectureSession], None]


def test_update_records_old_and_new_and_rechecks_every_rule(alxa: Alxa) -> None:
    lecture = lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa))
    data = LectureData.from_lecture(lecture).replace(attendance_present=375, title="新题目")
    lecture_update(actor=alxa.reporter, channel="web", lecture=lecture, data=data)
    record = ChangeRecord.objects.filter(object_id=str(lecture.pk), action="update").get()
    assert record.changes == {"attendance_present": [380, 375], "title": ["推动公立医院高质量发展", "新题目"]}
    assert record.channel == "web"
    with pytest.raises(ValidationError) as info:
        lecture_update(
            actor=alxa.reporter,
            channel="web",
            lecture=lecture,
            data=data.replace(attendance_present=999),
        )
    assert refusal_codes(info.value) == ["attendance_exceeds_expected"]
    lecture.refresh_from_db()
    assert lecture.attendance_present == 375


def test_delete_is_scoped_and_recorded(alxa: Alxa) -> None:
    lecture = lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa))
    other_reporter = alxa.reporter.__class__.objects.create(
        username="h006", role="hospital_reporter", hospital=alxa.h006
    )
    with pytest.raises(PermissionDenied):
        lecture_delete(actor=other_reporter, channel="api", lecture=lecture)
    pk = lecture.pk
    lecture_delete(actor=alxa.reporter, channel="api", lecture=lecture, reason="重复录入")
    assert not LectureSession.objects.filter(pk=pk).exists()
    record = ChangeRecord.objects.get(object_id=str(pk), action="delete")
    assert record.reason == "重复录入"
    assert record.changes["title"] == ["推动公立医院高质量发展", None]


def test_supervising_officials_are_people_of_a_health_commission(alxa: Alxa) -> None:
    """Issue 15, §四(一) "卫生健康委主要负责人或分管领导要出席指导": the hospital's own department head was
    accepted as the supervising official; now only someone holding a commission post on the lecture's date
    is, the hospital's banner's, the league's or the region's (not another banner's)."""
    dept_head = person("H004-P03")
    message = refused(alxa, lecture_data(alxa, supervising_officials=(dept_head,)), "official_not_commission")
    assert message == (
        "出席指导的卫生健康委领导须为本旗(区)、盟或自治区卫生健康委主要负责人或分管领导（通知四(一)）；"
        f"{dept_head}在2021-07-10不在这些卫生健康委任职。"
    )
    # Another banner's commission head does not supervise a 左旗 hospital's lecture.
    youqi_head = person("B152922-P01")
    refused(alxa, lecture_data(alxa, supervising_officials=(youqi_head,)), "official_not_commission")
    with pytest.raises(ValidationError) as info:
        lecture_create(
            actor=alxa.reporter,
            channel="api",
            data=lecture_data(alxa, supervising_officials=(person("B152921-P01"), dept_head)),
        )
    assert list(refusal_fields(info.value)) == ["supervising_officials"]
    # A commission head whose post ended before the lecture no longer supervises as one.
    Post.objects.filter(person__code="B152921-P02").update(end_on=dt.date(2021, 7, 1))
    refused(
        alxa, lecture_data(alxa, supervising_officials=(person("B152921-P02"),)), "official_not_commission"
    )
    lecture = lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, supervising_officials=(person("B152921-P01"), person("L152900-P01"))),
    )
    assert sorted(p.code for p in lecture.supervising_officials.all()) == ["B152921-P01", "L152900-P01"]
    # An update is checked the same way, and a refused one changes nothing.
    with pytest.raises(ValidationError):
        lecture_update(
            actor=alxa.reporter,
            channel="api",
            lecture=lecture,
            data=LectureData.from_lecture(lecture).replace(supervising_officials=(dept_head,)),
        )
    assert sorted(p.code for p in lecture.supervising_officials.all()) == ["B152921-P01", "L152900-P01"]
