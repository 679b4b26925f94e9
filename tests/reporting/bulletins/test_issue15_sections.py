"""Issue 15 in the bulletin: the league's and the banners' own milestones (06-25 is "全盟、各旗(区)、
各医院"; before, only hospitals were in the milestone section)."""

import datetime as dt
import io

import docx
import pytest

from campaign.services import launch_record_create
from reporting.bulletins.document import bulletin_docx
from reporting.bulletins.models import Bulletin
from reporting.bulletins.services import bulletin_build
from tests.campaign.conftest import enter_on
from tests.conftest import Alxa
from tests.reporting.conftest import JULY, SetClock

pytestmark = pytest.mark.django_db


def test_the_milestone_section_has_a_line_for_the_league_and_each_banner(
    alxa: Alxa, set_clock: SetClock
) -> None:
    enter_on(dt.date(2021, 6, 22))
    launch_record_create(
        actor=alxa.league_reviewer,
        channel="api",
        campaign=alxa.campaign,
        org_unit=alxa.league,
        launched_on=dt.date(2021, 6, 22),
        meeting="全盟启动大会",
    )
    enter_on(dt.date(2021, 7, 2))
    launch_record_create(
        actor=alxa.banner_reviewer,
        channel="api",
        campaign=alxa.campaign,
        org_unit=alxa.zuoqi,
        launched_on=dt.date(2021, 6, 24),
        meeting="左旗启动会",
    )
    set_clock("2021-08-08 10:00")
    bulletin = bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    section = next(s for s in bulletin.data["sections"] if s["key"] == "milestones_units")
    assert section["columns"] == ["单位", "启动活动", "说明"]
    rows = {row[0]: row[1:] for row in section["rows"]}
    assert rows["阿拉善盟"] == ["已完成", ""]
    assert rows["阿拉善左旗"] == ["未完成", "启动记录2021-07-02才录入，晚于06-25的期限"]
    assert rows["阿拉善右旗"] == ["未完成", "尚无启动记录"]
    assert next(iter(rows)) == "阿拉善盟"
    assert len(rows) == 1 + len({r[0] for r in _hospital_rows(bulletin)})
    # The Word document carries it as a table of the milestones part.
    document = docx.Document(io.BytesIO(bulletin_docx(bulletin)))
    tables = [[cell.text for cell in table.rows[0].cells] for table in document.tables]
    assert ["单位", "启动活动", "说明"] in tables


def _hospital_rows(bulletin: Bulletin) -> list[list[object]]:
    return next(s for s in bulletin.data["sections"] if s["key"] == "milestones")["rows"]


def test_the_bulletin_counts_the_lectures_a_commission_official_attended(
    alxa: Alxa, set_clock: SetClock
) -> None:
    """Issue 15, §四(一): per banner, the month's lectures, how many had an official present and who.
    Before, the officials appeared in no bulletin."""
    from campaign.services import lecture_create
    from tests.campaign.conftest import lecture_data, person

    head, league_head = person("B152921-P01"), person("L152900-P01")
    lecture_create(
        actor=alxa.admin, channel="api", data=lecture_data(alxa, supervising_officials=(head, league_head))
    )
    lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, title="第二讲", held_on=dt.date(2021, 7, 12), supervising_officials=(head,)),
    )
    lecture_create(actor=alxa.admin, channel="api", data=lecture_data(alxa, title="第三讲"))
    lecture_create(  # August: not this bulletin's month
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, held_on=dt.date(2021, 8, 2), supervising_officials=(head,)),
    )
    lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, hospital=alxa.h006, speaker=person("H006-P01")),
    )
    set_clock("2021-08-08 10:00")
    bulletin = bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    section = next(s for s in bulletin.data["sections"] if s["key"] == "lectures_supervised")
    assert section["columns"] == ["旗(区)", "本月宣讲场次", "有领导出席指导", "出席指导的领导"]
    rows = {row[0]: row[1:] for row in section["rows"]}
    assert rows["阿拉善左旗"] == [3, 2, f"{head.name}、{league_head.name}"]
    assert rows["阿拉善右旗"] == [1, 0, "—"]
