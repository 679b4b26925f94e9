"""The monthly bulletin as an official document (通报, SPEC §7): the stored figures of ``Bulletin.data``
written out as sentences, each section's table after its sentences, under the league commission's
mark and the bulletin's 文号. Word through ``exports.documents``; PDF converted from that Word file.

The issuing organ, the recipients and the number are campaign data (``Campaign.settings["documents"]``,
see ``document_settings``); where the campaign says nothing, the league's commission issues it to the
banners' commissions and the hospitals.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from campaign.documents import document_settings, heading
from core import clock
from exports.documents import OfficialDocument, Part, Table, document_docx, docx_to_pdf
from reporting.bulletins.models import Bulletin
from reporting.bulletins.selectors import BANNER_LEVEL, MILESTONE_TOTALS


def _column(section: dict[str, Any], name: str) -> int:
    return list(section["columns"]).index(name)


def _sum(section: dict[str, Any], name: str) -> int:
    index = _column(section, name)
    return sum(int(row[index] or 0) for row in section["rows"])


def _reports_sentences(section: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    hospitals = _sum(section, "医院数")
    on_time, late, missing = _sum(section, "按时提交"), _sum(section, "逾期提交"), _sum(section, "未提交")
    text = (
        f"本月应提交月度自查报告的医院{hospitals}家，按时提交{on_time}家，逾期提交{late}家，"
        f"未提交{missing}家，已审核通过{_sum(section, '已审核通过')}家。"
    )
    detail = sections.get("reports")
    if detail and missing:
        names = [
            f"{row[_column(detail, '医院')]}"
            for row in detail["rows"]
            if row[_column(detail, "提交情况")] == "未提交"
        ]
        text += f"未提交的医院是：{'、'.join(names)}。"
    return [text]


def _lectures_sentences(section: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    kinds = [c for c in section["columns"] if c.endswith("(本月)")]
    parts = [f"{kind.removesuffix('(本月)')}{_sum(section, kind)}场" for kind in kinds if _sum(section, kind)]
    text = f"本月全盟各医院共开展宣讲{_sum(section, '本月合计')}场，活动以来累计{_sum(section, '累计')}场"
    return [text + (f"，其中{'，'.join(parts)}。" if parts else "。")]


def _milestones_sentences(section: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    milestones = list(section["columns"])[2:]
    hospitals = len(section["rows"])
    lines = []
    for offset, name in enumerate(milestones, start=2):
        states = Counter(row[offset] for row in section["rows"])
        if states["未到期"] == hospitals:
            continue
        lines.append(f"“{name}”已完成{states['已完成']}家，未完成{states['未完成']}家")
    if not lines:
        return ["本月尚无到期的时间节点。"]
    return [f"截至本月末，{'；'.join(lines)}（共{hospitals}家医院）。"]


def _actions_sentences(section: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    total = _sum(section, "合计")
    return [
        f"各医院共有见行动任务{total}项，已完成{_sum(section, '已完成')}项，"
        f"按计划推进{_sum(section, '按计划推进')}项，存在风险{_sum(section, '存在风险')}项，"
        f"逾期{_sum(section, '逾期')}项，未开始{_sum(section, '未开始')}项。"
    ]


def _indicators_sentences(section: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    met, not_met, no_data = _sum(section, "达标"), _sum(section, "未达标"), _sum(section, "无数据")
    text = f"各医院出成效指标累计达标{met}项次，未达标{not_met}项次，无数据{no_data}项次。"
    league = sections.get("indicators_league")
    if league:
        verdicts = Counter(row[_column(league, "结论")] for row in league["rows"])
        text += "全盟汇总：" + "，".join(f"{k}{n}项" for k, n in sorted(verdicts.items())) + "。"
    return [text]


def _dispatch_sentences(section: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    rows = section["rows"]
    timeliness = Counter(row[_column(section, "调度报告")] for row in rows)
    states = Counter(row[_column(section, "状态")] for row in rows)
    text = (
        f"{len(rows)}个旗(区)中，按时报送调度报告{timeliness['按时报送']}个，逾期报送{timeliness['逾期报送']}个，"
        f"未报送{timeliness['未报送']}个；盟卫生健康委已阅{states['已阅']}份，退回修改{states['已退回']}份。"
    )
    missing = [row[0] for row in rows if row[_column(section, "调度报告")] == "未报送"]
    if missing:
        text += f"未报送的旗(区)是：{'、'.join(missing)}。"
    visits = _sum(section, "本月出席宣讲")
    text += f"本月盟卫生健康委出席旗(区)集中宣讲{visits}场，活动以来累计{_sum(section, '累计出席宣讲')}场。"
    return [text]


def _ranking_sentences(section: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    top = [f"{row[2]}（{row[3]:g}分）" for row in section["rows"][:3]]
    return [f"本月综合得分前三位的医院是：{'、'.join(top)}。"] if top else []


def _rows(section: dict[str, Any]) -> list[dict[str, Any]]:
    """A section's rows by column name."""
    return [dict(zip(section["columns"], row, strict=False)) for row in section["rows"]]


def _milestones_banner_sentences(section: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    """The league-wide sentence of the hospital table, then one clause per banner."""
    lines = _milestones_sentences(sections["milestones"], sections) if "milestones" in sections else []
    clauses = []
    for row in _rows(section):
        due, done, overdue = (int(row[c] or 0) for c in MILESTONE_TOTALS[:3])
        if not due:
            clauses.append(f"{row['旗(区)']}尚无到期的时间节点")
            continue
        clauses.append(
            f"{row['旗(区)']}{row['医院数']}家医院应完成{due}项次，已完成{done}项次，"
            f"逾期未完成{overdue}项次，完成率{row['完成率']}"
        )
    if clauses:
        lines.append(f"分旗(区)看：{'；'.join(clauses)}。")
    return lines


def _actions_banner_sentences(section: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    """The league's totals (the banner rows carry the same status columns), then one clause per banner."""
    lines = _actions_sentences(section, sections)
    clauses = []
    for row in _rows(section):
        total = int(row["合计"] or 0)
        if not total:
            clauses.append(f"{row['旗(区)']}尚无见行动任务")
            continue
        clauses.append(
            f"{row['旗(区)']}{row['有任务的医院']}家医院有见行动任务{total}项，已完成{row['已完成']}项，"
            f"存在风险{row['存在风险']}项，逾期{row['逾期']}项"
        )
    if clauses:
        lines.append(f"分旗(区)看：{'；'.join(clauses)}。")
    return lines


def _indicators_banner_sentences(section: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    """The league's totals and roll-up, one clause per banner (its hospitals' verdicts and its own
    banner-level indicators), then the banner-level indicators not met by name."""
    lines = _indicators_sentences(section, sections)
    met, not_met, no_data = BANNER_LEVEL
    clauses = []
    for row in _rows(section):
        clause = f"{row['旗(区)']}{row['已提交报告']}家医院提交报告"
        if row["未提交报告"]:
            clause += f"、{row['未提交报告']}家未提交"
        if row["已提交报告"]:
            clause += (
                f"，医院指标达标{row['达标']}项次、未达标{row['未达标']}项次、无数据{row['无数据']}项次，"
                f"达标率{row['达标率']}"
            )
        clause += f"，旗(区)级指标达标{row[met]}项、未达标{row[not_met]}项、无数据{row[no_data]}项"
        clauses.append(clause)
    if clauses:
        lines.append(f"分旗(区)看：{'；'.join(clauses)}。")
    own = sections.get("indicators_banner_level")
    if own:
        missed = [f"{r['旗(区)']}“{r['名称']}”" for r in _rows(own) if r["结论"] == "未达标"]
        if missed:
            lines.append(f"旗(区)级指标未达标的有：{'、'.join(missed)}。")
    return lines


SENTENCES = {
    "reports_by_banner": _reports_sentences,
    "lectures_by_banner": _lectures_sentences,
    "milestones_by_banner": _milestones_banner_sentences,
    "milestones": _milestones_sentences,
    "actions_by_banner": _actions_banner_sentences,
    "actions": _actions_sentences,
    "indicators_by_banner": _indicators_banner_sentences,
    "indicators": _indicators_sentences,
    "dispatch": _dispatch_sentences,
    "ranking": _ranking_sentences,
}
# The tables that a banner summary already says in sentences stay as tables only, after its own table,
# in this order. A bulletin built before the banner summary existed keeps its hospital table as a part.
PART_OF = {
    "reports": "reports_by_banner",
    "lectures": "lectures_by_banner",
    "milestones": "milestones_by_banner",
    "actions": "actions_by_banner",
    "indicators_banner_level": "indicators_by_banner",
    "indicators": "indicators_by_banner",
    "indicators_league": "indicators",
    "milestones_units": "milestones",
    "lectures_supervised": "lectures_by_banner",
}


def _part_owner(key: str, sections: dict[str, dict[str, Any]]) -> str:
    """The section whose part carries ``key``'s table: up ``PART_OF`` as far as the bulletin has it."""
    while PART_OF.get(key) in sections:
        key = PART_OF[key]
    return key


def _sentences(key: str, section: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    """A section's figures as sentences; a section stored in another shape (an older bulletin, a
    hand-made one) keeps its table and gets no sentence rather than breaking the document."""
    write = SENTENCES.get(key)
    if write is None:
        return []
    try:
        return write(section, sections)
    except (IndexError, KeyError, ValueError, TypeError):
        return []


def bulletin_number(bulletin: Bulletin) -> str:
    config = document_settings(bulletin.campaign)
    return config["bulletin_number"].format(
        year=bulletin.month.year, month=bulletin.month.month, organ_short=config["organ_short"]
    )


def bulletin_document(bulletin: Bulletin) -> OfficialDocument:
    config = document_settings(bulletin.campaign)
    sections = {s["key"]: s for s in bulletin.data.get("sections", [])}
    tables = {
        key: Table(s["title"], list(s["columns"]), [list(r) for r in s["rows"]])
        for key, s in sections.items()
    }
    parts: list[Part] = []
    by_key: dict[str, Part] = {}
    for key, section in sections.items():
        if _part_owner(key, sections) != key:
            continue
        part = Part(heading(len(parts), section["title"]), _sentences(key, section, sections))
        part.tables.append(tables[key])
        parts.append(part)
        by_key[key] = part
    for key in PART_OF:
        owner = _part_owner(key, sections)
        if key in sections and owner != key:
            by_key[owner].tables.append(tables[key])
    month = bulletin.month
    day = timezone.localdate(bulletin.published_at or bulletin.built_at or clock.now())
    return OfficialDocument(
        organ_mark=config["organ_mark"],
        number=bulletin_number(bulletin),
        title=f"关于{month.year}年{month.month}月“讲医改、见行动、出成效”活动开展情况的通报",
        recipients=config["recipients"],
        opening=[
            f"根据《{bulletin.campaign.name}》（{bulletin.campaign.document_number}）要求，现将"
            f"{month.year}年{month.month}月全盟{bulletin.data.get('hospital_count', 0)}家公立医院活动开展情况"
            "通报如下。"
        ],
        parts=parts,
        signature=config["organ"],
        date=day,
    )


def bulletin_document_filename(bulletin: Bulletin, extension: str) -> str:
    return f"{bulletin.campaign.code}-{bulletin.month:%Y-%m}-月度通报.{extension}"


def bulletin_docx(bulletin: Bulletin) -> bytes:
    return document_docx(bulletin_document(bulletin))


# A conversion takes LibreOffice a few seconds: the PDF of one state of a bulletin (it changes only when
# rebuilt or published) is kept in the cache for a day.
PDF_CACHE_SECONDS = 24 * 3600


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    """Raises ``ConversionUnavailable`` (with a Chinese message) when LibreOffice cannot convert."""
    stamp = f"{bulletin.built_at:%Y%m%d%H%M%S%f}-{bulletin.status}-{bulletin.published_at or ''}"
    key = f"bulletin-pdf:{bulletin.pk}:{stamp}"
    content = cache.get(key)
    if content is None:
        content = docx_to_pdf(bulletin_docx(bulletin))
        cache.set(key, content, PDF_CACHE_SECONDS)
    return bytes(content)
