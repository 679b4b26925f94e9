"""The banners' December evaluation (their hospitals' scores and their own work, ranked), and the draft a
league reviewer publishes: hospitals and banners see only a published evaluation, and a published one is
not rebuilt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign.services import launch_record_create, lecture_create
from reporting.evaluation.models import BannerEvaluation, Evaluation
from reporting.evaluation.selectors import banner_evaluations_visible_to, evaluations_visible_to
from reporting.evaluation.services import evaluation_build, evaluation_publish
from tests.campaign.conftest import enter_on, lecture_data
from tests.conftest import Alxa
from tests.reporting.conftest import SetClock

pytestmark = pytest.mark.django_db


def _banner_work(alxa: Alxa) -> None:
    """左旗 launches on 06-24 (entered that day) and gives its 集中宣讲 on 06-28; 右旗's launch record,
    dated 06-24, is entered in December (late) and it gives no 集中宣讲."""
    enter_on(dt.date(2021, 6, 24))
    launch_record_create(
        actor=alxa.banner_reviewer, channel="web", campaign=alxa.campaign, launched_on=dt.date(2021, 6, 24),
        meeting="左旗启动会", org_unit=alxa.zuoqi,
    )  # fmt: skip
    enter_on(dt.date(2021, 6, 28))
    lecture_create(
        actor=alxa.banner_reviewer,
        channel="web",
        data=lecture_data(alxa, "centralised", held_on=dt.date(2021, 6, 28), title="集中宣讲"),
    )
    enter_on(dt.date(2021, 12, 5))
    launch_record_create(
        actor=alxa.league_reviewer, channel="web", campaign=alxa.campaign, launched_on=dt.date(2021, 6, 24),
        meeting="右旗启动会", org_unit=alxa.youqi,
    )  # fmt: skip


def test_banners_are_scored_from_their_hospitals_and_their_own_work(alxa: Alxa, set_clock: SetClock) -> None:
    _banner_work(alxa)
    set_clock("2021-12-20 10:00")
    evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    banners = {b.banner.code: b for b in BannerEvaluation.objects.select_related("banner")}
    assert len(banners) == 6  # every banner of the league, the development zones included
    zuoqi, youqi = banners["152921"], banners["152922"]
    hospitals = Evaluation.objects.filter(hospital__banner=alxa.zuoqi)
    mean = sum((e.total_score for e in hospitals), Decimal(0)) / hospitals.count()
    assert abs(zuoqi.hospitals_score - mean) <= Decimal("0.01")
    assert zuoqi.details["launched"] is True
    assert zuoqi.details["centralised_lecture"] is True
    # Its banner-level indicators (O1.2-b …) have no figures: none met.
    assert zuoqi.details["indicators"]["met"] == 0
    assert zuoqi.details["indicators"]["no_data"] > 0
    assert zuoqi.work_score == Decimal("70.00")  # launch 30 + 集中宣讲 40 + indicators 30 × 0
    assert abs(zuoqi.total_score - (Decimal("0.7") * zuoqi.hospitals_score + Decimal(21))) <= Decimal("0.01")
    # 右旗's launch record was entered after 06-25: not counted, whatever its date says.
    assert (youqi.details["launched"], youqi.details["centralised_lecture"]) == (False, False)
    assert youqi.work_score == Decimal("0.00")
    assert zuoqi.rank == 1
    assert sorted(b.rank for b in banners.values())[0] == 1
    # A banner without hospitals is scored on its own work alone (the hospitals' part is left out).
    empty = banners["152972"]  # 腾格里经济技术开发区: no hospital in the seed
    assert (empty.details["hospitals"], empty.total_score) == (0, empty.work_score)


def test_a_draft_is_the_leagues_until_published(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-12-20 10:00")
    evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    assert evaluations_visible_to(alxa.league_reviewer).count() == 10
    assert banner_evaluations_visible_to(alxa.league_reviewer).count() == 6
    for user in (alxa.reporter, alxa.banner_reviewer):
        assert not evaluations_visible_to(user).exists()
        assert not banner_evaluations_visible_to(user).exists()
    for user in (alxa.reporter, alxa.banner_reviewer):
        with pytest.raises(PermissionDenied):
            evaluation_publish(campaign_id=alxa.campaign.pk, actor=user)

    set_clock("2021-12-22 15:00")
    rows = evaluation_publish(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    assert len(rows) == 10
    stamps = set(Evaluation.objects.values_list("published_at", "published_by"))
    assert len(stamps) == 1
    published_at, published_by = stamps.pop()
    assert published_by == alxa.league_reviewer.pk
    assert published_at is not None
    assert published_at.isoformat() == "2021-12-22T07:00:00+00:00"
    assert set(BannerEvaluation.objects.values_list("published_by", flat=True)) == {alxa.league_reviewer.pk}
    # Published: the hospital reads its own row and its banner's; the banner its hospitals and the ranking.
    assert list(evaluations_visible_to(alxa.reporter).values_list("hospital", flat=True)) == [alxa.h004.pk]
    own_banner = banner_evaluations_visible_to(alxa.reporter).values_list("banner", flat=True)
    assert list(own_banner) == [alxa.zuoqi.pk]
    assert set(evaluations_visible_to(alxa.banner_reviewer).values_list("hospital__banner", flat=True)) == {
        alxa.zuoqi.pk
    }
    assert banner_evaluations_visible_to(alxa.banner_reviewer).count() == 6

    with pytest.raises(ValidationError, match="已发布"):
        evaluation_publish(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    # The league's record: a rebuild is refused and changes nothing.
    before = list(Evaluation.objects.order_by("pk").values())
    with pytest.raises(ValidationError, match="不能重新评估") as refused:
        evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    assert refused.value.code == "published"
    assert list(Evaluation.objects.order_by("pk").values()) == before


def test_nothing_to_publish_before_it_is_built(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-12-20 10:00")
    with pytest.raises(ValidationError, match="尚未进行年终评估"):
        evaluation_publish(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
