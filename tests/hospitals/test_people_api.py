"""The people API (issue 16 point 2): writes through hospitals.people, refusals as 400/403 with the
Chinese message, the history with the API channel, and a change of president by two calls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from campaign.models import LectureSession
from hospitals.audit import history_of
from hospitals.models import Person, Post
from tests.api.openapi import assert_documented
from tests.campaign.conftest import lecture_data, person
from tests.conftest import Alxa, client_for

pytestmark = pytest.mark.django_db


def test_a_bad_email_is_400_on_its_field_and_nothing_is_written(alxa: Alxa) -> None:
    count = Person.objects.count()
    response = client_for(alxa.reporter).post(
        reverse("person-list"),
        {"hospital": alxa.h004.pk, "name": "王某", "email": "wang@@example"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "email_invalid"
    assert body["errors"]["email"] == ["电子邮箱“wang@@example”格式不正确，例如 wangjianguo@example.org。"]
    assert Person.objects.count() == count


def test_a_banner_reviewer_reads_but_may_not_write(alxa: Alxa) -> None:
    client = client_for(alxa.banner_reviewer)
    listed = client.get(reverse("person-list"), {"hospital": alxa.h004.pk})
    assert listed.status_code == 200
    assert {p["code"] for p in listed.json()["results"]} >= {"H004-P01", "H004-P02"}
    post = Post.objects.get(person__code="H004-P02")
    response = client.patch(reverse("post-detail", args=[post.pk]), {"end_on": "2021-07-15"}, format="json")
    assert response.status_code == 403
    assert response.json()["message"] == "审核员只能查看人员、职务和科室，由医院填报员或盟管理员维护。"
    post.refresh_from_db()
    assert post.end_on is None


def test_a_post_keeps_its_holder_and_refuses_overlap(alxa: Alxa) -> None:
    client = client_for(alxa.reporter)
    post = Post.objects.get(person__code="H004-P02")
    moved = client.patch(
        reverse("post-detail", args=[post.pk]), {"person": person("H004-P03").pk}, format="json"
    )
    assert moved.status_code == 400
    assert "person" in moved.json()["errors"]
    overlap = client.post(
        reverse("post-list"),
        {
            "person": person("H004-P03").pk,
            "role": "president",
            "hospital": alxa.h004.pk,
            "start_on": "2021-01-01",
        },
        format="json",
    )
    assert overlap.status_code == 400
    assert overlap.json()["code"] == "post_overlaps"


def test_change_of_president_through_the_api(alxa: Alxa) -> None:
    client = client_for(alxa.reporter)
    old_post = Post.objects.get(person__code="H004-P02")
    ended = client.patch(reverse("post-detail", args=[old_post.pk]), {"end_on": "2021-07-15"}, format="json")
    assert ended.status_code == 200, ended.content
    assert_documented(ended)
    assert ended.json()["end_on"] == "2021-07-15"
    new = client.post(
        reverse("person-list"),
        {"hospital": alxa.h004.pk, "name": "张新院", "title": "院长", "email": "zhangxinyuan@example.org"},
        format="json",
    )
    assert new.status_code == 201, new.content
    assert_documented(new)
    assert new.json()["code"] == "H004-P10"
    started = client.post(
        reverse("post-list"),
        {"person": new.json()["id"], "role": "president", "hospital": alxa.h004.pk, "start_on": "2021-07-16"},
        format="json",
    )
    assert started.status_code == 201, started.content
    assert started.json()["person_name"] == "张新院"
    record = history_of(old_post).get()
    assert (record.actor, record.channel, record.changes) == (
        alxa.reporter,
        "api",
        {"end_on": [None, "2021-07-15"]},
    )

    lectures = reverse("lecture-list")
    base = lecture_data(alxa, "exchange")
    payload = {
        "campaign": alxa.campaign.pk,
        "kind": base.kind.pk,
        "held_on": "2021-07-20",
        "title": "院外互讲",
        "hospital": alxa.h004.pk,
        "host_hospital": base.host_hospital.pk if base.host_hospital else None,
        "attendance_expected": 100,
        "attendance_present": 90,
    }
    refused = client.post(lectures, {**payload, "speaker": person("H004-P02").pk}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "substitute_not_allowed"
    assert "2021-07-20不是阿拉善左旗人民医院的书记或院长" in refused.json()["message"]
    accepted = client.post(lectures, {**payload, "speaker": new.json()["id"]}, format="json")
    assert accepted.status_code == 201, accepted.content
    assert LectureSession.objects.get(pk=accepted.json()["id"]).speaker_role == "president"
    assert dt.date(2021, 7, 20) == LectureSession.objects.get(pk=accepted.json()["id"]).held_on
