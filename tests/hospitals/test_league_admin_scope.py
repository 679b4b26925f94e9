"""A league admin (an admin-role account of a league) reads its own league only, on the pages, the API
and the campaign default, while a system admin reads every league (issue 16: each user sees only its
own league)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.test import APIClient

from campaign.selectors import campaign_current, campaigns_visible_to
from hospitals.models import Role
from hospitals.selectors import hospitals_visible_to, require_hospital_in_scope
from reporting.bulletins.selectors import bulletins_visible_to
from tests.conftest import Alxa
from tests.factories import UserFactory
from tests.leagues import load_second_league

pytestmark = pytest.mark.django_db


def test_a_league_admin_reads_its_league_only(alxa: Alxa) -> None:
    second = load_second_league()
    clerk = UserFactory.create(username="alxa-admin", role=Role.ADMIN, hospital=None, org_unit=alxa.league)
    assert not clerk.sees_everything
    assert alxa.admin.sees_everything
    codes = set(hospitals_visible_to(clerk).values_list("code", flat=True))
    assert alxa.h006.code in codes
    assert not codes & {h.code for h in second.hospitals}
    assert set(hospitals_visible_to(alxa.admin).values_list("code", flat=True)) >= {"BT01", alxa.h006.code}
    assert list(campaigns_visible_to(clerk)) == [alxa.campaign]
    assert campaign_current(clerk) == alxa.campaign
    with pytest.raises(PermissionDenied, match="无权操作该医院"):
        require_hospital_in_scope(clerk, second.hospital)
    assert not bulletins_visible_to(clerk).filter(campaign=second.campaign).exists()

    page = Client()
    page.force_login(clerk)
    html = page.get("/hospitals/").content.decode()
    assert alxa.h006.name in html
    assert second.hospital.name not in html
    assert page.get(f"/hospitals/{second.hospital.pk}/").status_code == 404

    api = APIClient()
    api.force_authenticate(clerk)
    names = {row["code"] for row in api.get("/api/v1/hospitals/?page_size=100").json()["results"]}
    assert alxa.h006.code in names
    assert "BT01" not in names
    assert api.get(f"/api/v1/hospitals/{second.hospital.pk}/").status_code == 404
