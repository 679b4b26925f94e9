"""Milestone compliance around each deadline (SPEC §3): met / not met / not yet due, with the records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaign import services
from campaign.compliance import (
    ComplianceState,
    MilestoneStatus,
    banner_compliance,
    milestone_compliance,
    unit_launch_compliance,
)
from campaign.models import KeyDocument, LaunchRecord, LectureSession, TourLecturer
from campaign.services import lecture_plan_create, lecture_plan_item_set
from hospitals.models import Hospital, Post
from tests.campaign.conftest import enter_on, hospital, lecture_data, person, upload
from tests.conftest import Alxa
from tests.reporting.conftest import SetClock
from tests.samples import PDF

pytestmark = pytest.mark.django_db

MET, NOT_MET, NOT_DUE = ComplianceState.MET, ComplianceState.NOT_MET, ComplianceState.NOT_DUE
D = dt.date


# Unless a test says otherwise, each record is entered on the day it is dated (a milestone also asks when
# a record was entered: tests/campaign/test_compliance.py::test_a_record_entered_late_is_late).
def lecture_create(**kwargs: Any) -> LectureSession:
    enter_on(kwargs["data"].held_on)
    return services.lecture_create(**kwargs)


def launch_record_create(**kwargs: Any) -> LaunchRecord:
    enter_on(kwargs["launched_on"])
    return services.launch_record_create(**kwargs)


def tour_lecturer_select(**kwargs: Any) -> TourLecturer:
    enter_on(kwargs["selected_on"])
    return services.tour_lecturer_select(**kwargs)


def states(alxa: Alxa, code: str, on: dt.date) -> dict[str, str]:
    h = hospital(code)
    rows = milestone_compliance(campaign=alxa.campaign, hospitals=Hospital.objects.filter(pk=h.pk), on=on)
    return {status.milestone.rule: status.state for status in rows[h.pk]}


def status_of(alxa: Alxa, code: str, rule: str, on: dt.date) -> MilestoneStatus:
    h = hospital(code)
    rows = milestone_compliance(campaign=alxa.campaign, hospitals=[h], on=on)
    return next(s for s in rows[h.pk] if s.milestone.rule == rule)


def test_launch_by_06_25(alxa: Alxa) -> None:
    launch_record_create(
        actor=alxa.admin,
        channel="api",
        campaign=alxa.campaign,
        hospital=alxa.h004,
        launched_on=D(2021, 6, 25),
        meeting="全院启动大会",
    )
    launch_record_create(
        actor=alxa.admin,
        channel="api",
        campaign=alxa.campaign,
        hospital=alxa.h006,
        launched_on=D(2021, 6, 26),
        meeting="迟到的启动会",
    )
    assert states(alxa, "H004", D(2021, 6, 24))["launch"] == NOT_DUE  # recorded the next day
    assert states(alxa, "H004", D(2021, 6, 25))["launch"] == MET
    assert states(alxa, "H004", D(2021, 6, 26))["launch"] == MET
    assert states(alxa, "H005", D(2021, 6, 25))["launch"] == NOT_DUE
    assert states(alxa, "H005", D(2021, 6, 26))["launch"] == NOT_MET
    assert states(alxa, "H006", D(2021, 6, 26))["launch"] == NOT_MET  # launched a day late
    status = status_of(alxa, "H004", "launch", D(2021, 7, 1))
    assert [(r.type, r.label, r.on) for r in status.records] == [
        ("launch_record", "启动：全院启动大会", D(2021, 6, 25))
    ]


def _plan(alxa: Alxa, h: Hospital, fixed_on: dt.date, documents: int) -> None:
    enter_on(fixed_on)
    plan = lecture_plan_create(
        actor=alxa.admin, channel="api", campaign=alxa.campaign, hospital=h, fixed_on=fixed_on
    )
    for document in KeyDocument.objects.filter(campaign=alxa.campaign).order_by("number")[:documents]:
        lecture_plan_item_set(
            actor=alxa.admin,
            channel="api",
            plan=plan,
            document=document,
            title=f"学习{document.title}",
            courseware=upload("kj.pdf", PDF),
        )


def test_lecture_plan_by_06_30_needs_a_title_and_courseware_for_every_key_document(alxa: Alxa) -> None:
    _plan(alxa, alxa.h004, D(2021, 6, 30), documents=4)
    _plan(alxa, hospital("H005"), D(2021, 6, 28), documents=3)
    assert states(alxa, "H004", D(2021, 6, 29))["lecture_plan"] == NOT_DUE
    assert states(alxa, "H004", D(2021, 6, 30))["lecture_plan"] == MET
    assert states(alxa, "H004", D(2021, 7, 1))["lecture_plan"] == MET
    assert states(alxa, "H005", D(2021, 6, 30))["lecture_plan"] == NOT_DUE
    missing = status_of(alxa, "H005", "lecture_plan", D(2021, 7, 1))
    assert missing.state == NOT_MET
    assert missing.detail == "文件4尚未确定题目或上传课件"


def test_centralised_lecture_by_06_30_counts_for_every_hospital_of_the_banner(alxa: Alxa) -> None:
    lecture_create(
        actor=alxa.banner_reviewer,
        channel="api",
        data=lecture_data(alxa, "centralised", held_on=D(2021, 6, 30)),
    )
    assert states(alxa, "H004", D(2021, 6, 29))["centralised_lecture"] == NOT_DUE
    assert states(alxa, "H004", D(2021, 6, 30))["centralised_lecture"] == MET
    assert states(alxa, "H005", D(2021, 7, 1))["centralised_lecture"] == MET
    assert states(alxa, "H006", D(2021, 6, 30))["centralised_lecture"] == NOT_DUE  # 右旗 has none
    assert states(alxa, "H006", D(2021, 7, 1))["centralised_lecture"] == NOT_MET


def test_secretary_and_president_each_lecture_by_07_31(alxa: Alxa) -> None:
    lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa, held_on=D(2021, 7, 5)))
    lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, held_on=D(2021, 7, 31), speaker=person("H004-P02")),
    )
    assert states(alxa, "H004", D(2021, 7, 30))["leaders_in_hospital"] == NOT_DUE  # only the secretary yet
    met = status_of(alxa, "H004", "leaders_in_hospital", D(2021, 7, 31))
    assert met.state == MET
    assert met.met_on == D(2021, 7, 31)
    assert [r.on for r in met.records] == [D(2021, 7, 5), D(2021, 7, 31)]
    assert states(alxa, "H004", D(2021, 8, 1))["leaders_in_hospital"] == MET


def test_only_the_president_lectured(alxa: Alxa) -> None:
    h005 = hospital("H005")
    lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, hospital=h005, speaker=person("H005-P02"), held_on=D(2021, 7, 20)),
    )
    lecture_create(  # a second lecture by the same president does not stand in for the secretary
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, hospital=h005, speaker=person("H005-P02"), held_on=D(2021, 7, 25)),
    )
    assert states(alxa, "H005", D(2021, 7, 31))["leaders_in_hospital"] == NOT_DUE
    late = status_of(alxa, "H005", "leaders_in_hospital", D(2021, 8, 1))
    assert late.state == NOT_MET
    assert late.detail == "书记尚未在全院宣讲"
    assert late.records == ()


def test_a_secretary_lecture_after_07_31_does_not_meet_the_milestone(alxa: Alxa) -> None:
    lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, held_on=D(2021, 7, 10), speaker=person("H004-P02")),
    )
    lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa, held_on=D(2021, 8, 1)))
    assert states(alxa, "H004", D(2021, 8, 2))["leaders_in_hospital"] == NOT_MET


def test_external_lectures_by_the_secretary_and_the_president_by_08_31(alxa: Alxa) -> None:
    """§二(一)1.2: both leaders lecture outside (院外互讲 / 医联体内串讲); either one alone is not enough."""
    lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, "exchange", held_on=D(2021, 8, 10), speaker=person("H004-P02")),
    )
    only_president = status_of(alxa, "H004", "external_lecture", D(2021, 9, 1))
    assert (only_president.state, only_president.detail) == (NOT_MET, "书记尚未院外互讲或医联体内串讲")
    assert only_president.records == ()
    lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, "alliance", held_on=D(2021, 8, 31), speaker=person("H004-P01")),
    )
    assert states(alxa, "H004", D(2021, 8, 30))["external_lecture"] == NOT_DUE
    met = status_of(alxa, "H004", "external_lecture", D(2021, 8, 31))
    assert (met.state, met.met_on) == (MET, D(2021, 8, 31))
    assert [(r.on, r.label) for r in met.records] == [
        (D(2021, 8, 31), "医联体内串讲：推动公立医院高质量发展（郭玉梅，党委书记）"),
        (D(2021, 8, 10), "院外互讲：推动公立医院高质量发展（马斯琴，院长）"),
    ]
    assert states(alxa, "H004", D(2021, 9, 1))["external_lecture"] == MET
    nothing = status_of(alxa, "H005", "external_lecture", D(2021, 9, 1))
    assert (nothing.state, nothing.detail) == (NOT_MET, "书记、院长尚未院外互讲或医联体内串讲")
    assert states(alxa, "H005", D(2021, 8, 31))["external_lecture"] == NOT_DUE


def test_a_region_tour_is_not_an_external_lecture(alxa: Alxa, set_clock: SetClock) -> None:
    """The 全区巡讲 is given by selected lecturers only: it has its own milestone, not the 08-31 pair."""
    set_clock("2021-08-25 10:00")  # after the tour (a lecture is not dated after today), before 08-31
    tour_lecturer_select(
        actor=alxa.league_reviewer,
        channel="api",
        campaign=alxa.campaign,
        person=person("H004-P01"),
        selected_on=D(2021, 8, 1),
    )
    lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, "region_tour", held_on=D(2021, 8, 20)),
    )
    lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, "exchange", held_on=D(2021, 8, 10), speaker=person("H004-P02")),
    )
    status = status_of(alxa, "H004", "external_lecture", D(2021, 9, 1))
    assert (status.state, status.detail) == (NOT_MET, "书记尚未院外互讲或医联体内串讲")


def test_many_hospitals_in_a_fixed_number_of_queries(alxa: Alxa) -> None:
    lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa))
    with CaptureQueriesContext(connection) as one:
        milestone_compliance(
            campaign=alxa.campaign, hospitals=Hospital.objects.filter(code="H004"), on=D(2021, 9, 1)
        )
    with CaptureQueriesContext(connection) as all_ten:
        result = milestone_compliance(
            campaign=alxa.campaign, hospitals=Hospital.objects.all(), on=D(2021, 9, 1)
        )
    assert len(result) == 10
    assert len(one.captured_queries) == len(all_ten.captured_queries) <= 9


def test_banner_rollup(alxa: Alxa) -> None:
    lecture_create(
        actor=alxa.banner_reviewer,
        channel="api",
        data=lecture_data(alxa, "centralised", held_on=D(2021, 6, 28)),
    )
    launch_record_create(
        actor=alxa.admin,
        channel="api",
        campaign=alxa.campaign,
        hospital=alxa.h004,
        launched_on=D(2021, 6, 22),
        meeting="启动会",
    )
    rollup = banner_compliance(campaign=alxa.campaign, banners=[alxa.zuoqi, alxa.youqi], on=D(2021, 7, 1))
    zuoqi = {s.milestone.rule: s for s in rollup[alxa.zuoqi.pk]}
    assert (zuoqi["launch"].hospitals, zuoqi["launch"].met, zuoqi["launch"].not_met) == (5, 1, 4)
    assert zuoqi["centralised_lecture"].met == 5
    assert zuoqi["centralised_lecture"].banner_status is not None
    assert zuoqi["centralised_lecture"].banner_status.records[0].type == "lecture"
    assert zuoqi["leaders_in_hospital"].not_due == 5
    youqi = {s.milestone.rule: s for s in rollup[alxa.youqi.pk]}
    assert (youqi["centralised_lecture"].hospitals, youqi["centralised_lecture"].not_met) == (2, 2)


def _secretary_becomes_president(code: str, on: dt.date) -> None:
    """The president of ``code`` leaves the day before ``on``; from ``on`` its secretary is 书记兼院长."""
    Post.objects.filter(hospital__code=code, role="president", end_on__isnull=True).update(
        end_on=on - dt.timedelta(days=1)
    )
    h = hospital(code)
    Post.objects.create(person=person(f"{code}-P01"), role="president", hospital=h, start_on=on)


def test_a_secretary_who_is_also_the_president_meets_07_31_and_08_31_alone(alxa: Alxa) -> None:
    _secretary_becomes_president("H005", D(2021, 7, 1))
    h005, leader = hospital("H005"), person("H005-P01")
    lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, hospital=h005, speaker=leader, held_on=D(2021, 7, 12)),
    )
    lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, "alliance", hospital=h005, speaker=leader, held_on=D(2021, 8, 12)),
    )
    leaders = status_of(alxa, "H005", "leaders_in_hospital", D(2021, 8, 1))
    assert (leaders.state, leaders.met_on, len(leaders.records)) == (MET, D(2021, 7, 12), 1)
    external = status_of(alxa, "H005", "external_lecture", D(2021, 9, 1))
    assert (external.state, external.met_on) == (MET, D(2021, 8, 12))
    assert [r.label for r in external.records] == ["医联体内串讲：推动公立医院高质量发展（郑乌云，党委书记）"]


def test_both_posts_count_only_on_the_days_they_were_both_held(alxa: Alxa) -> None:
    """A lecture given while the speaker was only 书记 does not stand in for the 院长 they became later."""
    _secretary_becomes_president("H005", D(2021, 7, 20))
    h005, leader = hospital("H005"), person("H005-P01")
    lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, hospital=h005, speaker=leader, held_on=D(2021, 7, 12)),
    )
    late = status_of(alxa, "H005", "leaders_in_hospital", D(2021, 8, 1))
    assert (late.state, late.detail) == (NOT_MET, "院长尚未在全院宣讲")
    lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, hospital=h005, speaker=leader, held_on=D(2021, 7, 25)),
    )
    assert status_of(alxa, "H005", "leaders_in_hospital", D(2021, 8, 1)).met_on == D(2021, 7, 25)


def test_region_tour_by_08_31_each_selected_lecturer_gave_an_online_tour(
    alxa: Alxa, set_clock: SetClock
) -> None:
    assert status_of(alxa, "H004", "region_tour", D(2021, 8, 31)).state == NOT_DUE
    none = status_of(alxa, "H004", "region_tour", D(2021, 9, 1))
    assert (none.state, none.detail) == (NOT_MET, "尚未选拔全区巡讲讲师")
    for code in ("H004-P01", "H005-P02"):
        tour_lecturer_select(
            actor=alxa.league_reviewer,
            channel="api",
            campaign=alxa.campaign,
            person=person(code),
            selected_on=D(2021, 8, 2),
        )
    set_clock("2021-09-10 10:00")  # the tours below are not dated after today
    lecture_create(
        actor=alxa.reporter, channel="api", data=lecture_data(alxa, "region_tour", held_on=D(2021, 8, 20))
    )
    met = status_of(alxa, "H004", "region_tour", D(2021, 9, 1))
    assert (met.state, met.met_on) == (MET, D(2021, 8, 20))
    assert [r.label for r in met.records] == ["全区巡讲：推动公立医院高质量发展（郭玉梅，党委书记）"]
    h005 = status_of(alxa, "H005", "region_tour", D(2021, 9, 1))
    assert (h005.state, h005.detail) == (NOT_MET, "巡讲讲师谢格日勒尚未完成全区巡讲")
    # A hospital with no lecturer of its own answers for the league's selection only.
    h006 = status_of(alxa, "H006", "region_tour", D(2021, 9, 1))
    assert (h006.state, h006.detail, h006.met_on) == (MET, "本院无入选讲师", D(2021, 8, 2))
    assert [(r.type, r.label) for r in h006.records] == [("tour_lecturer", "全盟已选拔2名巡讲讲师")]
    # A tour after 08-31 is too late for the milestone.
    lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(
            alxa, "region_tour", hospital=hospital("H005"), speaker=person("H005-P02"), held_on=D(2021, 9, 2)
        ),
    )
    assert status_of(alxa, "H005", "region_tour", D(2021, 9, 10)).state == NOT_MET


def test_a_record_entered_late_is_late(alxa: Alxa) -> None:
    """Issue 15: a launch record entered in December and dated 06-24 does not meet 06-25; nor does a
    secretary's lecture dated 07-10 but entered on 08-03 meet 07-31. Asked about a day before a record
    was entered, the record did not exist yet."""
    enter_on(D(2021, 12, 5))
    services.launch_record_create(
        actor=alxa.admin,
        channel="api",
        campaign=alxa.campaign,
        hospital=alxa.h004,
        launched_on=D(2021, 6, 24),
        meeting="补录的启动会",
    )
    late = status_of(alxa, "H004", "launch", D(2021, 12, 6))
    assert (late.state, late.records, late.detail) == (
        NOT_MET,
        (),
        "启动记录2021-12-05才录入，晚于06-25的期限",
    )
    assert status_of(alxa, "H004", "launch", D(2021, 12, 4)).detail == "尚无启动记录"  # not entered yet
    lecture_create(actor=alxa.reporter, channel="api", data=lecture_data(alxa, speaker=person("H004-P02")))
    enter_on(D(2021, 8, 3))
    services.lecture_create(
        actor=alxa.reporter, channel="api", data=lecture_data(alxa, held_on=D(2021, 7, 10))
    )
    assert status_of(alxa, "H004", "leaders_in_hospital", D(2021, 8, 4)).state == NOT_MET
    # Entered on 07-31 itself (until midnight in Shanghai) is in time.
    LectureSession.objects.filter(created_at__date__gte=D(2021, 8, 3)).update(
        created_at=dt.datetime(2021, 7, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    )
    on_time = status_of(alxa, "H004", "leaders_in_hospital", D(2021, 8, 4))
    assert (on_time.state, on_time.met_on) == (MET, D(2021, 7, 10))
    # As of 07-20 the lecture entered on 07-31 did not exist yet.
    assert status_of(alxa, "H004", "leaders_in_hospital", D(2021, 7, 20)).state == NOT_DUE


def test_a_lecture_plan_completed_late_is_late(alxa: Alxa) -> None:
    """Issue 15: the plan has an entry stamp, and each item the moment it first had its title and its
    courseware. A plan entered in time whose last courseware came on 07-05 does not meet 06-30, whatever
    its typed 定稿日期; a courseware replaced later keeps an item's first moment."""
    _plan(alxa, alxa.h004, D(2021, 6, 28), documents=3)
    last = KeyDocument.objects.get(campaign=alxa.campaign, number=4)
    plan = alxa.h004.lecture_plans.get()
    enter_on(D(2021, 7, 5))
    lecture_plan_item_set(actor=alxa.admin, channel="api", plan=plan, document=last, title="学习文件4")
    assert status_of(alxa, "H004", "lecture_plan", D(2021, 7, 6)).detail == "文件4尚未确定题目或上传课件"
    lecture_plan_item_set(
        actor=alxa.admin,
        channel="api",
        plan=plan,
        document=last,
        title="学习文件4",
        courseware=upload("kj.pdf", PDF),
    )
    late = status_of(alxa, "H004", "lecture_plan", D(2021, 7, 6))
    assert (late.state, late.records, late.detail) == (
        NOT_MET,
        (),
        "宣讲计划2021-07-05才录入齐备，晚于06-30的期限",
    )
    # Asked about 07-04, the fourth courseware was not there yet.
    assert status_of(alxa, "H004", "lecture_plan", D(2021, 7, 4)).detail == "文件4尚未确定题目或上传课件"
    # A plan entered on 06-30 itself, complete that day, is in time; a new courseware on 08-01 keeps it.
    _plan(alxa, hospital("H005"), D(2021, 6, 30), documents=4)
    h005_plan = hospital("H005").lecture_plans.get()
    enter_on(D(2021, 8, 1))
    lecture_plan_item_set(
        actor=alxa.admin,
        channel="api",
        plan=h005_plan,
        document=last,
        title="学习文件4（修订）",
        courseware=upload("kj2.pdf", PDF),
    )
    assert status_of(alxa, "H005", "lecture_plan", D(2021, 8, 2)).state == MET
    # A plan entered after the day asked about did not exist yet.
    assert status_of(alxa, "H005", "lecture_plan", D(2021, 6, 29)).detail == "尚无宣讲计划"


def test_a_tour_selection_entered_late_does_not_count(alxa: Alxa) -> None:
    """Issue 15: a tour selection is judged on when it was entered, like the other records. The service
    refuses a late selection; one written past it (a data fix in the database) still does not count."""
    selection = tour_lecturer_select(
        actor=alxa.admin,
        channel="api",
        campaign=alxa.campaign,
        person=person("H004-P01"),
        selected_on=D(2021, 8, 1),
    )
    assert selection.created_at == dt.datetime(2021, 8, 1, 20, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert status_of(alxa, "H005", "region_tour", D(2021, 9, 1)).state == MET  # no lecturer of its own
    TourLecturer.objects.filter(pk=selection.pk).update(
        created_at=dt.datetime(2021, 9, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    )
    late = status_of(alxa, "H005", "region_tour", D(2021, 9, 2))
    assert (late.state, late.detail) == (NOT_MET, "尚未选拔全区巡讲讲师")


def test_the_league_and_each_banner_answer_06_25_for_themselves(alxa: Alxa) -> None:
    """Issue 15: 06-25 is "全盟、各旗(区)、各医院". The league's and each banner's own launch record is judged
    like a hospital's: dated and entered by 06-25. Before, only hospitals were checked, so a banner that
    never launched (or entered its record in December) showed nothing."""
    launch_record_create(
        actor=alxa.league_reviewer,
        channel="api",
        campaign=alxa.campaign,
        org_unit=alxa.league,
        launched_on=D(2021, 6, 23),
        meeting="全盟启动大会",
    )
    enter_on(D(2021, 12, 2))
    services.launch_record_create(
        actor=alxa.banner_reviewer,
        channel="api",
        campaign=alxa.campaign,
        org_unit=alxa.zuoqi,
        launched_on=D(2021, 6, 24),
        meeting="补录的左旗启动会",
    )
    units = [alxa.league, alxa.zuoqi, alxa.youqi]
    before = unit_launch_compliance(campaign=alxa.campaign, units=units, on=D(2021, 6, 25))
    assert {pk: s.state for pk, s in before.items()} == {
        alxa.league.pk: MET,
        alxa.zuoqi.pk: NOT_DUE,
        alxa.youqi.pk: NOT_DUE,
    }
    after = unit_launch_compliance(campaign=alxa.campaign, units=units, on=D(2021, 12, 3))
    assert [(r.type, r.label, r.on) for r in after[alxa.league.pk].records] == [
        ("launch_record", "启动：全盟启动大会", D(2021, 6, 23))
    ]
    assert (after[alxa.zuoqi.pk].state, after[alxa.zuoqi.pk].detail) == (
        NOT_MET,
        "启动记录2021-12-02才录入，晚于06-25的期限",
    )
    assert (after[alxa.youqi.pk].state, after[alxa.youqi.pk].detail) == (NOT_MET, "尚无启动记录")
    # The banner rollup carries the banner's own launch beside its hospitals' counts.
    rollup = banner_compliance(campaign=alxa.campaign, banners=[alxa.zuoqi, alxa.youqi], on=D(2021, 12, 3))
    zuoqi = next(s for s in rollup[alxa.zuoqi.pk] if s.milestone.rule == "launch")
    assert zuoqi.banner_status is not None
    assert zuoqi.banner_status.state == NOT_MET
    # Two queries whatever the number of units.
    with CaptureQueriesContext(connection) as queries:
        unit_launch_compliance(campaign=alxa.campaign, units=units, on=D(2021, 12, 3))
    assert len(queries) == 2
