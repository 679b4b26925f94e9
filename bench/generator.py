"""A region-scale data set for the export benchmark and for load testing (``manage.py generate_region``).

Deterministic: the same ``seed`` and sizes give the same rows (names, dates, numbers), so two runs of the
benchmark measure the same thing. Every table is filled with ``bulk_create`` in batches of
``BULK_BATCH`` rows; the whole region (about 300 hospitals, 100,000 lectures) takes a few minutes on
PostgreSQL.

What is generated, per hospital: its people and accounts, lectures, action items with a roadmap and
monthly progress, the indicator values of the campaign year AND of the year before (the targets compare
a period with the same period last year, so without last year's twelve months every comparison rule
would say "no data"), and a monthly self-check report for every report month (July to December: the
notice's "7月起按月自查") in a realistic mix of states.

Shape: the real region unit and the 2021 campaign's catalogues are loaded from ``seeds/``; the region is
made of ``leagues`` synthetic leagues (codes ``G01``…), ``banners`` banners spread over them and
``hospitals`` hospitals spread over the banners, each hospital with its secretary, president, department
heads, a reporter account, and its alliances. The 2021 campaign is re-pointed at the region so that one
campaign covers every generated hospital (the rollup and the evaluation then run over the whole region).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from campaign.models import Campaign
from campaign.seeding import seed_load
from hospitals.models import Department, Hospital, MedicalAlliance, OrgUnit, Person, Post, Role, User
from hospitals.selectors import with_county_community

# Rows per INSERT: PostgreSQL's parameter limit (65,535) allows ~2,000 rows of 30 columns.
BULK_BATCH = 2000
REGION_CODE = "150000"
CAMPAIGN_CODE = "alxa-2021"
SEEDS = ("seeds/alxa-league.yaml", "seeds/alxa-2021.yaml")
# Every generated account shares this password (hashed once: hashing 400 times would take a minute).
GENERATED_PASSWORD = "jjx-bench-2021"
BENCH_ADMIN = "bench-admin"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉宇飞鑫波斌宁建国志文海燕荣新"
DEPARTMENTS = ("内科", "外科", "妇产科", "儿科", "急诊科", "麻醉科", "重症医学科", "感染科")
LEAGUE_NAMES = [
    "呼和浩特",
    "包头",
    "呼伦贝尔",
    "兴安",
    "通辽",
    "赤峰",
    "锡林郭勒",
    "乌兰察布",
    "鄂尔多斯",
    "巴彦淖尔",
    "乌海",
    "阿拉善",
]

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class RegionSize:
    hospitals: int = 300
    leagues: int = 12
    banners: int = 100
    lectures: int = 100_000


def batched(items: Iterable[M], size: int = BULK_BATCH) -> Iterator[list[M]]:
    batch: list[M] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk(model: type[M], rows: Iterable[M]) -> list[M]:
    """bulk_create in batches; primary keys are set on PostgreSQL and SQLite."""
    created: list[M] = []
    for batch in batched(rows):
        created.extend(model._default_manager.bulk_create(batch))
    return created


# The mix of states of a month's report (share of hospitals, in order). Months already closed are nearly
# all approved; the campaign's last month, as the bench's clock sees it (early January, after the due
# day, before the lock day), is still under review.
CLOSED_MONTH_MIX = (
    ("missing", 0.03),
    ("draft", 0.02),
    ("returned", 0.02),
    ("resubmitted", 0.02),
    ("banner_reviewed", 0.04),
    ("submitted", 0.02),
    ("approved", 0.85),
)
LAST_MONTH_MIX = (
    ("missing", 0.12),
    ("draft", 0.08),
    ("returned", 0.05),
    ("resubmitted", 0.05),
    ("banner_reviewed", 0.20),
    ("submitted", 0.30),
    ("approved", 0.20),
)
# Share of first submissions made by the due day; the others are 1 to MAX_LATE_DAYS days late.
ON_TIME_SHARE = 0.8
MAX_LATE_DAYS = 12
PROBLEMS = (
    "部分科室宣讲覆盖不全，课件更新不及时。",
    "院外宣讲安排偏少，医联体内交流不足。",
    "指标数据报送口径需与病案统计科核对。",
    "",
)
CORRECTIONS = (
    "下月补讲并更新课件，由党办督办。",
    "与牵头医院协商增加互讲场次。",
    "已由医务科牵头统一口径，次月起按新口径报送。",
    "",
)


# The apps whose tables the generator fills (bulk_create leaves no planner statistics behind).
FILLED_APPS = ("hospitals", "campaign", "reporting")


def analyze_filled_tables() -> None:
    """Planner statistics for what was just loaded: these machines run without autovacuum, and before
    ``ANALYZE`` PostgreSQL plans the lectures list as if its tables were empty (553 ms for page 1 of
    the lectures API, 6 ms after)."""
    tables = [
        connection.ops.quote_name(model._meta.db_table)
        for label in FILLED_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def _pick(rng: random.Random, mix: Sequence[tuple[str, float]]) -> str:
    roll = rng.random()
    for state, share in mix:
        if roll < share:
            return state
        roll -= share
    return mix[-1][0]


class RegionGenerator:
    def __init__(self, *, seed: int, size: RegionSize, say: Callable[[str], None] = lambda s: None) -> None:
        self.rng = random.Random(seed)
        self.size = size
        self.say = say
        self.person_seq = 0

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.choice((1, 2))))

    def person(self, **fields: Any) -> Person:
        self.person_seq += 1
        return Person(code=f"GP{self.person_seq:06d}", name=self.name(), **fields)

    def run(self) -> dict[str, int]:
        if Hospital.objects.filter(code__startswith="G").exists():
            raise ValueError("数据库中已有生成的数据(机构编码以G开头)：请使用空数据库。")
        seed_load(paths=[settings.BASE_DIR / p for p in SEEDS])
        counts: dict[str, int] = {}
        with transaction.atomic():
            self.org_tree(counts)
            self.hospitals(counts)
            self.people(counts)
            self.accounts(counts)
        for step in self.extra_steps():
            with transaction.atomic():
                step(counts)
        analyze_filled_tables()
        return counts

    def extra_steps(self) -> Sequence[Callable[[dict[str, int]], None]]:
        """Each step in its own transaction, so a region's worth of rows is not one huge commit."""
        return [self.lectures, self.action_items, self.indicator_values, self.monthly_reports]

    # -- organisations ---------------------------------------------------------------------------
    def org_tree(self, counts: dict[str, int]) -> None:
        region = OrgUnit.objects.get(code=REGION_CODE)
        leagues = []
        for i in range(self.size.leagues):
            label = LEAGUE_NAMES[i % len(LEAGUE_NAMES)]
            code = f"G{i + 1:02d}"
            leagues.append(
                OrgUnit(
                    code=code,
                    name=f"{label}(模拟{i + 1})",
                    kind=OrgUnit.Kind.LEAGUE,
                    parent=region,
                    path=f"{region.path}{code}/",
                    commission_name=f"{label}(模拟{i + 1})卫生健康委员会",
                )
            )
        self.leagues = bulk(OrgUnit, leagues)
        banners = []
        for i in range(self.size.banners):
            league = self.leagues[i % len(self.leagues)]
            code = f"{league.code}B{i + 1:03d}"
            banners.append(
                OrgUnit(
                    code=code,
                    name=f"模拟{i + 1}旗",
                    kind=OrgUnit.Kind.BANNER,
                    parent=league,
                    path=f"{league.path}{code}/",
                    commission_name=f"模拟{i + 1}旗卫生健康委员会",
                )
            )
        self.banners = bulk(OrgUnit, banners)
        campaign = Campaign.objects.get(code=CAMPAIGN_CODE)
        campaign.league = region
        campaign.name = "2021年讲见效活动(全区模拟数据)"
        campaign.save(update_fields=["league", "name"])
        self.campaign = campaign
        counts["leagues"] = len(self.leagues)
        counts["banners"] = len(self.banners)

    def hospitals(self, counts: dict[str, int]) -> None:
        rows = []
        for i in range(self.size.hospitals):
            banner = self.banners[i % len(self.banners)]
            tertiary = self.rng.random() < 0.3
            rows.append(
                Hospital(
                    code=f"G{i + 1:05d}",
                    name=f"{banner.name}第{i // len(self.banners) + 1}{'中心' if tertiary else '人民'}医院",
                    banner=banner,
                    level=Hospital.Level.TERTIARY if tertiary else Hospital.Level.SECONDARY,
                    type=self.rng.choice(list(Hospital.Type.values)),
                    is_city_tertiary=tertiary and self.rng.random() < 0.5,
                    staff_count=self.rng.randint(150, 2500),
                )
            )
        self.hospital_rows = bulk(Hospital, rows)
        counts["hospitals"] = len(self.hospital_rows)

    def people(self, counts: dict[str, int]) -> None:
        start = dt.date(2019, 1, 1)
        people, posts, departments = [], [], []
        self.leaders: dict[int, dict[str, Person]] = {}
        self.department_heads: dict[int, list[tuple[int, Person | None]]] = {}
        for hospital in self.hospital_rows:
            secretary, president = (
                self.person(hospital=hospital, title="党委书记"),
                self.person(hospital=hospital, title="院长"),
            )
            heads = [self.person(hospital=hospital, title="科室主任") for _ in range(4)]
            people += [secretary, president, *heads]
            self.leaders[hospital.pk] = {Post.Role.SECRETARY: secretary, Post.Role.PRESIDENT: president}
        for banner in self.banners:
            people.append(self.person(org_unit=banner, title="主任"))
        bulk(Person, people)
        by_hospital: dict[int, list[Person]] = {}
        for person in people:
            if person.hospital_id:
                by_hospital.setdefault(person.hospital_id, []).append(person)
            else:
                head = Post.Role.COMMISSION_HEAD
                posts.append(Post(person=person, role=head, org_unit_id=person.org_unit_id, start_on=start))
        for hospital in self.hospital_rows:
            secretary, president, *heads = by_hospital[hospital.pk]
            posts.append(Post(person=secretary, role=Post.Role.SECRETARY, hospital=hospital, start_on=start))
            posts.append(Post(person=president, role=Post.Role.PRESIDENT, hospital=hospital, start_on=start))
            names = self.rng.sample(DEPARTMENTS, len(heads))
            departments += [
                Department(hospital=hospital, name=n, head=h) for n, h in zip(names, heads, strict=True)
            ]
        bulk(Post, posts)
        self.departments = bulk(Department, departments)
        for department in self.departments:
            self.department_heads.setdefault(department.hospital_id, []).append(
                (department.pk, department.head)
            )
        alliances = []
        members: list[tuple[int, list[Hospital]]] = []
        by_banner: dict[int, list[Hospital]] = {}
        for hospital in self.hospital_rows:
            by_banner.setdefault(hospital.banner_id, []).append(hospital)
        for banner in self.banners:
            group = by_banner.get(banner.pk, [])
            if group:
                alliances.append(
                    MedicalAlliance(
                        code=f"GA{banner.code}",
                        name=f"{banner.name}医共体",
                        kind=MedicalAlliance.Kind.COUNTY_COMMUNITY,
                        assessed_by=banner,
                        lead_hospital=group[0],
                    )
                )
                members.append((len(alliances) - 1, group))
        created = bulk(MedicalAlliance, alliances)
        through = MedicalAlliance.members.through
        bulk(
            through,
            (
                through(medicalalliance_id=created[i].pk, hospital_id=h.pk)
                for i, group in members
                for h in group
            ),
        )
        counts["people"] = len(people)
        counts["alliances"] = len(created)

    def accounts(self, counts: dict[str, int]) -> None:
        password = make_password(GENERATED_PASSWORD)
        users = [
            User(username=BENCH_ADMIN, password=password, role=Role.ADMIN, is_staff=True, is_superuser=True)
        ]
        users += [
            User(username=f"g-{h.code.lower()}", password=password, role=Role.HOSPITAL_REPORTER, hospital=h)
            for h in self.hospital_rows
        ]
        users += [
            User(username=f"g-{u.code.lower()}", password=password, role=role, org_unit=u)
            for units, role in ((self.banners, Role.BANNER_REVIEWER), (self.leagues, Role.LEAGUE_REVIEWER))
            for u in units
        ]
        bulk(User, users)
        self.reviewers = {u.org_unit_id: u for u in users if u.role == Role.BANNER_REVIEWER}
        self.league_reviewers = {u.org_unit_id: u for u in users if u.role == Role.LEAGUE_REVIEWER}
        counts["users"] = len(users)

    # -- 讲: lectures ------------------------------------------------------------------------------
    def lectures(self, counts: dict[str, int]) -> None:
        """``size.lectures`` lectures over the campaign's dates, shaped like the notice asks: mostly
        department lectures, hospital-wide ones by the secretary or president, some exchanges between
        hospitals of a league, alliance and tour lectures, and one centralised lecture per banner."""
        from campaign.models import (
            KeyDocument,
            Layer,
            LectureCoverage,
            LectureKind,
            LectureSession,
            SpeakerRole,
        )

        campaign = self.campaign
        kinds = {k.code: k for k in LectureKind.objects.filter(campaign=campaign)}
        documents = list(KeyDocument.objects.filter(campaign=campaign).order_by("number"))
        layers = list(Layer.objects.filter(campaign=campaign).order_by("order"))
        days = (campaign.ends_on - campaign.starts_on).days
        alliances = {
            a.assessed_by_id: a.pk
            for a in MedicalAlliance.objects.filter(code__startswith="GA").only("pk", "assessed_by_id")
        }
        by_league: dict[int | None, list[Hospital]] = {}
        league_of = {b.pk: b.parent_id for b in self.banners}
        for hospital in self.hospital_rows:
            by_league.setdefault(league_of[hospital.banner_id], []).append(hospital)
        mix = (("department", 0.60), ("in_hospital", 0.25), ("exchange", 0.08), ("alliance", 0.05))
        commission_heads = {
            p.org_unit_id: p.person_id
            for p in Post.objects.filter(role=Post.Role.COMMISSION_HEAD, org_unit__in=self.banners)
        }
        total = 0

        def lecture(i: int) -> tuple[LectureSession, list[tuple[int, int]]]:
            when = campaign.starts_on + dt.timedelta(days=self.rng.randint(0, days))
            if i < len(self.banners):  # the banners' centralised lectures come first
                banner = self.banners[i]
                return LectureSession(
                    campaign=campaign, kind=kinds["centralised"], org_unit=banner, held_on=when,
                    title=f"{banner.name}公立医院高质量发展集中宣讲", speaker_id=commission_heads[banner.pk],
                    speaker_role=SpeakerRole.COMMISSION_HEAD, attendance_expected=30, attendance_present=28,
                ), [(1, 1), (1, 2)]  # fmt: skip
            hospital = self.hospital_rows[i % len(self.hospital_rows)]
            roll, code = self.rng.random(), "region_tour"
            for candidate, share in mix:
                if roll < share:
                    code = candidate
                    break
                roll -= share
            leaders = self.leaders[hospital.pk]
            role = self.rng.choice((SpeakerRole.SECRETARY, SpeakerRole.PRESIDENT))
            fields: dict[str, Any] = {"speaker": leaders[role], "speaker_role": role}
            if code == "department":
                department_id, head = self.rng.choice(self.department_heads[hospital.pk])
                fields = {
                    "speaker": head,
                    "speaker_role": SpeakerRole.DEPARTMENT_HEAD,
                    "department_id": department_id,
                }
            elif code == "exchange":
                peers = [h for h in by_league[league_of[hospital.banner_id]] if h.pk != hospital.pk]
                fields["host_hospital"] = self.rng.choice(peers) if peers else None
                if fields["host_hospital"] is None:
                    code = "in_hospital"
            elif code == "alliance":
                fields["alliance_id"] = alliances.get(hospital.banner_id)
            own = code in ("department", "in_hospital")
            expected = self.rng.randint(20, 400) if code != "department" else self.rng.randint(8, 60)
            document = self.rng.choice(documents)
            covered = self.rng.sample(range(1, len(documents) + 1), self.rng.randint(0, 2))
            coverage = [(n, layer) for n in sorted(covered) for layer in range(1, self.rng.randint(1, 4) + 1)]
            party_history = own and self.rng.random() < 0.3
            present = self.rng.randint(expected * 7 // 10, expected)
            on_duty = self.rng.randint(0, expected // 10)
            # The services' rules, kept by rows written past them: present + on duty within the expected,
            # and every 全区巡讲 online with its link.
            online = self.rng.random() < 0.15 or code == "region_tour"
            return LectureSession(
                campaign=campaign,
                kind=kinds[code],
                hospital=hospital,
                held_on=when,
                title=f"{document.theme or document.title}专题宣讲（第{i // len(self.hospital_rows) + 1}讲）",
                party_history=party_history,
                attendance_expected=expected,
                attendance_present=min(present, expected - on_duty),
                on_duty_exempt=on_duty,
                is_online=online,
                online_link=f"https://meeting.example.cn/jjx/{i}" if online else "",
                **fields,
            ), coverage

        doc_ids = {d.number: d.pk for d in documents}
        layer_ids = {n: layer.pk for n, layer in enumerate(layers, start=1)}
        count = max(self.size.lectures, len(self.banners))
        for start in range(0, count, BULK_BATCH):
            made = [lecture(i) for i in range(start, min(count, start + BULK_BATCH))]
            rows = LectureSession.objects.bulk_create([m[0] for m in made])
            LectureCoverage.objects.bulk_create(
                LectureCoverage(lecture_id=row.pk, document_id=doc_ids[n], layer_id=layer_ids[layer])
                for row, (_, coverage) in zip(rows, made, strict=True)
                for n, layer in coverage
            )
            total += len(rows)
        counts["lectures"] = total

    # -- 见: action items with a roadmap and monthly progress ---------------------------------------
    def action_items(self, counts: dict[str, int]) -> None:
        from campaign.models import ActionItem, ActionTask, ProgressEntry, ProgressStatus, RoadmapMilestone

        campaign = self.campaign
        tasks = list(ActionTask.objects.filter(campaign=campaign).order_by("code"))
        months = [dt.date(campaign.year, m, 1) for m in range(max(1, campaign.starts_on.month), 13)]
        items = []
        for hospital in self.hospital_rows:
            for task in tasks:
                if not task.applies_to_hospital(hospital):
                    continue
                for part in task.parts_for(hospital) or [""]:
                    starts = campaign.starts_on + dt.timedelta(days=self.rng.randint(0, 30))
                    items.append(
                        ActionItem(
                            campaign=campaign,
                            hospital=hospital,
                            task=task,
                            part=part,
                            title=f"{part or task.name}：{hospital.name}落实方案",
                            description="明确责任人、时间表和路线图，按月推进。",
                            responsible=self.leaders[hospital.pk][self.rng.choice(Post.HOSPITAL_ROLES)],
                            starts_on=starts,
                            due_on=starts + dt.timedelta(days=self.rng.randint(60, 200)),
                        )
                    )
        created = bulk(ActionItem, items)
        roadmap, progress = [], []
        statuses = [
            ProgressStatus.NOT_STARTED,
            ProgressStatus.ON_TRACK,
            ProgressStatus.AT_RISK,
            ProgressStatus.DONE,
        ]
        for item in created:
            span = (item.due_on - item.starts_on).days
            for step in range(1, 4):
                due = item.starts_on + dt.timedelta(days=span * step // 3)
                roadmap.append(RoadmapMilestone(action_item=item, title=f"第{step}阶段", due_on=due))
            level = 0
            for month in months:
                if month < item.starts_on.replace(day=1):
                    continue
                level = min(3, level + (self.rng.random() < 0.45))
                progress.append(
                    ProgressEntry(
                        action_item=item, month=month, status=statuses[level], note=f"{month:%m}月按计划推进"
                    )
                )
            item.current_status = statuses[level]
        ActionItem.objects.bulk_update(created, ["current_status"], batch_size=BULK_BATCH)
        bulk(RoadmapMilestone, roadmap)
        bulk(ProgressEntry, progress)
        counts["action_items"] = len(created)
        counts["progress_entries"] = len(progress)

    # -- 出: twelve months of every applicable indicator, and last year's twelve as the baseline ------
    def indicator_values(self, counts: dict[str, int]) -> None:
        from decimal import Decimal

        from campaign.models import Indicator
        from reporting.indicators.models import IndicatorValue

        campaign = self.campaign
        indicators = list(Indicator.objects.filter(campaign=campaign).order_by("order"))
        months = [dt.date(year, m, 1) for year in (campaign.year - 1, campaign.year) for m in range(1, 13)]
        rng = self.rng

        def value(indicator: Indicator, owner: dict[str, Any], month: dt.date) -> IndicatorValue:
            growth = 1 + (month.year - campaign.year + 1) * rng.uniform(-0.05, 0.15)
            fields: dict[str, Any] = {}
            if indicator.value_type == Indicator.ValueType.RATIO:
                denominator = rng.randint(200, 5000)
                share = min(0.95, rng.uniform(0.2, 0.7) * growth)
                if indicator.numerator_may_exceed:
                    share = rng.uniform(0.8, 1.6) * growth
                fields = {"numerator": Decimal(int(denominator * share)), "denominator": Decimal(denominator)}
            elif indicator.value_type == Indicator.ValueType.COUNT:
                fields = {"count": int(rng.randint(2, 40) * growth)}
            else:
                parts = max(1, len(indicator.parts))
                fields = {"answers": [rng.random() < 0.6 * growth for _ in range(parts)]}
            return IndicatorValue(indicator=indicator, month=month, **owner, **fields)

        # Who is in a 医共体 (O4.2-b's applicability), read once for every generated hospital.
        in_community = {
            h.pk
            for h in with_county_community(Hospital.objects.filter(pk__in=[h.pk for h in self.hospital_rows]))
            if h.in_county_community
        }
        for h in self.hospital_rows:
            h.__dict__["county_community"] = h.pk in in_community

        def rows() -> Iterator[IndicatorValue]:
            for indicator in indicators:
                owners: list[dict[str, Any]]
                if indicator.reporting_level == Indicator.ReportingLevel.BANNER:
                    owners = [{"unit": b} for b in self.banners]
                else:
                    owners = [{"hospital": h} for h in self.hospital_rows if indicator.applies_to_hospital(h)]
                for owner in owners:
                    for month in months:
                        yield value(indicator, owner, month)

        counts["indicator_values"] = len(bulk(IndicatorValue, rows()))

    # -- monthly self-check reports ------------------------------------------------------------------
    def monthly_reports(self, counts: dict[str, int]) -> None:
        """One report per hospital and report month, except the missing ones, with the dates and reviewers
        its state implies: a first submission before or after the due day (``late_days`` as the services
        compute it), a banner review, an approval by a league reviewer, the returns counted."""
        from zoneinfo import ZoneInfo

        from campaign.calendar import late_days_for, report_due_date, report_months
        from reporting.reports.models import MonthlyReport

        shanghai = ZoneInfo(settings.TIME_ZONE)
        campaign = self.campaign
        months = report_months(campaign)
        league_of = {b.pk: b.parent_id for b in self.banners}
        status = MonthlyReport.Status
        rows = []

        def at(day: dt.date, hour: int) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(hour, self.rng.randint(0, 59)), tzinfo=shanghai)

        for month in months:
            mix = LAST_MONTH_MIX if month == months[-1] else CLOSED_MONTH_MIX
            due = report_due_date(campaign, month)
            for hospital in self.hospital_rows:
                state = _pick(self.rng, mix)
                if state == "missing":
                    continue
                report = MonthlyReport(campaign=campaign, hospital=hospital, month=month)
                rows.append(report)
                if state == "draft":
                    continue
                report.problems = self.rng.choice(PROBLEMS)
                report.corrections = self.rng.choice(CORRECTIONS) if report.problems else ""
                late = 0 if self.rng.random() < ON_TIME_SHARE else self.rng.randint(1, MAX_LATE_DAYS)
                first = due + dt.timedelta(days=late if late else -self.rng.randint(0, 4))
                report.first_submitted_at = report.submitted_at = at(first, self.rng.randint(8, 17))
                report.late_days = late_days_for(campaign, month, first)
                reviewer = self.reviewers.get(hospital.banner_id)
                reviewed = first + dt.timedelta(days=self.rng.randint(1, 3))
                if state in ("returned", "resubmitted"):
                    report.return_count = 1
                    report.status = status.RETURNED
                    if state == "resubmitted":
                        report.status = status.RESUBMITTED
                        report.submitted_at = at(reviewed + dt.timedelta(days=self.rng.randint(1, 3)), 16)
                    continue
                report.status = status.SUBMITTED
                if state in ("banner_reviewed", "approved"):
                    report.status = status.BANNER_REVIEWED
                    report.banner_reviewed_at, report.banner_reviewed_by = at(reviewed, 10), reviewer
                if state == "approved":
                    report.status = status.APPROVED
                    report.approved_at = at(reviewed + dt.timedelta(days=self.rng.randint(1, 4)), 15)
                    report.approved_by = self.league_reviewers.get(league_of[hospital.banner_id])
        created = bulk(MonthlyReport, rows)
        counts["monthly_reports"] = len(created)
        for state in status.values:
            counts[f"monthly_reports_{state}"] = sum(1 for r in created if r.status == state)
