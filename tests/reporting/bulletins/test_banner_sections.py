"""The bulletin's banner sections (issue 15 point 3): milestones, action items and indicators (the
banner-level ones included) one row per 旗(区), beside the reports' and lectures', in ``Bulletin.data``,
its workbook, its charts and its Word document, read in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from campaign.models import Campaign
from reporting.bulletins.document import bulletin_docx
from reporting.bulletins.models import Bulletin
from reporting.bulletins.selectors import bulletin_charts, bulletin_figures
from reporting.bulletins.services import bulletin_build
from tests.campaign.conftest import h004_action_item, person
from tests.conftest import Alxa
from tests.factories import BannerFactory, HospitalFactory, indicator_value
from tests.reporting.bulletins.scenarios import banner_month
from tests.reporting.conftest import JULY, SetClock

pytestmark = pytest.mark.django_db

ZUOQI, YOUQI, EJINA, GAOXIN = "阿拉善左旗", "阿拉善右旗", "额济纳旗", "阿拉善高新技术产业开发区"


def _bulletin(alxa: Alxa, set_clock: SetClock) -> Bulletin:
    banner_month(alxa, set_clock)
    return bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in data["sections"] if s["key"] == key)


def _by_banner(data: dict[str, Any], key: str) -> dict[str, list[Any]]:
    return {row[0]: row[1:] for row in _section(data, key)["rows"]}


def test_milestones_per_banner(alxa: Alxa, set_clock: SetClock) -> None:
    data = _bulletin(alxa, set_clock).data
    section = _section(data, "milestones_by_banner")
    assert section["title"] == "各旗(区)时间节点完成情况"
    milestones = _section(data, "milestones")["columns"][2:]
    assert section["columns"] == [
        "旗(区)", "医院数", *[f"{m}(完成家数)" for m in milestones],
        "应完成(项次)", "已完成(项次)", "逾期未完成(项次)", "完成率",
    ]  # fmt: skip
    assert len(milestones) == 6
    rows = _by_banner(data, "milestones_by_banner")
    assert list(rows) == [ZUOQI, YOUQI, EJINA, GAOXIN]
    # On 07-31: the three June milestones are overdue everywhere, 07-31 is met by H004 only (met counts
    # as due), the August ones are not yet due. 左旗: 5 hospitals × 3 + H004's 07-31.
    assert rows[ZUOQI] == [5, 0, 0, 0, 1, 0, 0, 16, 1, 15, "6%"]
    assert rows[YOUQI] == [2, 0, 0, 0, 0, 0, 0, 6, 0, 6, "0%"]
    assert rows[GAOXIN] == [1, 0, 0, 0, 0, 0, 0, 3, 0, 3, "0%"]
    # The banner row is its hospitals' rows added up.
    h004 = next(r for r in _section(data, "milestones")["rows"] if r[1] == "阿拉善左旗人民医院")
    assert h004[2:] == ["未完成", "未完成", "未完成", "已完成", "未到期", "未到期"]


def test_action_items_per_banner(alxa: Alxa, set_clock: SetClock) -> None:
    data = _bulletin(alxa, set_clock).data
    section = _section(data, "actions_by_banner")
    assert section["columns"] == [
        "旗(区)", "医院数", "有任务的医院", "未开始", "按计划推进", "存在风险", "逾期", "已完成",
        "合计", "逾期率",
    ]  # fmt: skip
    rows = _by_banner(data, "actions_by_banner")
    assert rows[ZUOQI] == [5, 1, 1, 0, 1, 1, 0, 3, "33%"]
    assert rows[YOUQI] == [2, 1, 0, 0, 0, 0, 1, 1, "0%"]
    assert rows[EJINA] == [2, 0, 0, 0, 0, 0, 0, 0, None]  # no item: no share, a dash on the page


def test_indicators_per_banner_with_the_banner_level_ones(alxa: Alxa, set_clock: SetClock) -> None:
    data = _bulletin(alxa, set_clock).data
    rows = _by_banner(data, "indicators_by_banner")
    assert _section(data, "indicators_by_banner")["columns"] == [
        "旗(区)", "医院数", "已提交报告", "未提交报告", "达标", "未达标", "无数据", "达标率",
        "旗(区)级指标达标", "旗(区)级指标未达标", "旗(区)级指标无数据",
    ]  # fmt: skip
    # 左旗: only H004 submitted, so its hospital figures are H004's; its own four banner-level
    # indicators: 县域内就诊率 met, three not reported.
    h004 = next(r for r in _section(data, "indicators")["rows"] if r[1] == "阿拉善左旗人民医院")
    met, not_met, no_data = h004[2:5]
    assert met + not_met + no_data > 0
    assert rows[ZUOQI] == [5, 1, 4, met, not_met, no_data, h004[5], 1, 0, 3]
    assert rows[YOUQI] == [2, 0, 2, 0, 0, 0, None, 0, 1, 3]
    assert rows[EJINA] == [2, 0, 2, 0, 0, 0, None, 0, 0, 4]
    own = _section(data, "indicators_banner_level")
    assert own["columns"] == ["旗(区)", "指标", "名称", "结论", "说明"]
    assert [r[:4] for r in own["rows"] if r[0] in (ZUOQI, YOUQI)] == [
        [ZUOQI, "O1.2-b", "县域内就诊率", "达标"],
        [ZUOQI, "O4.1-a", "基层医疗卫生机构诊疗量占总诊疗量比例", "无数据"],
        [ZUOQI, "O4.1-b", "居民2周患病首选基层医疗卫生机构比例", "无数据"],
        [ZUOQI, "O4.2-c", "医共体与城市三级医院建立稳定帮扶关系比例", "无数据"],
        [YOUQI, "O1.2-b", "县域内就诊率", "无数据"],
        [YOUQI, "O4.1-a", "基层医疗卫生机构诊疗量占总诊疗量比例", "未达标"],
        [YOUQI, "O4.1-b", "居民2周患病首选基层医疗卫生机构比例", "无数据"],
        [YOUQI, "O4.2-c", "医共体与城市三级医院建立稳定帮扶关系比例", "无数据"],
    ]
    assert (
        own["rows"][0][4] == "本期65.0%，上年同期55.0%，变化+10.0个百分点；目标较上年提高10个百分点(65.0%)。"
    )
    assert len(own["rows"]) == 4 * 4  # four banners, four banner-level indicators each


def test_the_charts_the_workbook_and_the_word_document_carry_the_banner_sections(
    alxa: Alxa, set_clock: SetClock
) -> None:
    bulletin = _bulletin(alxa, set_clock)
    charts = {c.key: c for c in bulletin_charts(bulletin.data)}
    milestones = charts["bulletin-milestones-banner"]
    assert milestones.labels == [ZUOQI, YOUQI, EJINA, GAOXIN]
    assert [(s.label, s.values) for s in milestones.series] == [
        ("已完成", [1, 0, 0, 0]),
        ("逾期未完成", [15, 6, 6, 3]),
    ]
    actions = charts["bulletin-actions"]
    assert [(s.label, s.values[:2]) for s in actions.series] == [
        ("未开始", [1, 0]),
        ("按计划推进", [0, 0]),
        ("存在风险", [1, 0]),
        ("逾期", [1, 0]),
        ("已完成", [0, 1]),
    ]
    indicators = charts["bulletin-indicators"]
    assert [s.label for s in indicators.series] == ["达标", "未达标", "无数据"]
    assert sum(indicators.series[0].values) == _by_banner(bulletin.data, "indicators_by_banner")[ZUOQI][3]

    # The workbook: a sheet per banner section, numbers as numbers.
    with bulletin.workbook.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    sheet = book["各旗(区)时间节点完成情况"]
    assert [c.value for c in sheet[2]] == [ZUOQI, 5, 0, 0, 0, 1, 0, 0, 16, 1, 15, "6%"]
    assert [c.value for c in book["各旗(区)见行动任务进展"][4]][-1] is None  # 额济纳旗: no share
    assert book["旗(区)级指标达标情况"].max_row == 1 + 16

    # The Word document: each banner section's figures as sentences, then its tables.
    doc = Document(io.BytesIO(bulletin_docx(bulletin)))
    texts = [p.text for p in doc.paragraphs if p.text]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    assert len(tables) == len(bulletin.data["sections"])
    for key in (
        "milestones_by_banner",
        "actions_by_banner",
        "indicators_by_banner",
        "indicators_banner_level",
    ):
        section = _section(bulletin.data, key)
        table = next(t for t in tables if t[0] == section["columns"])
        assert table[1:] == [["—" if v is None else str(v) for v in row] for row in section["rows"]]
    headings = [t for t in texts if t[1:2] == "、"]
    assert headings == [
        "一、各旗(区)自查报告汇总",
        "二、各旗(区)宣讲活动(按形式)",
        "三、各旗(区)时间节点完成情况",
        "四、各旗(区)见行动任务进展",
        "五、各旗(区)出成效指标达标情况",
        "六、各旗(区)调度报告及盟卫生健康委出席宣讲情况",
        "七、综合排名",
    ]
    body = "\n".join(texts)
    assert (
        "分旗(区)看：阿拉善左旗5家医院应完成16项次，已完成1项次，逾期未完成15项次，完成率6%；"
        "阿拉善右旗2家医院应完成6项次，已完成0项次，逾期未完成6项次，完成率0%；" in body
    )
    assert (
        "分旗(区)看：阿拉善左旗1家医院有见行动任务3项，已完成0项，存在风险1项，逾期1项；"
        "阿拉善右旗1家医院有见行动任务1项，已完成1项，存在风险0项，逾期0项；额济纳旗尚无见行动任务；" in body
    )
    assert "各医院共有见行动任务4项，已完成1项，按计划推进0项，存在风险1项，逾期1项，未开始1项。" in body
    assert "阿拉善右旗0家医院提交报告、2家未提交，旗(区)级指标达标0项、未达标1项、无数据3项" in body
    assert "旗(区)级指标未达标的有：阿拉善右旗“基层医疗卫生机构诊疗量占总诊疗量比例”。" in body
    # The part's sentences come before its tables: the banner table first, then the hospitals'.
    part = texts.index("三、各旗(区)时间节点完成情况")
    assert texts[part + 1].startswith("截至本月末，")
    assert texts[part + 2].startswith("分旗(区)看：")


def test_an_older_bulletin_without_banner_sections_keeps_its_hospital_parts(
    alxa: Alxa, set_clock: SetClock
) -> None:
    bulletin = _bulletin(alxa, set_clock)
    data = dict(bulletin.data)
    banner_keys = {
        "milestones_by_banner",
        "actions_by_banner",
        "indicators_by_banner",
        "indicators_banner_level",
    }
    bulletin.data["sections"] = [s for s in bulletin.data["sections"] if s["key"] not in banner_keys]
    charts = {c.key for c in bulletin_charts(bulletin.data)}
    assert not charts & {"bulletin-milestones-banner", "bulletin-actions", "bulletin-indicators"}
    # With no submitted report the indicator chart is empty and says why.
    empty = bulletin_charts(
        {
            "sections": [
                {
                    "key": "indicators_by_banner",
                    "columns": _section(data, "indicators_by_banner")["columns"],
                    "rows": [[ZUOQI, 5, 0, 5, 0, 0, 0, None, 1, 0, 3]],
                }
            ]
        }
    )[0]
    assert (empty.is_empty, empty.empty_text) == (True, "本月没有已提交报告的医院。")
    doc = Document(io.BytesIO(bulletin_docx(bulletin)))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert [t for t in texts if t[1:2] == "、"][2:5] == [
        "三、时间节点完成情况",
        "四、见行动任务进展",
        "五、出成效指标达标情况",
    ]
    assert len(doc.tables) == len(bulletin.data["sections"])


def test_the_banner_sections_take_no_query_per_hospital_or_banner(
    alxa: Alxa, set_clock: SetClock, django_assert_max_num_queries: Any
) -> None:
    banner_month(alxa, set_clock)
    campaign = Campaign.objects.select_related("league").get(pk=alxa.campaign.pk)
    with django_assert_max_num_queries(30) as small:
        bulletin_figures(campaign, JULY)
    # A new banner with hospitals, action items and its own banner-level figure.
    banner = BannerFactory.create(parent=alxa.league, name="新旗")
    hospitals = HospitalFactory.create_batch(6, banner=banner)
    for h in hospitals:
        h004_action_item(alxa, hospital=h, responsible=person("H005-P02"), due_on=dt.date(2021, 7, 15))
    indicator_value("O1.2-b", banner, JULY, numerator=10, denominator=100)
    with django_assert_max_num_queries(30) as large:
        figures = bulletin_figures(campaign, JULY)
    assert len(small.captured_queries) == len(large.captured_queries)
    assert _by_banner(figures, "actions_by_banner")["新旗"] == [6, 6, 0, 0, 0, 6, 0, 6, "100%"]
    assert _by_banner(figures, "indicators_by_banner")["新旗"] == [6, 0, 6, 0, 0, 0, None, 0, 0, 4]
    assert _by_banner(figures, "milestones_by_banner")["新旗"][0] == 6


def test_wide_tables_in_a_row_share_landscape_pages_and_no_page_is_empty(
    alxa: Alxa, set_clock: SetClock
) -> None:
    """The banner and hospital milestone tables are both wide: one landscape run, not a landscape page,
    an empty portrait page and another landscape page."""
    bulletin = _bulletin(alxa, set_clock)
    content = bulletin_docx(bulletin)
    doc = Document(io.BytesIO(content))
    orientations = [section.orientation for section in doc.sections]
    assert all(a != b for a, b in itertools.pairwise(orientations))
    # Portrait text, then one landscape run each for the wide tables of lectures (both), milestones
    # (both), action items (both) and the banners' indicators; the other tables are narrow (portrait).
    assert len(orientations) == 1 + 2 * 4
    from pypdf import PdfReader

    from exports.documents import docx_to_pdf

    reader = PdfReader(io.BytesIO(docx_to_pdf(content)))
    empty = [n for n, page in enumerate(reader.pages, start=1) if not page.extract_text().strip()]
    assert empty == []
