"""The region rollup (reporting/region/): its figures per league, its scope, its queries (flat in leagues),
the page, the workbook and the publicity bundle."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from campaign.models import (
    Campaign,
    LectureKind,
    LectureMaterial,
    LectureSession,
    SpeakerRole,
)
from hospitals.models import Hospital, OrgUnit, Post, User
from reporting.bulletins.models import Bulletin
from reporting.evaluation.models import Evaluation
from reporting.region.selectors import region_rollup
from reporting.reports.models import MonthlyReport
from tests.conftest import Alxa, streamed
from tests.factories import BannerFactory, HospitalFactory, LeagueFactory
from tests.leagues import SecondLeague, load_second_league
from tests.reporting.conftest import SetClock
from tests.samples import PDF

JULY, AUGUST = dt.date(2021, 7, 1), dt.date(2021, 8, 1)


@pytest.fixture
def baotou(alxa: Alxa) -> SecondLeague:
    return load_second_league()


def _lecture(campaign: Campaign, hospital: Hospital, kind: str = "in_hospital") -> LectureSession:
    post = Post.objects.filter(hospital=hospital, role=Post.Role.SECRETARY).select_related("person").first()
    assert post is not None
    return LectureSession.objects.create(
        campaign=campaign,
        kind=LectureKind.objects.get(campaign=campaign, code=kind),
        hospital=hospital,
        held_on=dt.date(2021, 7, 10),
        title=f"{hospital.name}宣讲",
        speaker=post.person,
        speaker_role=SpeakerRole.SECRETARY,
        attendance_expected=hospital.staff_count,
        attendance_present=hospital.staff_count,
    )


def _report(campaign: Campaign, hospital: Hospital, month: dt.date, late_days: int) -> MonthlyReport:
    now = timezone.now()
    return MonthlyReport.objects.create(
        campaign=campaign,
        hospital=hospital,
        month=month,
        status="approved",
        first_submitted_at=now,
        submitted_at=now,
        late_days=late_days,
    )


def _bulletin(campaign: Campaign, month: dt.date, status: str, milestones: list[list[Any]]) -> Bulletin:
    data = {
        "sections": [
            {"key": "milestones", "rows": milestones},
            {
                "key": "indicators",
                "rows": [
                    ["阿拉善左旗", "甲院", 3, 1, 0, "75%"],
                    ["阿拉善左旗", "乙院", None, None, None, "未提交报告"],
                ],
            },
        ]
    }
    return Bulletin.objects.create(
        campaign=campaign, month=month, status=status, data=data, built_at=timezone.now()
    )


def _evaluation(
    campaign: Campaign, hospital: Hospital, total: str, rank: int, commended: bool, published: bool = True
) -> None:
    Evaluation.objects.create(
        campaign=campaign,
        hospital=hospital,
        lecture_score=total,
        action_score=total,
        outcome_score=total,
        total_score=total,
        rank=rank,
        proposed_commendation=commended,
        built_at=timezone.now(),
        published_at=timezone.now() if published else None,
    )


def _world(alxa: Alxa, baotou: SecondLeague) -> None:
    a, b = alxa.campaign, baotou.campaign
    _lecture(a, alxa.h004)
    _lecture(a, alxa.h001)
    _lecture(b, baotou.hospital)
    _report(a, alxa.h004, JULY, 0)
    _report(a, alxa.h001, JULY, 3)
    _report(a, alxa.h004, AUGUST, 0)
    _report(b, baotou.hospital, JULY, 0)
    met, not_met, not_due = "已完成", "未完成", "未到期"
    _bulletin(
        a,
        JULY,
        "published",
        [["阿拉善左旗", "甲院", met, not_met, not_due], ["阿拉善左旗", "乙院", met, met, not_due]],
    )
    _bulletin(a, AUGUST, "draft", [["阿拉善左旗", "甲院", met, met, met]])  # a draft is not reported upward
    _evaluation(b, baotou.hospital, "80.00", 1, True)
    _evaluation(b, baotou.hospital2, "71.00", 2, False)
    _evaluation(a, alxa.h004, "66.00", 1, False, published=False)  # Alxa's is still a draft


def test_the_rollup_per_league(alxa: Alxa, baotou: SecondLeague, set_clock: SetClock) -> None:
    set_clock("2021-09-10 10:00")
    _world(alxa, baotou)
    rollup = region_rollup(user=baotou.region_reviewer)
    assert rollup.on == dt.date(2021, 9, 10)
    rows = {r.league.code: r for r in rollup.leagues}
    assert list(rows) == ["150200", "152900"]
    alxa_row, baotou_row = rows["152900"], rows["150200"]
    assert alxa_row.campaign == alxa.campaign
    assert baotou_row.campaign == baotou.campaign
    assert (alxa_row.hospitals, baotou_row.hospitals) == (10, 3)
    kinds = (
        LectureKind.objects.filter(campaign=alxa.campaign).order_by("order").values_list("name", flat=True)
    )
    assert rollup.kinds == list(kinds)
    in_hospital = LectureKind.objects.get(campaign=alxa.campaign, code="in_hospital").name
    assert alxa_row.lectures_by_kind[in_hospital] == 2
    assert baotou_row.lectures_by_kind[in_hospital] == 1
    assert baotou_row.lectures == 1
    # July and August are closed on 09-10 (due on the 5th): 10 hospitals × 2 months in Alxa.
    assert (alxa_row.report_months, alxa_row.reports_on_time, alxa_row.reports_late) == (2, 2, 1)
    assert alxa_row.reports_missing == 17
    assert alxa_row.punctuality_pct == "10%"
    assert (baotou_row.reports_on_time, baotou_row.reports_late, baotou_row.reports_missing) == (1, 0, 5)
    # The latest PUBLISHED bulletin (July's), not August's draft.
    assert alxa_row.bulletin_month == JULY
    assert (alxa_row.milestones_met, alxa_row.milestones_due) == (3, 4)
    assert (alxa_row.indicators_met, alxa_row.indicators_judged) == (3, 4)
    assert baotou_row.bulletin_month is None
    assert baotou_row.milestone_pct == "—"
    assert (baotou_row.evaluated, baotou_row.evaluation_mean, baotou_row.evaluation_commended) == (
        2,
        Decimal("75.50"),
        1,
    )
    # Alxa's draft evaluation: not the region's to read; its own league reviewer reads it.
    assert alxa_row.evaluated == 0
    assert alxa_row.evaluation_mean is None
    (own,) = region_rollup(user=alxa.league_reviewer).leagues
    assert (own.evaluated, own.evaluation_mean, own.evaluation_published_at) == (1, Decimal("66.00"), None)


def test_a_league_reviewer_gets_its_own_league_only_and_others_are_refused(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    set_clock("2021-09-10 10:00")
    _world(alxa, baotou)
    assert [r.league.code for r in region_rollup(user=alxa.league_reviewer).leagues] == ["152900"]
    assert [r.league.code for r in region_rollup(user=baotou.league_reviewer).leagues] == ["150200"]
    assert [r.league.code for r in region_rollup(user=alxa.admin).leagues] == ["150200", "152900"]
    for user in (alxa.reporter, alxa.banner_reviewer, baotou.reporter):
        client = Client()
        client.force_login(user)
        assert client.get("/region/").status_code == 403
        assert client.get("/api/v1/region-rollup/").status_code == 403
        assert client.get("/exports/region_rollup/").status_code == 403


def _another_league(n: int) -> None:
    league = LeagueFactory.create(code=f"19{n:04d}", parent=OrgUnit.objects.get(code="150000"))
    banner = BannerFactory.create(code=f"19{n:04d}1", parent=league)
    campaign = Campaign.objects.create(
        code=f"extra-{n}",
        name=f"第{n}盟活动",
        year=2021,
        league=league,
        starts_on=dt.date(2021, 6, 21),
        ends_on=dt.date(2021, 12, 31),
    )
    for i in range(3):
        hospital = HospitalFactory.create(banner=banner)
        _report(campaign, hospital, JULY, i)
    Bulletin.objects.create(
        campaign=campaign, month=JULY, status="published", data={}, built_at=timezone.now()
    )


def test_the_rollup_costs_the_same_queries_for_two_or_six_leagues(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    set_clock("2021-09-10 10:00")
    _world(alxa, baotou)
    # A fresh user each time, as each request has (its unit is read once, by the scope rule).
    with CaptureQueriesContext(connection) as two:
        assert len(region_rollup(user=User.objects.get(username="region")).leagues) == 2
    for n in range(4):
        _another_league(n)
    with CaptureQueriesContext(connection) as six:
        leagues = region_rollup(user=User.objects.get(username="region")).leagues
    assert len(leagues) == 6
    assert len(six.captured_queries) == len(two.captured_queries) == 11


def test_the_region_page_and_its_workbook(alxa: Alxa, baotou: SecondLeague, set_clock: SetClock) -> None:
    set_clock("2021-09-10 10:00")
    _world(alxa, baotou)
    client = Client()
    client.force_login(baotou.region_reviewer)
    assert client.get("/")["Location"] == "/region/"  # the region reviewer's first page
    page = client.get("/region/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "阿拉善盟" in html
    assert "包头市" in html
    assert 'href="/region/"' in html
    assert "年终评估" in html
    assert "75.50" in html
    response = client.get("/exports/region_rollup/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(streamed(response)))["全区汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    body = {r[0]: dict(zip(header, r, strict=False)) for r in rows[1:] if r[0] in ("阿拉善盟", "包头市")}
    assert list(body) == ["包头市", "阿拉善盟"]
    assert body["阿拉善盟"]["医院数"] == 10
    assert body["阿拉善盟"]["按时报送"] == 2
    assert body["阿拉善盟"]["通报月份"] == "2021-07"
    assert body["包头市"]["通报月份"] == "未发布"
    assert body["阿拉善盟"]["时间节点完成率"] == 0.75
    assert body["包头市"]["年终评估医院数"] == 2
    assert body["包头市"]["拟表彰"] == 1
    # A league reviewer's page: its own league only.
    client.force_login(alxa.league_reviewer)
    html = client.get("/region/").content.decode()
    assert "阿拉善盟" in html
    assert "包头市" not in html


def _recommended(campaign: Campaign, hospital: Hospital, name: str) -> LectureMaterial:
    material = LectureMaterial(
        lecture=_lecture(campaign, hospital),
        kind="courseware",
        title=f"{hospital.name}课件",
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
        recommended_for_publicity=True,
        recommended_at=timezone.now(),
    )
    material.file.save(f"region/{uuid.uuid4().hex}.pdf", ContentFile(PDF), save=False)
    material.save()
    return material


def test_the_publicity_bundle_holds_every_leagues_recommended_materials_and_a_manifest(
    alxa: Alxa, baotou: SecondLeague, set_clock: SetClock
) -> None:
    set_clock("2021-09-10 10:00")
    _recommended(alxa.campaign, alxa.h004, "左旗课件.pdf")
    _recommended(baotou.campaign, baotou.hospital, "土右旗课件.pdf")
    not_recommended = _recommended(alxa.campaign, alxa.h001, "未推荐.pdf")
    LectureMaterial.objects.filter(pk=not_recommended.pk).update(recommended_for_publicity=False)
    client = Client()
    client.force_login(baotou.region_reviewer)
    response = client.get("/region/publicity.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(streamed(response)))
    files = sorted(n for n in archive.namelist() if n != "清单.xlsx")
    assert [f.rsplit("-", 1)[-1] for f in files] == ["土右旗课件.pdf", "左旗课件.pdf"]
    assert all(archive.read(f) == PDF for f in files)
    manifest = load_workbook(io.BytesIO(archive.read("清单.xlsx"))).active
    listed = [r for r in manifest.iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[1], r[3], r[7]) for r in listed] == [
        (files[0], "包头市", "土右旗人民医院", "土右旗人民医院课件"),
        (files[1], "阿拉善盟", "阿拉善左旗人民医院", "阿拉善左旗人民医院课件"),
    ]
    # A league reviewer's bundle: its own league's only.
    client.force_login(alxa.league_reviewer)
    archive = zipfile.ZipFile(io.BytesIO(streamed(client.get("/region/publicity.zip"))))
    assert [n.rsplit("-", 1)[-1] for n in archive.namelist() if n != "清单.xlsx"] == ["左旗课件.pdf"]
