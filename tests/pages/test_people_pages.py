"""The hospital's 人员与科室 page (issue 16): who sees the forms, who may post, refusals on the form,
the edit pages, and a query count that does not grow with the people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hospitals.models import ChangeRecord, Department, Person, Post
from hospitals.people import PersonData, person_create, post_create
from tests.conftest import Alxa

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_reporter_reaches_the_page_from_the_menu_and_sees_the_forms(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    home = client.get(reverse("campaign:hospital", args=[alxa.h004.pk])).content.decode()
    url = reverse("hospitals:people", args=[alxa.h004.pk])
    assert f'href="{url}"' in home
    html = client.get(url).content.decode()
    for form_id in ('id="post-form"', 'id="person-form"', 'id="department-form"'):
        assert form_id in html
    assert "h004-p02@example.org" in html
    assert client.get(reverse("hospitals:people", args=[alxa.h006.pk])).status_code == 404


def test_a_reviewer_reads_without_forms_and_a_post_is_refused(alxa: Alxa) -> None:
    client = _client(alxa.banner_reviewer)
    url = reverse("hospitals:people", args=[alxa.h004.pk])
    html = client.get(url).content.decode()
    assert "马斯琴" in html
    assert 'id="post-form"' not in html
    assert "结束任职</button>" not in html
    before = (Person.objects.count(), ChangeRecord.objects.count())
    response = client.post(url, {"form": "person", "person-name": "某某"})
    assert response.status_code == 403
    assert (Person.objects.count(), ChangeRecord.objects.count()) == before
    person = Person.objects.get(code="H004-P02")
    assert client.get(reverse("hospitals:person_edit", args=[person.pk])).status_code == 403


def test_end_before_start_is_refused_on_the_end_form(alxa: Alxa) -> None:
    post = Post.objects.get(person__code="H004-P02")
    url = reverse("hospitals:people", args=[alxa.h004.pk])
    response = _client(alxa.reporter).post(
        url, {"form": f"end{post.pk}", f"end{post.pk}-end_on": "2018-01-01"}
    )
    assert response.status_code == 200
    assert "离任日期不能早于任职日期。" in response.content.decode()
    post.refresh_from_db()
    assert post.end_on is None


def test_the_person_and_department_edit_pages_save_through_the_services(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    person = Person.objects.get(code="H004-P03")
    url = reverse("hospitals:person_edit", args=[person.pk])
    bad = client.post(url, {"name": "罗萨仁", "title": "内科主任", "email": "luo@", "phone": ""})
    assert "电子邮箱“luo@”格式不正确" in bad.content.decode()
    ok = client.post(
        url, {"name": "罗萨仁", "title": "内科主任", "email": "luo@example.org", "phone": "13900000000"}
    )
    assert ok.status_code == 302
    person.refresh_from_db()
    assert (person.email, person.phone) == ("luo@example.org", "13900000000")
    department = Department.objects.get(hospital=alxa.h004, name="外科")
    new_head = Person.objects.get(code="H004-P05")
    moved = client.post(
        reverse("hospitals:department_edit", args=[department.pk]), {"name": "外科", "head": new_head.pk}
    )
    assert moved.status_code == 302
    department.refresh_from_db()
    assert department.head == new_head
    history = client.get(reverse("hospitals:people", args=[alxa.h004.pk])).content.decode()
    assert "修改科室" in history
    assert "梁布和" in history
    assert "宋秀梅" in history


def test_the_page_reads_a_fixed_number_of_queries(alxa: Alxa, django_assert_num_queries: Any) -> None:
    client = _client(alxa.reporter)
    url = reverse("hospitals:people", args=[alxa.h004.pk])
    client.get(url)  # warm the content types and the session
    with django_assert_num_queries(PEOPLE_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    for n in range(20):
        person = person_create(
            actor=alxa.reporter, channel="web", hospital=alxa.h004, data=PersonData(name=f"人员{n}", email="")
        )
        post_create(
            actor=alxa.reporter,
            channel="web",
            person=person,
            role="president",
            start_on=dt.date(1990 + n, 1, 1),
            end_on=dt.date(1990 + n, 12, 31),
        )
    with django_assert_num_queries(PEOPLE_PAGE_QUERIES):
        assert client.get(url).status_code == 200


# Session and user, hospital, posts, people, departments, the history (its content types and rows, its
# ids of people, posts and departments), the form choices, and the nav's unread badge.
PEOPLE_PAGE_QUERIES = 14
