"""The admin's people, post and department pages write through hospitals.people: the change with the
admin channel in the history, a refusal on the form, a refused deletion as a message."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hospitals.audit import history_of
from hospitals.models import Person, Post
from tests.conftest import Alxa

pytestmark = pytest.mark.django_db


def _admin(alxa: Alxa) -> Client:
    client = Client()
    client.force_login(alxa.admin)
    return client


def test_ending_a_post_in_the_admin_records_the_admin_channel(alxa: Alxa) -> None:
    post = Post.objects.get(person__code="H004-P02")
    url = reverse("admin:hospitals_post_change", args=[post.pk])
    form = {
        "person": post.person_id,
        "role": "president",
        "hospital": alxa.h004.pk,
        "org_unit": "",
        "start_on": "2018-09-01",
        "end_on": "2021-07-15",
    }
    response = _admin(alxa).post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert str(post.end_on) == "2021-07-15"
    record = history_of(post).get()
    assert (record.channel, record.actor, record.changes) == (
        "admin",
        alxa.admin,
        {"end_on": [None, "2021-07-15"]},
    )


def test_an_overlapping_post_is_refused_on_the_admin_form(alxa: Alxa) -> None:
    count = Post.objects.count()
    response = _admin(alxa).post(
        reverse("admin:hospitals_post_add"),
        {
            "person": Person.objects.get(code="H004-P03").pk,
            "role": "president",
            "hospital": alxa.h004.pk,
            "org_unit": "",
            "start_on": "2021-01-01",
            "end_on": "",
        },
    )
    assert response.status_code == 200
    assert "院长同一时间只能有一人" in response.content.decode()
    assert Post.objects.count() == count


def test_a_person_with_a_bad_email_is_refused_and_a_good_one_saved(alxa: Alxa) -> None:
    person = Person.objects.get(code="H004-P03")
    url = reverse("admin:hospitals_person_change", args=[person.pk])
    form = {
        "code": "H004-P03",
        "name": "罗萨仁",
        "hospital": alxa.h004.pk,
        "org_unit": "",
        "title": "内科主任",
        "phone": "",
    }
    bad = _admin(alxa).post(url, {**form, "email": "luo@"})
    assert bad.status_code == 200
    assert "电子邮箱“luo@”格式不正确" in bad.content.decode()
    good = _admin(alxa).post(url, {**form, "email": "luosaren@example.org"})
    assert good.status_code == 302
    person.refresh_from_db()
    assert person.email == "luosaren@example.org"
    assert history_of(person).get().changes == {"email": ["h004-p03@example.org", "luosaren@example.org"]}


def test_deleting_people_is_refused_with_a_message_and_nothing_goes(alxa: Alxa) -> None:
    """A person with posts: the admin's own protected-objects page refuses before the service; the bulk
    action reaches the service, whose refusal is the message."""
    person = Person.objects.get(code="H004-P02")
    url = reverse("admin:hospitals_person_delete", args=[person.pk])
    response = _admin(alxa).post(url, {"post": "yes"})
    assert "无法删除" in response.content.decode()
    head = Person.objects.get(code="H004-P03")  # heads 内科: SET_NULL, so Django would delete
    response = _admin(alxa).post(
        reverse("admin:hospitals_person_changelist"),
        {"action": "delete_selected", "_selected_action": [head.pk], "post": "yes"},
        follow=True,
    )
    assert "罗萨仁：罗萨仁是科室主任，请先更换科室主任。" in response.content.decode()
    assert Person.objects.filter(pk__in=[person.pk, head.pk]).count() == 2


def test_a_league_admin_sees_and_makes_its_league_accounts_only(alxa: Alxa) -> None:
    from hospitals.models import OrgUnit, Role, User
    from tests.factories import UserFactory

    other = OrgUnit.objects.create(code="150200", name="包头市", kind="league")
    banner = OrgUnit.objects.create(code="150202", name="东河区", kind="banner", parent=other)
    outsider = UserFactory.create(
        username="bt-reviewer", role=Role.BANNER_REVIEWER, hospital=None, org_unit=banner
    )
    league_admin = UserFactory.create(
        username="alxa-admin",
        role=Role.ADMIN,
        hospital=None,
        org_unit=alxa.league,
        is_superuser=True,
        is_staff=True,
    )
    client = Client()
    client.force_login(league_admin)
    listed = client.get(reverse("admin:hospitals_user_changelist")).content.decode()
    assert "zuoqi" in listed
    assert "bt-reviewer" not in listed
    assert (
        client.get(reverse("admin:hospitals_user_change", args=[outsider.pk])).status_code == 302
    )  # not found
    response = client.post(
        reverse("admin:hospitals_user_add"),
        {
            "username": "bt-second",
            "password1": "Ab3-long-enough-pw",
            "password2": "Ab3-long-enough-pw",
            "usable_password": "true",
            "role": "banner_reviewer",
            "org_unit": banner.pk,
            "hospital": "",
            "email": "",
            "must_change_password": "on",
        },
    )
    assert response.status_code == 200
    assert "只有系统管理员或本盟管理员可以管理该账号。" in response.content.decode()
    assert not User.objects.filter(username="bt-second").exists()
