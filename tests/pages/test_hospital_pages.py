"""Hospital pages are scoped like the API: another organisation's hospital is 404."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Alxa

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_reporter_sees_own_hospital_and_gets_404_on_another(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    page = client.get(f"/hospitals/{alxa.h004.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "阿拉善左旗人民医院" in html
    assert "郭玉梅" in html  # the secretary, from the seed
    assert client.get(f"/hospitals/{alxa.h001.pk}/").status_code == 404  # same banner, other hospital
    assert client.get(f"/hospitals/{alxa.h006.pk}/").status_code == 404


def test_my_hospital_leads_a_reporter_to_their_hospital(alxa: Alxa) -> None:
    response = _client(alxa.reporter).get("/hospitals/mine/")
    assert response.headers["Location"] == f"/hospitals/{alxa.h004.pk}/"


def test_banner_reviewer_sees_the_banner_only(alxa: Alxa) -> None:
    client = _client(alxa.banner_reviewer)
    html = client.get("/hospitals/").content.decode()
    assert "阿拉善左旗人民医院" in html
    assert "阿拉善盟中心医院" in html
    assert "阿拉善右旗人民医院" not in html
    assert client.get(f"/hospitals/{alxa.h001.pk}/").status_code == 200
    assert client.get(f"/hospitals/{alxa.h006.pk}/").status_code == 404


def test_league_reviewer_sees_every_hospital(alxa: Alxa) -> None:
    client = _client(alxa.league_reviewer)
    html = client.get("/hospitals/").content.decode()
    assert html.count("/hospitals/") >= 10
    assert client.get(f"/hospitals/{alxa.h006.pk}/").status_code == 200


def test_menu_follows_the_role(alxa: Alxa) -> None:
    reporter_menu = _client(alxa.reporter).get("/").content.decode()
    assert f'href="/hospitals/{alxa.h004.pk}/"' in reporter_menu
    assert 'href="/admin/"' not in reporter_menu
    reviewer_menu = _client(alxa.banner_reviewer).get("/").content.decode()
    assert 'href="/hospitals/"' in reviewer_menu
    # The admin is shown to admins only (docs/decisions.md "Accounts").
    assert "后台管理" not in reviewer_menu
    assert "后台管理" not in _client(alxa.league_reviewer).get("/").content.decode()
    assert 'href="/admin/">后台管理</a>' in _client(alxa.admin).get("/").content.decode()


def test_league_reviewer_reaches_every_banner_page_from_the_menu(alxa: Alxa) -> None:
    client = _client(alxa.league_reviewer)
    assert 'href="/hospitals/banners/">旗(区)</a>' in client.get("/").content.decode()
    page = client.get("/hospitals/banners/")
    assert page.status_code == 200
    rows = list(page.context["banners"])
    assert [b.name for b in rows][:3] == ["阿拉善左旗", "阿拉善右旗", "额济纳旗"]
    assert len(rows) == 6
    assert {b.name: b.hospital_count for b in rows}["阿拉善左旗"] == alxa.zuoqi.hospitals.count()
    html = page.content.decode()
    for url in (
        f"/banners/{alxa.zuoqi.pk}/lectures/",
        f"/units/{alxa.zuoqi.pk}/launch/",
        f"/banners/{alxa.zuoqi.pk}/months/",
    ):
        assert f'href="{url}"' in html
    # Each link opens for the league reviewer (the banner's months lead to the current one).
    youqi = alxa.youqi.pk
    for url in (f"/banners/{youqi}/lectures/", f"/units/{youqi}/launch/", f"/banners/{youqi}/months/"):
        assert client.get(url, follow=True).status_code == 200


def test_banner_list_is_the_reviewers_own_scope(alxa: Alxa) -> None:
    page = _client(alxa.banner_reviewer).get("/hospitals/banners/")
    assert [b.name for b in page.context["banners"]] == ["阿拉善左旗"]
    assert "旗(区)</a>" not in _client(alxa.banner_reviewer).get("/").content.decode()
    assert _client(alxa.reporter).get("/hospitals/banners/").status_code == 403


def test_menu_marks_only_the_deepest_section_of_the_page(alxa: Alxa) -> None:
    client = _client(alxa.league_reviewer)
    html = client.get("/hospitals/banners/").content.decode()
    assert html.count('aria-current="page"') == 1
    assert '<a href="/hospitals/banners/" class="active" aria-current="page">' in html
    active = [item.label for item in client.get("/hospitals/banners/").context["nav"] if item.active]
    assert active == ["旗(区)"]
    assert [i.label for i in client.get("/hospitals/").context["nav"] if i.active] == ["医院"]
    assert [i.label for i in client.get("/").context["nav"] if i.active] == ["仪表盘"]
