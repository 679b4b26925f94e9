"""Accounts (issue 14 item 3): ``createsuperuser`` makes an admin-role account, and only admin-role
accounts may be staff or superuser, whichever way an account is written."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from campaign.seeding import SeedError, seed_load
from hospitals.models import Role, User
from tests.conftest import Alxa

pytestmark = pytest.mark.django_db


def test_createsuperuser_makes_an_admin_role_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-pass-2021")
    call_command("createsuperuser", interactive=False, username="root", email="root@example.com")
    user = User.objects.get(username="root")
    assert (user.role, user.is_staff, user.is_superuser, user.hospital, user.org_unit) == (
        Role.ADMIN,
        True,
        True,
        None,
        None,
    )
    assert user.check_password("a-long-pass-2021")
    client = Client()
    assert client.login(username="root", password="a-long-pass-2021")
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_superuser_of_another_role_is_refused() -> None:
    with pytest.raises(ValueError, match="超级用户的角色必须是系统管理员"):
        User.objects.create_superuser("x", "x@example.com", "pw", role=Role.LEAGUE_REVIEWER)
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_the_database_refuses_a_staff_reviewer(alxa: Alxa, flag: str) -> None:
    for user in (alxa.banner_reviewer, alxa.league_reviewer, alxa.reporter):
        setattr(user, flag, True)
        with pytest.raises(IntegrityError, match="user_staff_is_admin"), transaction.atomic():
            user.save(update_fields=[flag])
        user.refresh_from_db()
        assert not getattr(user, flag)


def test_the_demo_accounts_only_the_admin_is_staff(alxa: Alxa) -> None:
    staff = User.objects.filter(is_staff=True).values_list("username", "role", "is_superuser")
    assert list(staff) == [("admin", Role.ADMIN, True)]


def test_the_admin_user_form_refuses_to_make_a_reviewer_staff(alxa: Alxa) -> None:
    client = Client()
    client.force_login(alxa.admin)
    reviewer = alxa.league_reviewer
    url = reverse("admin:hospitals_user_change", args=[reviewer.pk])
    form = {
        "username": reviewer.username,
        "first_name": reviewer.first_name,
        "last_name": "",
        "email": reviewer.email,
        "is_active": "on",
        "is_staff": "on",
        "role": reviewer.role,
        "org_unit": reviewer.org_unit_id,
        "hospital": "",
        "date_joined_0": "2021-06-01",
        "date_joined_1": "09:00:00",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "只有系统管理员可以进入后台管理" in refused.content.decode()
    reviewer.refresh_from_db()
    assert not reviewer.is_staff
    del form["is_staff"]
    form["first_name"] = "盟审核员（改）"
    saved = client.post(url, form)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    reviewer.refresh_from_db()
    assert (reviewer.first_name, reviewer.is_staff) == ("盟审核员（改）", False)


def test_a_seed_that_makes_a_reviewer_staff_is_refused_in_chinese(alxa: Alxa, tmp_path) -> None:
    seed = tmp_path / "staff.yaml"
    seed.write_text(
        "users:\n- {username: league, role: league_reviewer, org_unit: '152900', is_staff: true}\n",
        encoding="utf-8",
    )
    with pytest.raises(SeedError, match="users/league: 只有系统管理员可以进入后台管理"):
        seed_load(paths=[seed])
    assert not User.objects.get(username="league").is_staff
    # The shipped seeds load again without a change.
    again = seed_load(
        paths=[settings.BASE_DIR / p for p in ("seeds/alxa-league.yaml", "seeds/alxa-demo.yaml")]
    )
    assert not again.changed
