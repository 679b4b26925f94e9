import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from reporting.bulletins.models import Bulletin
from reporting.bulletins.services import bulletin_build, bulletin_publish
from reporting.tasks import build_previous_month_rollup
from tests.conftest import Alxa
from tests.reporting.conftest import JULY, SetClock, make_report

pytestmark = pytest.mark.django_db


def _section(bulletin: Bulletin, key: str) -> dict:
    return next(s for s in bulletin.data["sections"] if s["key"] == key)


def test_the_rollup_run_three_times_leaves_one_bulletin_with_the_same_figures(
    alxa: Alxa, set_clock: SetClock
) -> None:
    set_clock("2021-08-08 10:00")
    make_report(alxa, state="submitted")
    figures = []
    for _ in range(3):
        ids = build_previous_month_rollup.delay(today="2021-08-01").get()
        figures.append(Bulletin.objects.get(pk=ids[0]).data)
    assert Bulletin.objects.count() == 1
    assert figures[0] == figures[1] == figures[2]
    bulletin = Bulletin.objects.get()
    assert (bulletin.month, bulletin.status) == (JULY, "draft")
    reports = _section(bulletin, "reports")
    assert ["左旗" in r[0] and r[1] for r in reports["rows"]].count("阿拉善左旗人民医院") == 1
    h004 = next(r for r in reports["rows"] if r[1] == "阿拉善左旗人民医院")
    assert h004[3:] == ["已提交", "逾期提交", 3]
    by_banner = {r[0]: r[1:] for r in _section(bulletin, "reports_by_banner")["rows"]}
    assert by_banner["阿拉善左旗"] == [5, 0, 1, 4, 0]
    assert [s["key"] for s in bulletin.data["sections"]] == [
        "reports_by_banner",
        "reports",
        "lectures_by_banner",
        "lectures",
        "lectures_supervised",
        "milestones_by_banner",
        "milestones",
        "milestones_units",
        "actions_by_banner",
        "actions",
        "indicators_by_banner",
        "indicators_banner_level",
        "indicators",
        "indicators_league",
        "dispatch",
        "ranking",
    ]
    # Ranking: the mean of the section scores. H004: punctuality 70 (3 days late), no milestone met by
    # 07-31, no action item, and its share of indicators met; the nine others have nothing.
    indicators = next(r for r in _section(bulletin, "indicators")["rows"] if r[1] == "阿拉善左旗人民医院")
    met_share = 100 * indicators[2] / sum(indicators[2:5])
    ranking = _section(bulletin, "ranking")["rows"]
    assert ranking[0] == [1, "阿拉善左旗", "阿拉善左旗人民医院", round((70 + 0 + 0 + met_share) / 4, 1)]
    assert {(row[0], row[3]) for row in ranking[1:]} == {(2, 0.0)}  # the nine missing share second place
    assert (
        next(r for r in _section(bulletin, "indicators")["rows"] if r[1] == "阿拉善右旗人民医院")[5]
        == "未提交报告"
    )


def test_the_workbook_has_one_sheet_per_section_with_headers(alxa: Alxa, set_clock: SetClock) -> None:
    bulletin = bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    with bulletin.workbook.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    assert book.sheetnames == [s["title"] for s in bulletin.data["sections"]]
    assert book.sheetnames[:3] == ["各旗(区)自查报告汇总", "月度自查报告提交情况", "各旗(区)宣讲活动(按形式)"]
    sheet = book["月度自查报告提交情况"]
    assert [c.value for c in sheet[1]] == ["旗(区)", "医院", "等级", "状态", "提交情况", "逾期天数"]
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 11


def test_only_a_league_reviewer_builds_and_publishes_and_a_published_bulletin_is_kept(
    alxa: Alxa, set_clock: SetClock
) -> None:
    with pytest.raises(PermissionDenied):
        bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.banner_reviewer)
    with pytest.raises(ValidationError, match="尚未结束"):
        bulletin_build(campaign_id=alxa.campaign.pk, month=dt.date(2021, 8, 1), actor=alxa.league_reviewer)
    with pytest.raises(ValidationError, match="不在活动的月度通报期内"):
        bulletin_build(campaign_id=alxa.campaign.pk, month=dt.date(2021, 6, 1), actor=alxa.league_reviewer)
    bulletin = bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    with pytest.raises(PermissionDenied):
        bulletin_publish(bulletin_id=bulletin.pk, actor=alxa.banner_reviewer)
    bulletin_publish(bulletin_id=bulletin.pk, actor=alxa.league_reviewer)
    with pytest.raises(ValidationError, match="已发布"):
        bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    assert build_previous_month_rollup.delay(today="2021-08-01").get() == []
    assert Bulletin.objects.get().status == "published"


def test_the_figures_take_a_fixed_number_of_queries(
    alxa: Alxa, set_clock: SetClock, django_assert_max_num_queries
) -> None:
    from campaign.models import Campaign
    from reporting.bulletins.selectors import bulletin_figures
    from tests.factories import HospitalFactory

    campaign = Campaign.objects.select_related("league").get(pk=alxa.campaign.pk)
    with django_assert_max_num_queries(30) as small:
        bulletin_figures(campaign, JULY)
    HospitalFactory.create_batch(20, banner=alxa.youqi)
    with django_assert_max_num_queries(30) as large:
        bulletin_figures(campaign, JULY)
    assert len(small.captured_queries) == len(large.captured_queries)
