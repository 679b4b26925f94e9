"""The monthly bulletin (月度通报, SPEC §7): figures, build, publish, and its workbook.

Figures come from submitted and approved data only — a draft report counts as missing. The bulletin is
one row per (campaign, month): building again replaces its figures and its workbook, never adds a
second one; a published bulletin is the league's record and is not rebuilt. The figures are read with
a fixed number of queries whatever the number of hospitals (issue 6 benchmarks 30 against 300).

Sections are pluggable: each provider reads the month in bulk and returns its sections and, optionally,
a 0–100 score per hospital; the ranking is the mean of the scores a hospital has.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from campaign.models import Campaign
from hospitals.audit import record_change
from hospitals.models import ChangeRecord, Hospital, Role, User
from hospitals.selectors import AnyUser

from . import clock
from .report_models import Bulletin, MonthlyReport, Notification
from .report_selectors import campaign_hospitals, report_months

# A late report loses this many points per day late in the punctuality score, down to the floor.
LATE_PENALTY_PER_DAY = 10
LATE_FLOOR = 40


def bulletin_months(campaign: Campaign) -> list[dt.date]:
    """Bulletins run monthly from ``bulletin_from_month`` (notice §三(三): "7月起…盟卫生健康委按月通报")."""
    return report_months(campaign)


@dataclass
class Section:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "columns": self.columns, "rows": self.rows}


@dataclass
class MonthFacts:
    """What every provider gets: the campaign, the month and its hospitals (banner loaded)."""

    campaign: Campaign
    month: dt.date
    hospitals: list[Hospital]


SectionProvider = Callable[[MonthFacts], tuple[list[Section], dict[int, float]]]


def submission_category(report: MonthlyReport | None) -> str:
    if report is None or report.first_submitted_at is None:
        return "missing"
    return "late" if report.late_days > 0 else "on_time"


CATEGORY_LABELS = {"on_time": "按时提交", "late": "逾期提交", "missing": "未提交"}


def _reports_section(facts: MonthFacts) -> tuple[list[Section], dict[int, float]]:
    reports = {
        r.hospital_id: r
        for r in MonthlyReport.objects.filter(campaign=facts.campaign, month=facts.month).order_by()
    }
    by_hospital = Section(
        "reports", "月度自查报告提交情况", ["旗(区)", "医院", "等级", "状态", "提交情况", "逾期天数"]
    )
    banner_counts: dict[str, dict[str, int]] = defaultdict(
        lambda: {"hospitals": 0, "on_time": 0, "late": 0, "missing": 0, "approved": 0}
    )
    scores: dict[int, float] = {}
    for hospital in facts.hospitals:
        report = reports.get(hospital.pk)
        category = submission_category(report)
        status = report.get_status_display() if report else "未填报"
        by_hospital.rows.append(
            [
                hospital.banner.name,
                hospital.name,
                hospital.get_level_display(),
                status,
                CATEGORY_LABELS[category],
                report.late_days if report else 0,
            ]
        )
        counts = banner_counts[hospital.banner.name]
        counts["hospitals"] += 1
        counts[category] += 1
        counts["approved"] += bool(report and report.status == MonthlyReport.Status.APPROVED)
        if category == "on_time":
            scores[hospital.pk] = 100.0
        elif category == "late" and report is not None:
            scores[hospital.pk] = float(max(LATE_FLOOR, 100 - LATE_PENALTY_PER_DAY * report.late_days))
        else:
            scores[hospital.pk] = 0.0
    by_banner = Section(
        "reports_by_banner",
        "各旗(区)自查报告汇总",
        ["旗(区)", "医院数", "按时提交", "逾期提交", "未提交", "已审核通过"],
    )
    for banner, c in banner_counts.items():
        by_banner.rows.append([banner, c["hospitals"], c["on_time"], c["late"], c["missing"], c["approved"]])
    return [by_banner, by_hospital], scores


SECTION_PROVIDERS: list[SectionProvider] = [_reports_section]


def bulletin_figures(campaign: Campaign, month: dt.date) -> dict[str, Any]:
    """Every figure of the month's bulletin, as plain data (stored in ``Bulletin.data``)."""
    facts = MonthFacts(campaign=campaign, month=month, hospitals=list(campaign_hospitals(campaign)))
    sections: list[Section] = []
    scores: dict[int, list[float]] = defaultdict(list)
    for provider in SECTION_PROVIDERS:
        provided, provided_scores = provider(facts)
        sections.extend(provided)
        for hospital_id, score in provided_scores.items():
            scores[hospital_id].append(score)
    ranking = Section("ranking", "综合排名", ["排名", "旗(区)", "医院", "得分"])
    ranked = sorted(
        facts.hospitals,
        key=lambda h: (-_mean(scores[h.pk]), h.code),
    )
    rank = 0
    previous: float | None = None
    for position, hospital in enumerate(ranked, start=1):
        score = round(_mean(scores[hospital.pk]), 1)
        if score != previous:
            rank, previous = position, score
        ranking.rows.append([rank, hospital.banner.name, hospital.name, score])
    sections.append(ranking)
    return {
        "campaign": campaign.code,
        "month": month.isoformat(),
        "hospital_count": len(facts.hospitals),
        "sections": [s.as_dict() for s in sections],
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _safe(value: Any) -> Any:
    """Text that Excel would read as a formula (= + - @) is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def bulletin_workbook(bulletin: Bulletin) -> bytes:
    """One sheet per section, Chinese headers, the header row frozen."""
    workbook = Workbook(write_only=True)
    for section in bulletin.data.get("sections", []):
        sheet = workbook.create_sheet(title=section["title"][:31])
        sheet.freeze_panes = "A2"
        for index, column in enumerate(section["columns"], start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(column) + 4)
        sheet.append(section["columns"])
        for row in section["rows"]:
            sheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bulletin_filename(bulletin: Bulletin) -> str:
    return f"{bulletin.campaign.code}-{bulletin.month:%Y-%m}-月度通报.xlsx"


def _require_league(actor: AnyUser, what: str) -> User:
    if not isinstance(actor, User) or not actor.is_active or not actor.is_league_level:
        raise PermissionDenied(f"只有盟审核员可以{what}。")
    return actor


@transaction.atomic
def bulletin_build(
    *,
    campaign_id: int,
    month: dt.date,
    actor: AnyUser | None = None,
    channel: str = ChangeRecord.Channel.SYSTEM,
) -> Bulletin:
    """Build (or rebuild) the month's draft bulletin and its workbook. ``actor`` None is the scheduled
    rollup. Refused for a published bulletin (code ``published``)."""
    user = _require_league(actor, "生成月度通报") if actor is not None else None
    campaign = Campaign.objects.select_related("league").get(pk=campaign_id)
    if month not in bulletin_months(campaign):
        raise ValidationError(f"{month:%Y年%m月}不在活动的月度通报期内。", code="invalid_month")
    if month >= clock.today().replace(day=1):
        raise ValidationError(f"{month:%Y年%m月}尚未结束，不能生成该月通报。", code="invalid_month")
    now = clock.now()
    bulletin, created = Bulletin.objects.get_or_create(
        campaign=campaign, month=month, defaults={"built_at": now, "built_by": user}
    )
    bulletin = Bulletin.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=bulletin.pk)
    if bulletin.status == Bulletin.Status.PUBLISHED:
        raise ValidationError("该月通报已发布，不能重新生成。", code="published")
    old_data = bulletin.data
    bulletin.data = bulletin_figures(campaign, month)
    bulletin.built_at = now
    bulletin.built_by = user
    if bulletin.workbook:
        bulletin.workbook.delete(save=False)
    bulletin.workbook.save(bulletin_filename(bulletin), ContentFile(bulletin_workbook(bulletin)), save=False)
    bulletin.save()
    record_change(
        bulletin,
        action="build" if created else "rebuild",
        actor=user,
        channel=channel,
        changes={} if created or old_data == bulletin.data else {"data": ["(旧数据)", "(已更新)"]},
    )
    return bulletin


@transaction.atomic
def bulletin_publish(
    *, bulletin_id: int, actor: AnyUser, channel: str = ChangeRecord.Channel.WEB
) -> Bulletin:
    user = _require_league(actor, "发布月度通报")
    bulletin = (
        Bulletin.objects.select_for_update(of=("self",))
        .select_related("campaign__league")
        .get(pk=bulletin_id)
    )
    if bulletin.status == Bulletin.Status.PUBLISHED:
        raise ValidationError("该月通报已发布。", code="illegal_transition")
    bulletin.status = Bulletin.Status.PUBLISHED
    bulletin.published_at = clock.now()
    bulletin.published_by = user
    bulletin.save(update_fields=["status", "published_at", "published_by"])
    record_change(
        bulletin, action="publish", actor=user, channel=channel, changes={"status": ["draft", "published"]}
    )
    reviewers = User.objects.filter(
        role=Role.BANNER_REVIEWER, org_unit__path__startswith=bulletin.campaign.league.path, is_active=True
    )
    Notification.objects.bulk_create(
        [
            Notification(
                user=u,
                kind="bulletin_published",
                title=f"{bulletin}已发布",
                link=f"/bulletins/{bulletin.pk}/",
            )
            for u in reviewers
        ]
    )
    return bulletin


def rollup_previous_month(*, today: dt.date | None = None) -> list[Bulletin]:
    """The monthly rollup: build last month's bulletin for every campaign that has one that month.
    Published bulletins are left as they are, so the task can run any number of times."""
    today = today or clock.today()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    built = []
    for campaign in Campaign.objects.all():
        if month not in bulletin_months(campaign):
            continue
        try:
            built.append(bulletin_build(campaign_id=campaign.pk, month=month))
        except ValidationError as exc:
            if exc.code != "published":
                raise
    return built
