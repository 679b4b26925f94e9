"""The bulletin's line for the league's and the banners' own milestones (issue 15: 06-25 is "全盟、各旗(区)、
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
