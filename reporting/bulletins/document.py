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

from campaign.models import Campaign
from core import clock
from exports.documents import OfficialDocument, Part, Table, document_docx, docx_to_pdf
from reporting.bulletins.models import Bulletin

NUMERALS = "一二三四五六七八九十"
DEFAULT_BULLETIN_NUMBER = "{organ_short}通〔{year}〕{month}号"
DEFAULT_EVALUATION_NUMBER = "{organ_short}通〔{year}〕{evaluation}号"


def document_settings(campaign: Campaign) -> dict[str, str]:
    """Who issues the campaign's documents, to whom, and how they are numbered. ``number`` patterns
    take ``{year}``, ``{month}`` and ``{organ_short}``."""
    organ = campaign.league.commission_name or f"{campaign.league.name}卫生健康委员会"
    given = (campaign.settings or {}).get("documents", {}) or {}
    defaults = {
        "organ": organ,
        "organ_mark": f"{organ}文件",
        "organ_short": organ.removesuffix("卫生健康委员会") + "卫健",
        "recipients": "各旗(区)卫生健康委，各公立医院",
        "bulletin_number": DEFAULT_BULLETIN_NUMBER,
        "evaluation_number": DEFAULT_EVALUATION_NUMBER,
    }
    return {**defaults, **{k: str(v) for k, v in given.items() if v}}


def heading(position: int, title: str) -> str:
    return f"{NUMERALS[position] if position < len(NUMERALS) else position + 1}、{title}"


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


def _ranking_sentences(section: dict[str, Any], sections: dict[str, dict[str, Any]]) -> list[str]:
    top = [f"{row[2]}（{row[3]:g}分）" for row in section["rows"][:3]]
    return [f"本月综合得分前三位的医院是：{'、'.join(top)}。"] if top else []


SENTENCES = {
    "reports_by_banner": _reports_sentences,
    "lectures_by_banner": _lectures_sentences,
    "milestones": _milestones_sentences,
    "actions": _actions_sentences,
    "indicators": _indicators_sentences,
    "ranking": _ranking_sentences,
}
# The per-hospital tables that a banner summary already says in sentences stay as tables only.
PART_OF = {
    "reports": "reports_by_banner",
    "lectures": "lectures_by_banner",
    "indicators_league": "indicators",
}


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
        if PART_OF.get(key) in sections:
            continue
        part = Part(heading(len(parts), section["title"]), _sentences(key, section, sections))
        part.tables.append(tables[key])
        parts.append(part)
        by_key[key] = part
    for key, owner in PART_OF.items():
        if key in sections and owner in by_key:
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
