"""Issue 16 point 2: the people services (hospitals.people): who manages, each refusal with nothing
written, the history, and a post change taking effect for the lecture rules from its date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign.models import LectureSession, SpeakerRole
from campaign.services import lecture_create
from core.refusals import refusal_codes, refusal_fields
from hospitals.audit import history_of
from hospitals.models import ChangeRecord, Department, Person, Post, Role
from hospitals.people import (
    PersonData,
    account_manager_check,
    department_create,
    department_delete,
    department_update,
    people_manager_check,
    person_create,
    person_delete,
    person_update,
    post_create,
    post_delete,
    post_update,
    user_manages_people,
)
from tests.campaign.conftest import lecture_data, person
from tests.conftest import Alxa
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

H004_PRESIDENT = "H004-P02"  # 马斯琴, 院长 since 2018-09-01


def _counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Post.objects.count(),
        Department.objects.count(),
        ChangeRecord.objects.count(),
    )


# --- who manages -------------------------------------------------------------------------------------


def test_a_reporter_manages_its_own_hospital_only(alxa: Alxa) -> None:
    assert user_manages_people(alxa.reporter, hospital=alxa.h004)
    assert not user_manages_people(alxa.reporter, hospital=alxa.h001)
    before = _counts()
    with pytest.raises(PermissionDenied, match="无权维护"):
        person_create(
            actor=alxa.reporter, channel="api", hospital=alxa.h001, data=PersonData(name="外院人员")
        )
    assert _counts() == before


@pytest.mark.parametrize("who", ["banner_reviewer", "league_reviewer"])
def test_reviewers_manage_no_people(alxa: Alxa, who: str) -> None:
    reviewer = getattr(alxa, who)
    before = _counts()
    with pytest.raises(PermissionDenied, match="审核员只能查看"):
        person_create(actor=reviewer, channel="web", hospital=alxa.h004, data=PersonData(name="某某"))
    with pytest.raises(PermissionDenied):
        post_update(
            actor=reviewer,
            channel="web",
            post=Post.objects.get(person__code=H004_PRESIDENT),
            start_on=dt.date(2018, 9, 1),
            end_on=dt.date(2021, 7, 1),
        )
    assert _counts() == before
    with pytest.raises(PermissionDenied):
        account_manager_check(reviewer, hospital=alxa.h004)


def test_a_league_admin_manages_its_league_only(alxa: Alxa) -> None:
    league_admin = UserFactory.create(
        username="alxa-admin", role=Role.ADMIN, hospital=None, org_unit=alxa.league
    )
    other_league = UserFactory.create(
        username="other-admin",
        role=Role.ADMIN,
        hospital=None,
        org_unit=type(alxa.league).objects.create(code="150200", name="包头市", kind="league"),
    )
    people_manager_check(league_admin, hospital=alxa.h006)
    people_manager_check(league_admin, org_unit=alxa.zuoqi)
    account_manager_check(league_admin, hospital=alxa.h004)
    with pytest.raises(PermissionDenied):
        people_manager_check(other_league, hospital=alxa.h004)
    with pytest.raises(PermissionDenied, match="本盟管理员"):
        account_manager_check(other_league, hospital=alxa.h004)
    # A system admin (no organisation) manages everything; a reporter no account.
    account_manager_check(alxa.admin, hospital=alxa.h004)
    with pytest.raises(PermissionDenied):
        account_manager_check(alxa.reporter, hospital=alxa.h004)


# --- people ------------------------------------------------------------------------------------------


def test_person_create_generates_the_code_and_records_who(alxa: Alxa) -> None:
    new = person_create(
        actor=alxa.reporter,
        channel="web",
        hospital=alxa.h004,
        data=PersonData(
            name=" 张新院 ", title="院长", email="Zhang.XinYuan@Example.org", phone="0483-8221234"
        ),
    )
    assert new.code == "H004-P10"  # H004-P01…P09 are the seeds'
    assert (new.name, new.email, new.phone) == ("张新院", "zhang.xinyuan@example.org", "0483-8221234")
    record = history_of(new).get()
    assert (record.action, record.actor, record.channel) == ("create", alxa.reporter, "web")
    assert record.changes["email"] == [None, "zhang.xinyuan@example.org"]
    assert record.changes["hospital"] == [None, alxa.h004.pk]


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        (PersonData(name=""), "name", "name_required"),
        (PersonData(name="王某", email="not-an-address"), "email", "email_invalid"),
        (PersonData(name="王某", email="wang@"), "email", "email_invalid"),
        (PersonData(name="王某", phone="call me"), "phone", "phone_invalid"),
    ],
)
def test_person_refusals_write_nothing(alxa: Alxa, data: PersonData, field: str, code: str) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as info:
        person_create(actor=alxa.reporter, channel="api", hospital=alxa.h004, data=data)
    assert refusal_codes(info.value) == [code]
    assert list(refusal_fields(info.value)) == [field]
    assert _counts() == before


def test_person_update_keeps_history_and_refuses_a_bad_email(alxa: Alxa) -> None:
    president = person(H004_PRESIDENT)
    person_update(
        actor=alxa.reporter,
        channel="api",
        person=president,
        data=PersonData(name="马斯琴", title="院长", email="masiqin@example.org", phone="13900000000"),
        reason="新邮箱",
    )
    president.refresh_from_db()
    assert president.email == "masiqin@example.org"
    record = history_of(president).get()
    assert record.changes == {
        "email": ["h004-p02@example.org", "masiqin@example.org"],
        "phone": ["", "13900000000"],
    }
    assert record.reason == "新邮箱"
    with pytest.raises(ValidationError, match="格式不正确"):
        person_update(
            actor=alxa.reporter, channel="api", person=president, data=PersonData(name="马斯琴", email="x@y")
        )
    president.refresh_from_db()
    assert president.email == "masiqin@example.org"


def test_a_person_with_posts_or_lectures_is_not_deleted(alxa: Alxa) -> None:
    with pytest.raises(ValidationError, match="有任职记录"):
        person_delete(actor=alxa.reporter, channel="web", person=person(H004_PRESIDENT))
    with pytest.raises(ValidationError, match="是科室主任"):
        person_delete(actor=alxa.reporter, channel="web", person=person("H004-P03"))
    spare = person_create(
        actor=alxa.reporter, channel="web", hospital=alxa.h004, data=PersonData(name="录错")
    )
    spare_pk = spare.pk
    person_delete(actor=alxa.reporter, channel="web", person=spare, reason="录入错误")
    assert not Person.objects.filter(pk=spare_pk).exists()
    deleted = ChangeRecord.objects.get(action="delete", object_id=str(spare_pk))
    assert deleted.changes["hospital"] == [alxa.h004.pk, None]


# --- posts -------------------------------------------------------------------------------------------


def test_change_of_president_takes_effect_for_lectures_from_its_date(alxa: Alxa) -> None:
    """End the old president's post on 07-15, start the new one on 07-16: the old president's external
    lecture of 07-20 is refused, the new one's accepted, and one of 07-10 by the old one still counts."""
    old_post = Post.objects.get(person__code=H004_PRESIDENT, role="president")
    successor = person_create(
        actor=alxa.reporter, channel="web", hospital=alxa.h004, data=PersonData(name="张新院")
    )
    post_update(
        actor=alxa.reporter,
        channel="web",
        post=old_post,
        start_on=old_post.start_on,
        end_on=dt.date(2021, 7, 15),
    )
    new_post = post_create(
        actor=alxa.reporter, channel="web", person=successor, role="president", start_on=dt.date(2021, 7, 16)
    )
    assert new_post.hospital == alxa.h004
    assert alxa.h004.leader_on("president", dt.date(2021, 7, 15)) == person(H004_PRESIDENT)
    assert alxa.h004.leader_on("president", dt.date(2021, 7, 16)) == successor
    with pytest.raises(ValidationError) as info:
        lecture_create(
            actor=alxa.reporter,
            channel="api",
            data=lecture_data(alxa, "exchange", speaker=person(H004_PRESIDENT), held_on=dt.date(2021, 7, 20)),
        )
    assert refusal_codes(info.value) == ["substitute_not_allowed"]
    accepted = lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, "exchange", speaker=successor, held_on=dt.date(2021, 7, 20)),
    )
    assert accepted.speaker_role == SpeakerRole.PRESIDENT
    before = lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, "exchange", speaker=person(H004_PRESIDENT), held_on=dt.date(2021, 7, 10)),
    )
    assert before.speaker_role == SpeakerRole.PRESIDENT
    ended = history_of(old_post).get()
    assert (ended.action, ended.actor, ended.changes) == (
        "update",
        alxa.reporter,
        {"end_on": [None, "2021-07-15"]},
    )
    assert history_of(new_post).get().changes["start_on"] == [None, "2021-07-16"]


def test_overlapping_posts_of_one_role_are_refused(alxa: Alxa) -> None:
    successor = person_create(
        actor=alxa.reporter, channel="web", hospital=alxa.h004, data=PersonData(name="张新院")
    )
    before = _counts()
    with pytest.raises(ValidationError) as info:
        post_create(
            actor=alxa.reporter,
            channel="api",
            person=successor,
            role="president",
            start_on=dt.date(2021, 7, 16),
        )
    assert refusal_codes(info.value) == ["post_overlaps"]
    assert "马斯琴自2018-09-01至今任该职务" in info.value.messages[0]
    assert _counts() == before
    # A period before the former president's (2015-01-01) does not clash.
    post_create(
        actor=alxa.reporter,
        channel="api",
        person=successor,
        role="president",
        start_on=dt.date(2014, 1, 1),
        end_on=dt.date(2014, 12, 31),
    )


def test_end_before_start_and_another_hospitals_person_are_refused(alxa: Alxa) -> None:
    post = Post.objects.get(person__code=H004_PRESIDENT, role="president")
    before = _counts()
    with pytest.raises(ValidationError) as info:
        post_update(
            actor=alxa.reporter, channel="api", post=post, start_on=post.start_on, end_on=dt.date(2018, 1, 1)
        )
    assert refusal_codes(info.value) == ["dates_out_of_order"]
    assert info.value.messages == ["离任日期不能早于任职日期。"]
    with pytest.raises(ValidationError) as info:
        post_create(
            actor=alxa.admin,
            channel="api",
            person=person("H006-P02"),
            role="president",
            hospital=alxa.h004,
            start_on=dt.date(2021, 7, 16),
        )
    assert "person_other_hospital" in refusal_codes(info.value)
    assert _counts() == before


def test_a_post_change_may_not_strand_a_recorded_lecture(alxa: Alxa) -> None:
    post = Post.objects.get(person__code=H004_PRESIDENT, role="president")
    lecture = lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, "exchange", speaker=person(H004_PRESIDENT), held_on=dt.date(2021, 7, 20)),
    )
    with pytest.raises(ValidationError) as info:
        post_update(
            actor=alxa.reporter, channel="web", post=post, start_on=post.start_on, end_on=dt.date(2021, 7, 15)
        )
    assert refusal_codes(info.value) == ["post_strands_lectures"]
    assert "2021-07-20" in info.value.messages[0]
    with pytest.raises(ValidationError, match="不在其任职期间内"):
        post_delete(actor=alxa.reporter, channel="web", post=post)
    post.refresh_from_db()
    assert post.end_on is None
    # Ending it after the lecture is fine.
    post_update(
        actor=alxa.reporter, channel="web", post=post, start_on=post.start_on, end_on=dt.date(2021, 7, 31)
    )
    assert LectureSession.objects.filter(pk=lecture.pk).exists()


# --- departments -------------------------------------------------------------------------------------


def test_department_services(alxa: Alxa) -> None:
    icu = department_create(actor=alxa.reporter, channel="web", hospital=alxa.h004, name="重症医学科")
    assert history_of(icu).get().changes["name"] == [None, "重症医学科"]
    with pytest.raises(ValidationError) as info:
        department_create(actor=alxa.reporter, channel="web", hospital=alxa.h004, name="重症医学科")
    assert refusal_codes(info.value) == ["department_name_taken"]
    with pytest.raises(ValidationError) as info:
        department_update(
            actor=alxa.reporter, channel="web", department=icu, name="重症医学科", head=person("H006-P03")
        )
    assert refusal_codes(info.value) == ["person_other_hospital"]
    department_update(
        actor=alxa.reporter,
        channel="web",
        department=icu,
        name="重症医学科",
        head=person("H004-P05"),
        reason="新主任",
    )
    icu.refresh_from_db()
    assert icu.head == person("H004-P05")
    assert history_of(icu).first().changes == {"head": [None, "宋秀梅"]}  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        department_delete(actor=alxa.banner_reviewer, channel="web", department=icu)
    icu_pk = icu.pk
    department_delete(actor=alxa.reporter, channel="web", department=icu)
    assert not Department.objects.filter(pk=icu_pk).exists()


def test_a_league_admin_creates_its_league_accounts_only(alxa: Alxa) -> None:
    from hospitals.accounts import account_create

    league_admin = UserFactory.create(
        username="alxa-admin",
        role=Role.ADMIN,
        hospital=None,
        org_unit=alxa.league,
        is_superuser=True,
        is_staff=True,
    )
    user, _password = account_create(
        username="h006-new",
        role=Role.HOSPITAL_REPORTER,
        hospital=alxa.h006,
        actor=league_admin,
        channel="web",
    )
    assert user.hospital == alxa.h006
    other = type(alxa.league).objects.create(code="150200", name="包头市", kind="league")
    banner = type(alxa.league).objects.create(code="150202", name="东河区", kind="banner", parent=other)
    with pytest.raises(PermissionDenied, match="本盟管理员"):
        account_create(
            username="bt-reviewer",
            role=Role.BANNER_REVIEWER,
            org_unit=banner,
            actor=league_admin,
            channel="web",
        )
    with pytest.raises(
        PermissionDenied
    ):  # a system admin (no organisation) is not the league admin's to make
        account_create(username="root2", role=Role.ADMIN, actor=league_admin, channel="web")
    with pytest.raises(PermissionDenied):
        account_create(
            username="h004-second",
            role=Role.HOSPITAL_REPORTER,
            hospital=alxa.h004,
            actor=alxa.league_reviewer,
        )
    assert not type(user).objects.filter(username__in=["bt-reviewer", "root2", "h004-second"]).exists()
