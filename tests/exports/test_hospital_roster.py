"""The hospital roster: the building blocks end to end on real seed data."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from exports.registry import export_kind_get
from exports.writer import write_workbook
from hospitals.models import Hospital
from tests.conftest import Alxa
from tests.factories import BannerFactory, HospitalFactory, PostFactory, banner_reviewer_for


def export(user: Any, path: Path, **params: list[str]) -> list[tuple[Any, ...]]:
    write_workbook(path, export_kind_get("hospital_roster").build(user, params))
    return list(load_workbook(path).active.iter_rows(values_only=True))


@pytest.mark.django_db
def test_roster_matches_the_database(alxa: Alxa, tmp_path: Path) -> None:
    rows = export(alxa.admin, tmp_path / "r.xlsx")
    assert rows[0] == (
        "机构编码",
        "医院名称",
        "所属旗(区)",
        "等级",
        "类别",
        "城市三级医院",
        "在职职工数",
        "党委书记",
        "院长",
    )
    by_code = {r[0]: r for r in rows[1:]}
    assert set(by_code) == set(Hospital.objects.values_list("code", flat=True))
    h001 = alxa.h001
    secretary = h001.leader_on("secretary", dt.date.today())
    president = h001.leader_on("president", dt.date.today())
    assert by_code["H001"] == (
        "H001",
        h001.name,
        h001.banner.name,
        "三级",
        h001.get_type_display(),
        "是",
        h001.staff_count,
        secretary.name if secretary else None,
        president.name if president else None,
    )


@pytest.mark.django_db
def test_roster_respects_scope_and_filters(alxa: Alxa, tmp_path: Path) -> None:
    assert [r[0] for r in export(alxa.reporter, tmp_path / "a.xlsx")[1:]] == ["H004"]
    banner_rows = export(alxa.banner_reviewer, tmp_path / "b.xlsx")[1:]
    assert {r[2] for r in banner_rows} == {"阿拉善左旗"}
    tertiary = export(alxa.league_reviewer, tmp_path / "c.xlsx", level=["tertiary"])[1:]
    assert {r[3] for r in tertiary} == {"三级"}
    assert len(tertiary) == Hospital.objects.filter(level="tertiary").count()
    # a filter naming another banner cannot widen a banner reviewer's scope
    assert export(alxa.banner_reviewer, tmp_path / "d.xlsx", banner=[str(alxa.youqi.pk)])[1:] == []
    # nor can the admin action's ids
    assert export(alxa.reporter, tmp_path / "e.xlsx", ids=[str(alxa.h006.pk)])[1:] == []


@pytest.mark.django_db
def test_roster_query_count_does_not_grow_with_rows(
    alxa: Alxa, tmp_path: Path, django_assert_num_queries: Any
) -> None:
    # one hospital in a fresh banner first, then fifty
    fresh = BannerFactory.create(parent=alxa.league)
    reviewer = banner_reviewer_for(fresh)
    PostFactory.create(hospital=HospitalFactory.create(banner=fresh))
    kind = export_kind_get("hospital_roster")
    with django_assert_num_queries(2):  # the hospitals' cursor, the leaders of the batch
        write_workbook(tmp_path / "one.xlsx", kind.build(reviewer, {}))
    for _ in range(49):
        PostFactory.create(hospital=HospitalFactory.create(banner=fresh))
    with django_assert_num_queries(2):
        write_workbook(tmp_path / "fifty.xlsx", kind.build(reviewer, {}))
    assert load_workbook(tmp_path / "fifty.xlsx").active.max_row == 51
