"""The December evaluation as an official document (通报, notice §三(四)), laid out as the monthly
bulletin's is (``exports.documents``): the stored scores written out as sentences, the hospitals' and
the banners' ranking tables, the list proposed for commendation, under the league commission's mark and
the evaluation's 文号 (``campaign.documents.document_settings``, ``evaluation_number``). Word first;
the PDF is converted from that Word file.

The document is the whole campaign's evaluation, as a bulletin is the whole month's: it is read by the
league's reviewers as a draft and, once published, by everyone the campaign's documents are addressed
to (``evaluation_document_rows`` decides)."""

from __future__ import annotations

from decimal import Decimal

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from campaign.documents import EVALUATION_SEQUENCE, document_settings, heading
from campaign.models import Campaign
from core import clock
from exports.documents import OfficialDocument, Part, Table, document_docx, docx_to_pdf
from reporting.evaluation.models import BannerEvaluation, Evaluation

HOSPITAL_COLUMNS = ["排名", "旗(区)", "医院", "讲医改", "见行动", "出成效", "绩效考核", "总分", "拟表彰"]
BANNER_COLUMNS = ["排名", "旗(区)", "所属医院平均分", "旗(区)工作得分", "总分"]
TOP = 3


def _score(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _mean(values: list[Decimal]) -> str:
    return f"{sum(values) / len(values):.2f}" if values else "—"


def evaluation_number(campaign: Campaign) -> str:
    config = document_settings(campaign)
    return config["evaluation_number"].format(
        year=campaign.year, month=12, evaluation=EVALUATION_SEQUENCE, organ_short=config["organ_short"]
    )


def hospital_table(rows: list[Evaluation]) -> Table:
    return Table(
        "表1  各医院年终评估得分及排名",
        HOSPITAL_COLUMNS,
        [
            [
                e.rank,
                e.hospital.banner.name,
                e.hospital.name,
                _score(e.lecture_score),
                _score(e.action_score),
                _score(e.outcome_score),
                _score(e.assessment_score),
                _score(e.total_score),
                "是" if e.proposed_commendation else "",
            ]
            for e in rows
        ],
    )


def banner_table(banners: list[BannerEvaluation]) -> Table:
    return Table(
        "表2  各旗(区)年终评估得分及排名",
        BANNER_COLUMNS,
        [
            [b.rank, b.banner.name, _score(b.hospitals_score), _score(b.work_score), _score(b.total_score)]
            for b in banners
        ],
    )


def evaluation_document(
    campaign: Campaign, rows: QuerySet[Evaluation], banners: QuerySet[BannerEvaluation]
) -> OfficialDocument:
    """The document of ``campaign``'s stored evaluation (``rows`` and ``banners``, already the reader's)."""
    config = document_settings(campaign)
    hospitals = list(rows.select_related("hospital__banner").order_by("rank", "hospital__code"))
    banner_rows = list(banners.select_related("banner").order_by("rank", "banner__code"))
    assessed = [e.assessment_score for e in hospitals if e.assessment_score is not None]
    overall = [
        f"全盟{len(hospitals)}家公立医院年终评估平均总分{_mean([e.total_score for e in hospitals])}分，"
        f"其中讲医改平均{_mean([e.lecture_score for e in hospitals])}分，"
        f"见行动平均{_mean([e.action_score for e in hospitals])}分，"
        f"出成效平均{_mean([e.outcome_score for e in hospitals])}分。"
        + (
            f"{len(assessed)}家医院纳入全国和自治区公立医院绩效考核结果，平均{_mean(assessed)}分。"
            if assessed
            else "本次评估尚未纳入全国和自治区公立医院绩效考核结果。"
        )
    ]
    top = "、".join(f"{e.hospital.name}（{e.total_score:.2f}分）" for e in hospitals[:TOP])
    ranking = [f"总分前{min(TOP, len(hospitals))}位的医院是：{top}。"] if hospitals else ["尚无医院参评。"]
    banner_top = "、".join(f"{b.banner.name}（{b.total_score:.2f}分）" for b in banner_rows[:TOP])
    banner_text = (
        [
            f"全盟{len(banner_rows)}个旗(区)按所属医院平均得分和旗(区)本级工作(启动、集中宣讲、旗(区)级指标)"
            f"评估，排名前{min(TOP, len(banner_rows))}位的是：{banner_top}。"
        ]
        if banner_rows
        else ["尚无旗(区)参评。"]
    )
    proposed = [e for e in hospitals if e.proposed_commendation]
    commendation = (
        [
            f"根据评估结果，拟对以下{len(proposed)}家医院予以表彰："
            + "、".join(e.hospital.name for e in proposed)
            + "。"
        ]
        if proposed
        else ["本次评估暂无医院达到拟表彰条件。"]
    )
    parts = [
        Part(heading(0, "总体情况"), overall),
        Part(heading(1, "医院评估结果"), ranking, [hospital_table(hospitals)]),
        Part(heading(2, "旗(区)评估结果"), banner_text, [banner_table(banner_rows)]),
        Part(heading(3, "拟表彰名单"), commendation),
    ]
    stamp = next(
        (e.published_at for e in hospitals if e.published_at is not None),
        hospitals[0].built_at if hospitals else clock.now(),
    )
    return OfficialDocument(
        organ_mark=config["organ_mark"],
        number=evaluation_number(campaign),
        title=f"关于{campaign.year}年“讲医改、见行动、出成效”活动年终评估情况的通报",
        recipients=config["recipients"],
        opening=[
            f"根据《{campaign.name}》（{campaign.document_number}）要求，盟卫生健康委依据平时监控、"
            "相关统计数据及全国和自治区公立医院绩效考核结果，从讲医改、见行动、出成效三个维度对全盟"
            f"{len(hospitals)}家公立医院和{len(banner_rows)}个旗(区)的活动情况进行了评估。现将评估结果通报如下。"
        ],
        parts=parts,
        signature=config["organ"],
        date=timezone.localdate(stamp),
    )


def evaluation_document_filename(campaign: Campaign, extension: str) -> str:
    return f"{campaign.code}-年终评估.{extension}"


def evaluation_docx(
    campaign: Campaign, rows: QuerySet[Evaluation], banners: QuerySet[BannerEvaluation]
) -> bytes:
    return document_docx(evaluation_document(campaign, rows, banners))


# As the bulletin's: LibreOffice takes seconds, and an evaluation changes only when rebuilt or published.
PDF_CACHE_SECONDS = 24 * 3600


def evaluation_pdf(
    campaign: Campaign, rows: QuerySet[Evaluation], banners: QuerySet[BannerEvaluation]
) -> bytes:
    """Raises ``ConversionUnavailable`` (with a Chinese message) when LibreOffice cannot convert."""
    first = rows.order_by("built_at").values_list("built_at", "published_at").first()
    built, published = first if first is not None else (None, None)
    stamps = [f"{t:%Y%m%d%H%M%S%f}" for t in (built, published) if t is not None]
    key = f"evaluation-pdf:{campaign.pk}:{'-'.join(stamps)}"
    content = cache.get(key)
    if content is None:
        content = docx_to_pdf(evaluation_docx(campaign, rows, banners))
        cache.set(key, content, PDF_CACHE_SECONDS)
    return bytes(content)
