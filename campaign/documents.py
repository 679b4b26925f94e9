"""Who issues a campaign's official documents (通报), to whom, and how they are numbered: campaign data
(``Campaign.settings["documents"]``, seeds/alxa-2021.yaml). Read by the monthly bulletin's and the
December evaluation's documents (``reporting.bulletins.document``, ``reporting.evaluation.document``),
which lay them out through ``exports.documents``."""

from __future__ import annotations

from campaign.models import Campaign

NUMERALS = "一二三四五六七八九十"
DEFAULT_BULLETIN_NUMBER = "{organ_short}通〔{year}〕{month}号"
# The evaluation is the year's 通报 after the twelve monthly numbers: ``{evaluation}`` is 13.
DEFAULT_EVALUATION_NUMBER = "{organ_short}通〔{year}〕{evaluation}号"
EVALUATION_SEQUENCE = 13


def document_settings(campaign: Campaign) -> dict[str, str]:
    """Who issues the campaign's documents, to whom, and how they are numbered. ``number`` patterns
    take ``{year}``, ``{month}`` and ``{organ_short}`` (and ``{evaluation}``, 13, for the evaluation)."""
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
    """A level-one heading of a document's body: 一、… 二、…"""
    return f"{NUMERALS[position] if position < len(NUMERALS) else position + 1}、{title}"
