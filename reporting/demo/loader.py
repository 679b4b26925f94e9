"""The living demo: the 2021 campaign of the ten sample hospitals as it stands on 2021-12-03 10:00.

Everything is written through the services that the API, the pages and the admin use, as the user who
would have done it, with the clock (``core.clock``, through ``settings.REPORTING_CLOCK``) set to the
moment of each step, so every rule of the campaign holds exactly as it does for real users: lectures
by the right speakers on their dates, values only for ended months, reports submitted with every
required item, reviewed, returned, resubmitted and approved in order, bulletins built and published
after the month.

What the demo holds (``DemoLoader.run``):

- the launch of the league, the banners and the hospitals (06-21 … 06-24; 高新区医院 late, 06-28);
  the lecture plans with a title and courseware per key document (右旗蒙医医院 fixed late, 07-02); the
  tour lecturers chosen by the league;
- lectures of every kind from June to November (集中宣讲 by the banners, 院内宣讲 by the secretary and
  the president, 科室宣讲, 院外互讲, 医联体内串讲 and 全区巡讲), many with small sample materials
  (``samples``), some recommended for publicity by the league; 额济纳旗蒙医医院's president lectures
  only in August and it goes outside only in September, so two of its milestones are missed;
- action items with a roadmap and monthly progress (some done, some at risk, two overdue);
- the 2020 baseline (12 months) and the 2021 values of January to November, a few explained where
  they changed a lot;
- the monthly reports of July to October, all approved: most on time, four late, one returned at the
  first review and one by the league, each corrected, resubmitted and approved; the bulletins of July
  to October built and published;
- November in a mix of states (approved, first-reviewed, submitted, resubmitted after a return,
  returned, a draft that ``h004`` finishes, one missing) and an unlock request for October waiting.

Deterministic: the figures come from ``random.Random(SEED)`` drawn in a fixed order, so two loads give
the same rows. Idempotent: a campaign that already holds the demo's launch records is left as it is.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from campaign import services as campaign_services
from campaign.models import (
    ActionItem,
    ActionTask,
    Campaign,
    Indicator,
    KeyDocument,
    LaunchRecord,
    Layer,
    LectureKind,
    LectureSession,
    MaterialKind,
    ProgressStatus,
)
from campaign.seeding import seed_load
from campaign.services import ActionItemData, LectureData, RoadmapStepData
from core.months import next_month
from hospitals.models import (
    ChangeRecord,
    Department,
    Hospital,
    MedicalAlliance,
    OrgUnit,
    Person,
    Post,
    Role,
    User,
)
from reporting.bulletins.models import Bulletin
from reporting.bulletins.services import bulletin_build, bulletin_publish
from reporting.demo.samples import docx_file, pdf_file, photo_file
from reporting.dispatch.models import DispatchReport
from reporting.dispatch.services import (
    dispatch_report_mark_read,
    dispatch_report_open,
    dispatch_report_return,
    dispatch_report_submit,
    dispatch_report_update,
    league_visit_create,
)
from reporting.indicators.models import IndicatorValue
from reporting.indicators.selectors import (
    applicable_indicators,
    indicator_unexplained_warnings,
    indicators_of,
)
from reporting.indicators.services import (
    ValueEntry,
    indicator_value_explain,
    indicator_value_save,
    indicator_values_save,
)
from reporting.notices.services import notification_mark_read
from reporting.reports.models import MonthlyReport, ReviewComment
from reporting.reports.services import (
    CommentInput,
    report_approve,
    report_banner_review,
    report_get_or_create,
    report_return,
    report_submit,
    report_unlock_request,
    report_update,
)

CAMPAIGN_CODE = "alxa-2021"
CLERK_SEED = "seeds/alxa-demo-clerks.yaml"
SEED = 2021
# Where the demo stands: the Makefile's DEMO_CLOCK.
SHANGHAI = ZoneInfo("Asia/Shanghai")  # settings.TIME_ZONE: the campaign's days are Shanghai's
DEMO_NOW = dt.datetime(2021, 12, 3, 10, 0, tzinfo=SHANGHAI)
WEB = ChangeRecord.Channel.WEB
DEMO_PASSWORD = "jjx-demo-2021"  # seeds/alxa-demo.yaml's

HOSPITAL_CODES = tuple(f"H{n:03d}" for n in range(1, 11))
# The leaders the league chose for the region tour (§三(二)): (hospital, post).
TOUR_LECTURERS = (("H001", Post.Role.SECRETARY), ("H004", Post.Role.PRESIDENT), ("H006", Post.Role.SECRETARY))
LAUNCH_DAYS = {"H010": dt.date(2021, 6, 28)}  # late: the 06-25 milestone is missed
PLAN_DAYS = {"H007": dt.date(2021, 7, 2)}  # late: the 06-30 milestone is missed
LATE_PRESIDENT = "H009"  # the president's first 院内宣讲 is in August: the 07-31 milestone is missed
LATE_EXTERNAL = "H009"  # no lecture outside the hospital before September: the 08-31 milestone is missed
REPORT_MONTHS = tuple(dt.date(2021, m, 1) for m in (7, 8, 9, 10))
NOVEMBER = dt.date(2021, 11, 1)
# First submissions after the due day (the 5th): (hospital, month) → day of the next month.
LATE_SUBMISSIONS = {
    ("H005", dt.date(2021, 7, 1)): 8,
    ("H009", dt.date(2021, 8, 1)): 11,
    ("H002", dt.date(2021, 9, 1)): 6,
    ("H010", dt.date(2021, 10, 1)): 7,
}
PROBLEMS = (
    "部分科室宣讲覆盖不全，个别科室主任宣讲准备不足。",
    "院外互讲安排偏少，医联体内交流有待加强。",
    "指标数据报送口径需与病案统计科进一步核对。",
    "党史学习与业务工作结合不够紧密。",
    "行动项路线图个别节点推进偏慢。",
)
CORRECTIONS = (
    "下月补齐科室宣讲并更新课件，由党办督办。",
    "与医联体牵头医院协商，下月增加互讲场次。",
    "已由医务科牵头统一口径，次月起按新口径报送。",
    "结合“我为群众办实事”安排专题党课和志愿服务。",
    "对滞后节点明确责任人和完成时限，每周调度。",
)
EXPLANATIONS = {
    "count": "本月集中开展专项活动，数量较上年同月明显增加，已核实。",
    "ratio": "本月业务结构调整，比例较上年同月变化较大，已与财务、病案部门核实。",
}
DEPARTMENT_TOPICS = (
    "医疗服务质量提升",
    "合理用药与处方点评",
    "临床路径管理",
    "医保支付方式改革",
    "分级诊疗与双向转诊",
)

# The action items every hospital keeps: (task, part, title, due date, progress by month 7…11).
S, T, R, D = (
    ProgressStatus.NOT_STARTED,
    ProgressStatus.ON_TRACK,
    ProgressStatus.AT_RISK,
    ProgressStatus.DONE,
)
ACTION_PLAN: tuple[tuple[str, str, str, dt.date, tuple[str, ...]], ...] = (
    ("A1.1", "", "开展“学党史”专题党课和主题党日", dt.date(2021, 9, 30), (T, T, D)),
    ("A2.2", "", "推行多学科诊疗(MDT)和日间手术", dt.date(2021, 12, 31), (S, T, T, R, T)),
    ("A3.1", "", "按病种分值付费纳入科室绩效考核", dt.date(2021, 11, 30), (T, T, R, T, D)),
    ("A4.1", "", "高血压、糖尿病医联体内规范管理", dt.date(2021, 12, 31), (T, T, T, T, T)),
    (
        "A5.1",
        "成立运营管理委员会和运营管理部",
        "成立运营管理委员会和运营管理部",
        dt.date(2021, 10, 31),
        (T, T, T, D),
    ),
)
# Hospitals whose A3.1 item slips: at risk in November, overdue from December.
SLIPPING = ("H007", "H009")


def moment(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@contextmanager
def clock_at(when: dt.datetime) -> Iterator[None]:
    """Run with the reporting clock at ``when`` (Asia/Shanghai), then put the clock back."""
    before = settings.REPORTING_CLOCK
    settings.REPORTING_CLOCK = when.isoformat(timespec="minutes")
    try:
        yield
    finally:
        settings.REPORTING_CLOCK = before


def demo_loaded(campaign: Campaign) -> bool:
    return LaunchRecord.objects.filter(campaign=campaign, hospital__is_sample=True).exists()


@dataclass(order=True)
class _Event:
    at: dt.datetime
    seq: int
    run: Callable[[], Any] = field(compare=False)
    name: str = field(compare=False, default="")


@dataclass
class _Hospital:
    """A sample hospital with the people and account the demo acts through."""

    row: Hospital
    reporter: User
    secretary: Person
    president: Person
    departments: list[Department]
    alliances: list[MedicalAlliance]


class DemoError(Exception):
    pass


class DemoLoader:
    def __init__(self, *, say: Callable[[str], None] = lambda s: None) -> None:
        self.rng = random.Random(SEED)
        self.say = say
        self.events: list[_Event] = []
        self.seq = itertools.count()
        self.counts: dict[str, int] = {}

    # -- the timeline ---------------------------------------------------------------------------
    def at(self, when: dt.datetime, action: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        if when > DEMO_NOW:
            raise DemoError(f"{when} is after the demo's date")
        name = getattr(action, "__name__", repr(action))
        heapq.heappush(self.events, _Event(when, next(self.seq), lambda: action(*args, **kwargs), name))

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def run(self) -> dict[str, int]:
        """Load the demo; an empty dict when it is already there."""
        campaign = Campaign.objects.filter(code=CAMPAIGN_CODE).select_related("league").first()
        if campaign is None:
            raise DemoError("尚未加载2021年活动：请先运行 manage.py load_seed。")
        if demo_loaded(campaign):
            return {}
        with transaction.atomic():
            self.clerks()
            self.prepare(campaign)
            self.plan()
            while self.events:
                event = heapq.heappop(self.events)
                with clock_at(event.at):
                    try:
                        event.run()
                    except (ValidationError, PermissionDenied) as exc:
                        # A rule of the services refused a step: the demo no longer fits the rules.
                        raise DemoError(
                            f"示例数据的一步被拒绝({event.at:%Y-%m-%d %H:%M} {event.name})：{exc}"
                        ) from exc
        return self.counts

    # -- who and what -----------------------------------------------------------------------------
    def clerks(self) -> None:
        """The other hospitals' reporters (``seeds/alxa-demo-clerks.yaml``), with the demo's password.
        Hashed once and shared: hashing nine times costs seconds (PBKDF2), and it is one password."""
        seed_load(paths=[settings.BASE_DIR / CLERK_SEED])
        usernames = [h.lower() for h in HOSPITAL_CODES]
        h004 = User.objects.filter(username="h004").first()
        hashed = (
            h004.password if h004 and h004.check_password(DEMO_PASSWORD) else make_password(DEMO_PASSWORD)
        )
        User.objects.filter(username__in=usernames, password="").update(password=hashed)

    def prepare(self, campaign: Campaign) -> None:
        self.campaign = campaign
        on = campaign.starts_on
        rows = {h.code: h for h in Hospital.objects.filter(code__in=HOSPITAL_CODES).select_related("banner")}
        if set(rows) != set(HOSPITAL_CODES):
            raise DemoError("示例医院不全：请先运行 manage.py load_seed。")
        posts = {
            (p.hospital_id, p.role): p.person
            for p in Post.objects.filter(hospital__in=rows.values(), role__in=Post.HOSPITAL_ROLES)
            .filter(start_on__lte=on)
            .exclude(end_on__lt=on)
            .select_related("person")
        }
        reporters = {
            u.hospital_id: u
            for u in User.objects.filter(role=Role.HOSPITAL_REPORTER, hospital__in=rows.values())
        }
        alliances = list(MedicalAlliance.objects.prefetch_related("members").order_by("code"))
        self.hospitals: dict[str, _Hospital] = {}
        for code in HOSPITAL_CODES:
            row = rows[code]
            self.hospitals[code] = _Hospital(
                row=row,
                reporter=reporters[row.pk],
                secretary=posts[(row.pk, Post.Role.SECRETARY)],
                president=posts[(row.pk, Post.Role.PRESIDENT)],
                departments=list(
                    Department.objects.filter(hospital=row).select_related("head").order_by("id")
                ),
                alliances=[a for a in alliances if row in a.members.all()],
            )
        self.league = User.objects.get(username="league")
        self.banner_reviewers = {
            u.org_unit_id: u for u in User.objects.filter(role=Role.BANNER_REVIEWER, is_active=True)
        }
        # The banners of the sample hospitals (the league's two development zones without one stay empty).
        self.banners = list(
            OrgUnit.objects.filter(pk__in={h.banner_id for h in rows.values()}).order_by("code")
        )
        self.commission_heads = {
            p.org_unit_id: p.person
            for p in Post.objects.filter(
                role=Post.Role.COMMISSION_HEAD, org_unit__in=self.banners
            ).select_related("person")
        }
        self.kinds = {k.code: k for k in LectureKind.objects.filter(campaign=campaign)}
        self.documents = list(KeyDocument.objects.filter(campaign=campaign).order_by("number"))
        self.layers = list(Layer.objects.filter(campaign=campaign).order_by("order"))
        self.tasks = {t.code: t for t in ActionTask.objects.filter(campaign=campaign)}
        self.indicators = indicators_of(campaign)
        self.lectures: list[LectureSession] = []
        self.items: dict[tuple[str, str], ActionItem] = {}
        self.reports: dict[tuple[str, dt.date], int] = {}

    def banner_actor(self, banner: OrgUnit) -> User:
        """Who writes for a banner: its reviewer, else the league's (banner-level rows, 集中宣讲)."""
        return self.banner_reviewers.get(banner.pk, self.league)

    def plan(self) -> None:
        self.plan_launch()
        self.plan_lectures()
        self.plan_actions()
        self.plan_values()
        self.plan_reports()
        self.plan_dispatch()

    # -- 06-21 … 06-30: launch, lecture plans, tour lecturers ---------------------------------------
    def plan_launch(self) -> None:
        start = self.campaign.starts_on
        self.at(moment(start, 15), self.launch, None, self.campaign.league, start, self.league)
        for n, banner in enumerate(self.banners):
            day = start + dt.timedelta(days=1)
            self.at(moment(day, 10 + n), self.launch, None, banner, day, self.banner_actor(banner))
        for n, (code, h) in enumerate(self.hospitals.items()):
            day = LAUNCH_DAYS.get(code, start + dt.timedelta(days=1 + n % 3))
            self.at(moment(day, 16), self.launch, h.row, None, day, h.reporter)
            fixed = PLAN_DAYS.get(code, dt.date(2021, 6, 25 + n % 5))
            self.at(moment(fixed, 17), self.lecture_plan, h, fixed)
        for code, role in TOUR_LECTURERS:
            h = self.hospitals[code]
            person = h.secretary if role == Post.Role.SECRETARY else h.president
            self.at(moment(start, 16), self.tour_lecturer, person, start)

    def launch(self, hospital: Hospital | None, unit: OrgUnit | None, day: dt.date, actor: User) -> None:
        name = hospital.name if hospital else unit.name if unit else ""
        campaign_services.launch_record_create(
            actor=actor,
            channel=WEB,
            campaign=self.campaign,
            launched_on=day,
            meeting=f"{name}“讲医改、见行动、出成效”活动启动会",
            hospital=hospital,
            org_unit=unit,
            minutes="传达盟卫生健康委通知精神，成立活动领导小组，部署宣讲、行动和成效评价工作。",
            attachment=docx_file(
                "启动会纪要.docx", f"{name}活动启动会纪要", "会议传达了活动通知，明确了责任分工和时间安排。"
            ),
        )
        self.count("启动记录")

    def lecture_plan(self, h: _Hospital, fixed: dt.date) -> None:
        plan = campaign_services.lecture_plan_create(
            actor=h.reporter,
            channel=WEB,
            campaign=self.campaign,
            hospital=h.row,
            fixed_on=fixed,
            note="书记、院长分别牵头，按四个层次准备宣讲课件。",
        )
        for document in self.documents:
            title = f"{document.theme}——{h.row.name}的思考与行动"
            campaign_services.lecture_plan_item_set(
                actor=h.reporter,
                channel=WEB,
                plan=plan,
                document=document,
                title=title,
                courseware=self.courseware(document),
            )
        self.count("宣讲计划")

    def courseware(self, document: KeyDocument) -> Any:
        return docx_file(
            f"课件-文件{document.number}.docx",
            f"{document.theme}宣讲课件",
            f"重点文件：{document.title}",
            *(f"{layer.name}：{layer.description}" for layer in self.layers),
        )

    def tour_lecturer(self, person: Person, day: dt.date) -> None:
        campaign_services.tour_lecturer_select(
            actor=self.league,
            channel=WEB,
            campaign=self.campaign,
            person=person,
            selected_on=day,
            note="盟卫生健康委推荐",
        )
        self.count("巡讲讲师")

    # -- 讲: lectures from June to November ----------------------------------------------------------
    def plan_lectures(self) -> None:
        rng = self.rng
        # 集中宣讲: every banner before 06-30, then one banner a month.
        for n, banner in enumerate(self.banners):
            self.at(moment(dt.date(2021, 6, 25 + n), 9), self.centralised, banner, dt.date(2021, 6, 25 + n))
        for n, month in enumerate(dt.date(2021, m, 1) for m in range(7, 12)):
            banner = self.banners[n % len(self.banners)]
            day = month.replace(day=15 + n)
            self.at(moment(day, 9), self.centralised, banner, day)
        for n, (code, h) in enumerate(self.hospitals.items()):
            # June: the secretary's 院内宣讲 and a first 科室宣讲.
            self.schedule_lecture(h, "in_hospital", dt.date(2021, 6, 26 + n % 4), speaker=h.secretary)
            self.schedule_lecture(h, "department", dt.date(2021, 6, 28 + n % 3), department=0)
            # July: the president's 院内宣讲 (H009's comes in August).
            president_day = dt.date(2021, 8, 12) if code == LATE_PRESIDENT else dt.date(2021, 7, 6 + n)
            self.schedule_lecture(h, "in_hospital", president_day, speaker=h.president)
            for month in (dt.date(2021, m, 1) for m in range(7, 12)):
                for k in range(2):
                    day = month.replace(day=rng.randint(3, 26))
                    self.schedule_lecture(
                        h, "department", day, department=(month.month + k) % len(h.departments)
                    )
                if month.month >= 8 and not (code == LATE_PRESIDENT and month.month == 8):
                    leader = h.secretary if month.month % 2 else h.president
                    self.schedule_lecture(
                        h, "in_hospital", month.replace(day=rng.randint(5, 25)), speaker=leader
                    )
        # Outside the hospital (08-31: the secretary AND the president each at least once): the
        # president at another hospital of the league (院外互讲) in July, the secretary within an
        # alliance (医联体内串讲, or 院外互讲 where the hospital is in none) in August, then now and
        # then; and the 全区巡讲.
        codes = list(self.hospitals)
        for month in (dt.date(2021, m, 1) for m in range(6, 12)):
            m = month.month
            for n, code in enumerate(codes):
                h = self.hospitals[code]
                if (m == 6 and code not in ("H001", "H004")) or (code == LATE_EXTERNAL and m < 9):
                    continue
                june = code == "H001" if m == 6 else False
                president_out = (
                    june or m == 7 or (m >= 8 and (n + m) % 3 == 0) or (code == LATE_EXTERNAL and m == 9)
                )
                secretary_out = (code == "H004") if m == 6 else m == 8 or (m >= 7 and (n + m) % 3 == 1)
                secretary_out = secretary_out or (code == LATE_EXTERNAL and m == 9)
                host = self.hospitals[codes[(n + m) % len(codes)]]
                if host is h:
                    host = self.hospitals[codes[(n + 1) % len(codes)]]
                if president_out:
                    day = dt.date(2021, 6, 29) if m == 6 else month.replace(day=rng.randint(8, 24))
                    self.schedule_lecture(h, "exchange", day, speaker=h.president, host=host)
                if secretary_out:
                    day = dt.date(2021, 6, 30) if m == 6 else month.replace(day=rng.randint(8, 24))
                    if h.alliances:
                        alliance = h.alliances[m % len(h.alliances)]
                        self.schedule_lecture(h, "alliance", day, speaker=h.secretary, alliance=alliance)
                    else:
                        self.schedule_lecture(h, "exchange", day, speaker=h.secretary, host=host)
            for k, (code, role) in enumerate(TOUR_LECTURERS):
                if (month.month == 6 and k > 0) or ((month.month + k) % 2 and month.month != 6):
                    continue
                h = self.hospitals[code]
                speaker = h.secretary if role == Post.Role.SECRETARY else h.president
                day = dt.date(2021, 6, 30) if month.month == 6 else month.replace(day=rng.randint(10, 26))
                self.schedule_lecture(h, "region_tour", day, speaker=speaker)

    def schedule_lecture(
        self,
        h: _Hospital,
        kind: str,
        day: dt.date,
        *,
        speaker: Person | None = None,
        department: int | None = None,
        host: _Hospital | None = None,
        alliance: MedicalAlliance | None = None,
    ) -> None:
        rng = self.rng
        document = self.documents[min(len(self.documents) - 1, max(0, day.month - 6)) % len(self.documents)]
        layers = self.layers[: rng.randint(2, len(self.layers))] if kind != "department" else self.layers[:2]
        dept = h.departments[department] if department is not None else None
        if kind == "department":
            assert dept is not None
            assert dept.head is not None
            speaker = dept.head
            expected = rng.randint(12, 45)
            title = f"{dept.name}：{DEPARTMENT_TOPICS[day.month % len(DEPARTMENT_TOPICS)]}专题宣讲"
        elif kind == "in_hospital":
            # All the staff (通知二(一)1.2): at least 85 % of the roster is expected (campaign setting).
            expected = rng.randint(math.ceil(h.row.staff_count * 0.9), h.row.staff_count)
            title = f"{document.theme}全院宣讲"
        else:
            expected = rng.randint(40, 160)
            title = f"{document.theme}宣讲（{self.kinds[kind].name}）"
        assert speaker is not None
        on_duty = rng.randint(0, expected // 12)  # present and on duty together at most the expected
        online = kind == "region_tour" or (kind == "in_hospital" and rng.random() < 0.2)  # 通知四(三)
        data = LectureData(
            campaign=self.campaign,
            kind=self.kinds[kind],
            held_on=day,
            title=title,
            speaker=speaker,
            hospital=h.row,
            department=dept,
            party_history=kind in ("in_hospital", "department") and rng.random() < 0.3,
            coverage=tuple((document, layer) for layer in layers),
            attendance_expected=expected,
            attendance_present=expected - on_duty - rng.randint(0, expected // 8),
            on_duty_exempt=on_duty,
            is_online=online,
            online_link="https://meeting.example.com/alxa-2021" if online else "",
            # §四(一): the banner's commission head attends its hospitals' 院内宣讲 (no draw of the
            # generator, so the rest of the demo stays as it was).
            supervising_officials=(
                (self.commission_heads[h.row.banner_id],)
                if kind == "in_hospital" and h.row.banner_id in self.commission_heads
                else ()
            ),
            host_hospital=host.row if host else None,
            alliance=alliance,
        )
        photos = 1 if kind != "department" or rng.random() < 0.15 else 0
        courseware = kind != "department" or rng.random() < 0.1
        self.at(moment(day, 17, rng.randint(0, 50)), self.lecture, h.reporter, data, photos, courseware)

    def centralised(self, banner: OrgUnit, day: dt.date) -> None:
        data = LectureData(
            campaign=self.campaign,
            kind=self.kinds["centralised"],
            held_on=day,
            title=f"{banner.name}公立医院领导班子集中宣讲：{self.documents[0].theme}",
            speaker=self.commission_heads[banner.pk],
            org_unit=banner,
            coverage=tuple((d, layer) for d in self.documents for layer in self.layers[:2]),
            attendance_expected=32,
            attendance_present=30,
        )
        self.lecture(self.banner_actor(banner), data, 1, True)

    def lecture(self, actor: User, data: LectureData, photos: int, courseware: bool) -> None:
        lecture = campaign_services.lecture_create(actor=actor, channel=WEB, data=data)
        self.lectures.append(lecture)
        self.count("宣讲")
        kind_index = list(self.kinds).index(data.kind.code)
        for n in range(photos):
            campaign_services.material_upload(
                actor=actor,
                channel=WEB,
                lecture=lecture,
                kind=MaterialKind.PHOTO,
                file=photo_file(f"现场照片{n + 1}.png", kind_index),
                title="宣讲现场",
            )
            self.count("材料")
        if courseware:
            document = data.coverage[0][0] if data.coverage else self.documents[0]
            file = (
                pdf_file(f"课件-文件{document.number}.pdf", f"{document.theme}宣讲课件")
                if data.kind.code in ("exchange", "alliance", "region_tour")
                else self.courseware(document)
            )
            campaign_services.material_upload(
                actor=actor,
                channel=WEB,
                lecture=lecture,
                kind=MaterialKind.COURSEWARE,
                file=file,
                title="宣讲课件",
            )
            self.count("材料")

    # -- 见: action items, roadmaps and monthly progress --------------------------------------------
    def plan_actions(self) -> None:
        for n, (code, h) in enumerate(self.hospitals.items()):
            created = moment(dt.date(2021, 6, 28 + n % 3), 11)
            for task_code, part, title, due, statuses in ACTION_PLAN:
                self.at(created, self.action_item, code, h, task_code, part, title, due)
                for k, status in enumerate(statuses):
                    month = dt.date(2021, 7 + k, 1)
                    if task_code == "A3.1" and code in SLIPPING and month.month >= 10:
                        status = R
                    if code == "H004" and month == NOVEMBER and task_code == "A4.1":
                        continue  # h004 records this one: a November item still to do
                    day = month.replace(day=24 + n % 4)
                    self.at(moment(day, 15), self.progress, code, task_code, month, status)
                    if status == D:
                        break
            if h.row.level == Hospital.Level.TERTIARY:
                self.at(
                    created,
                    self.action_item,
                    code,
                    h,
                    "A5.1",
                    "全面推行总会计师制度",
                    "全面推行总会计师制度",
                    dt.date(2021, 12, 31),
                )
                for k in range(5):
                    month = dt.date(2021, 7 + k, 1)
                    self.at(moment(month.replace(day=25), 15), self.progress, code, "A5.1/cfo", month, T)

    def action_item(
        self, code: str, h: _Hospital, task_code: str, part: str, title: str, due: dt.date
    ) -> None:
        starts = dt.date(2021, 7, 1)
        span = (due - starts).days
        names = ("制定方案", "组织实施", "总结评估")
        steps = tuple(
            RoadmapStepData(title=name, due_on=starts + dt.timedelta(days=span * step // 3))
            for step, name in enumerate(names, start=1)
        )
        item = campaign_services.action_item_create(
            actor=h.reporter,
            channel=WEB,
            data=ActionItemData(
                hospital=h.row,
                task=self.tasks[task_code],
                part=part,
                title=title,
                description="明确责任科室、时间表和路线图，按月调度推进。",
                responsible=h.president if task_code.startswith(("A3", "A5")) else h.secretary,
                starts_on=starts,
                due_on=due,
                roadmap=steps,  # §四(二): an item is created with its roadmap
            ),
        )
        key = "A5.1/cfo" if part == "全面推行总会计师制度" else task_code
        self.items[(code, key)] = item
        self.count("行动项")
        for step, milestone in enumerate(item.roadmap.order_by("due_on", "id"), start=1):
            name, step_due = milestone.title, milestone.due_on
            if step_due < DEMO_NOW.date() and not (code in SLIPPING and step == 3):
                self.at(
                    moment(step_due, 18),
                    campaign_services.roadmap_milestone_update,
                    actor=h.reporter,
                    channel=WEB,
                    step=milestone,
                    title=name,
                    due_on=step_due,
                    done_on=step_due,
                )

    def progress(self, code: str, key: str, month: dt.date, status: str) -> None:
        h = self.hospitals[code]
        item = self.items[(code, key)]
        notes: dict[str, str] = {
            S: "方案论证中，尚未启动。",
            T: f"{month.month}月按路线图推进，节点任务已完成。",
            R: f"{month.month}月推进滞后，已明确整改措施和责任人。",
            D: "各项任务已完成，形成总结报告。",
        }
        evidence = (
            [photo_file("工作照片.png", month.month)]
            if status == D or (month.month % 3 == 0 and key == "A1.1")
            else []
        )
        campaign_services.progress_record(
            actor=h.reporter,
            channel=WEB,
            action_item=item,
            month=month,
            status=status,
            note=notes[status],
            evidence=evidence,
        )
        self.count("进展")

    # -- 出: the 2020 baseline and the 2021 values ---------------------------------------------------
    def plan_values(self) -> None:
        """Last year's twelve months and this year's first six are entered early in July; each later
        month in the first days of the next one (by the report's schedule)."""
        self.profiles: dict[tuple[str, str], tuple[float, float, float]] = {}
        self.denominators: dict[tuple[str, str, dt.date], int] = {}
        for n, (_code, h) in enumerate(self.hospitals.items()):
            months = [dt.date(2020, m, 1) for m in range(1, 13)] + [dt.date(2021, m, 1) for m in range(1, 7)]
            self.at(moment(dt.date(2021, 7, 1 + n % 3), 10), self.hospital_values, h, months)
        for n, banner in enumerate(self.banners):
            months = [dt.date(2020, m, 1) for m in range(1, 13)] + [dt.date(2021, m, 1) for m in range(1, 12)]
            for month in months:
                day = max(dt.date(2021, 7, 3), next_month(month).replace(day=1 + n % 3))
                self.at(moment(day, 9), self.banner_values, banner, month)

    def _profile(self, key: str, code: str) -> tuple[float, float, float]:
        """(size, share or level, growth) of one unit's indicator: drawn once, in a fixed order."""
        found = self.profiles.get((key, code))
        if found is None:
            rng = self.rng
            found = (rng.uniform(0.8, 1.2), rng.random(), rng.uniform(-0.06, 0.2))
            self.profiles[(key, code)] = found
        return found

    def denominator(self, key: str, code: str, month: dt.date, base: float) -> int:
        """One figure per unit, concept and month, whichever indicator asks (医疗收入 is the same in
        O2.1-a and O5.1-a); a stock such as the doctors does not follow the season."""
        concept = DENOMINATORS.get(code, code)
        found = self.denominators.get((key, concept, month))
        if found is None:
            scale, _, _ = self._profile(key, concept)
            season = 1 + (0 if concept in STOCKS else 0.08 * math.sin(month.month / 12 * 2 * math.pi))
            year = 1.03 if month.year == self.campaign.year else 1.0
            found = max(1, round(base * scale * season * year))
            self.denominators[(key, concept, month)] = found
        return found

    def figures(self, key: str, size: int, indicator: Indicator, month: dt.date) -> dict[str, Any]:
        """A unit's figures for a month: last year's level, this year's grown by the unit's growth (more
        from July, when the campaign's actions start), a season and a little noise."""
        scale, level, growth = self._profile(key, indicator.code)
        this_year = month.year == self.campaign.year
        lift = 1 + (growth if month.month >= 7 else growth / 3) if this_year else 1.0
        season = 1 + 0.08 * math.sin(month.month / 12 * 2 * math.pi)
        noise = 1 + self.rng.uniform(-0.04, 0.04)
        code = indicator.code
        if indicator.value_type == Indicator.ValueType.COUNT:
            base = {"O4.2-b": size * 0.08}.get(code, 8 + 8 * level)
            return {"count": max(1, round(base * scale * season * noise * lift))}
        if indicator.value_type == Indicator.ValueType.RATIO:
            denominator_base, low, high = RATIO_SHAPES.get(code, (size * 0.5, 0.3, 0.6))
            share = (low + (high - low) * level) * (lift if code != "O5.1-a" else 2 - lift) * noise
            if not indicator.numerator_may_exceed:
                share = min(share, 0.99)
            denominator = self.denominator(
                key, code, month, denominator_base * (size if denominator_base < 10 else 1)
            )
            if code == "O4.2-c":
                denominator, share = 2, (1.0 if this_year and month.month >= 7 and level > 0.3 else 0.5)
            places = 2 if code in MONEY else 0  # sums of money in 万元 with cents; people and cases whole
            numerator = Decimal(str(round(denominator * share, places)))
            return {"numerator": numerator, "denominator": Decimal(max(1, denominator))}
        start = 1 + round(level * 13)  # the month from which this year's answer is yes
        yes = this_year and (month.month >= start or level < 0.2)
        if indicator.value_type == Indicator.ValueType.BOOLEAN_SET:
            return {"answers": [True, this_year or level < 0.5, yes]}
        if code in ("O3.2-a", "O5.2-a") and level < 0.35:
            yes = True  # already in place last year
        return {"answers": [yes]}

    def hospital_values(self, h: _Hospital, months: list[dt.date], limit: int | None = None) -> None:
        indicators = applicable_indicators(self.indicators, hospital=h.row)[:limit]
        for month in months:
            # The unit's month in one call (the checks once, one insert): the demo's largest part.
            indicator_values_save(
                actor=h.reporter,
                channel=WEB,
                month=month,
                hospital=h.row,
                entries=[
                    ValueEntry(indicator, **self.figures(h.row.code, h.row.staff_count, indicator, month))
                    for indicator in indicators
                ],
            )
            self.count("指标值", len(indicators))
            self.explain(h.reporter, month, hospital=h.row)

    def banner_values(self, banner: OrgUnit, month: dt.date) -> None:
        actor = self.banner_actor(banner)
        indicators = applicable_indicators(self.indicators, unit=banner)
        indicator_values_save(
            actor=actor,
            channel=WEB,
            month=month,
            unit=banner,
            entries=[ValueEntry(i, **self.figures(banner.code, 40000, i, month)) for i in indicators],
        )
        self.count("指标值", len(indicators))
        self.explain(actor, month, unit=banner)

    def explain(
        self, actor: User, month: dt.date, *, hospital: Hospital | None = None, unit: OrgUnit | None = None
    ) -> None:
        """Explain each warning of the month, as a clerk must before submitting (SPEC §7)."""
        warnings = indicator_unexplained_warnings(
            campaign=self.campaign, month=month, hospital=hospital, unit=unit
        )
        values = IndicatorValue.objects.in_bulk([w.value_id for w in warnings])
        for warning in warnings:
            value = values[warning.value_id]
            indicator_value_explain(
                actor=actor,
                channel=WEB,
                value=value,
                explanation=EXPLANATIONS["count" if value.count is not None else "ratio"],
            )
            self.count("情况说明")

    # -- monthly reports, reviews and bulletins -------------------------------------------------------
    def plan_reports(self) -> None:
        for month in REPORT_MONTHS:
            after = next_month(month)
            for n, (code, h) in enumerate(self.hospitals.items()):
                self.at(moment(after.replace(day=1 + n % 2), 9, 30), self.hospital_values, h, [month])
                day = LATE_SUBMISSIONS.get((code, month), 2 + n % 4)
                submitted = moment(after.replace(day=day), 10 + n % 6)
                self.at(submitted, self.submit, code, month)
                reviewed = submitted + dt.timedelta(days=1)
                banner_step = h.row.banner_id in self.banner_reviewers
                if code == "H003" and month.month == 8:
                    # Returned at the first review; fixed, resubmitted and reviewed again.
                    self.at(
                        reviewed,
                        self.return_report,
                        code,
                        month,
                        self.banner_reviewers[h.row.banner_id],
                        NARRATIVE_RETURN,
                    )
                    self.at(reviewed + dt.timedelta(hours=5), self.fix_narrative, code, month)
                    self.at(reviewed + dt.timedelta(hours=6), self.submit, code, month)
                    reviewed += dt.timedelta(days=1)
                if code == "H006" and month.month == 9:
                    # Returned by the league on one indicator; corrected and resubmitted.
                    self.at(reviewed, self.return_report, code, month, self.league, INDICATOR_RETURN)
                    self.at(reviewed + dt.timedelta(hours=4), self.correct_value, code, month, "O2.2-a")
                    self.at(reviewed + dt.timedelta(hours=5), self.submit, code, month)
                    reviewed += dt.timedelta(days=1)
                if banner_step:
                    self.at(reviewed, self.banner_review, code, month)
                self.at(reviewed + dt.timedelta(days=2, hours=3), self.approve, code, month)
            self.at(moment(after.replace(day=20), 10), self.bulletin, month)
            self.at(moment(after.replace(day=21), 9), self.publish, month)
        self.plan_november()
        # What each user had read by the end of November: older notifications are read.
        for user in [
            self.league,
            *self.banner_reviewers.values(),
            *(h.reporter for h in self.hospitals.values()),
        ]:
            self.at(moment(dt.date(2021, 11, 30), 18), notification_mark_read, user=user)
        # The league recommends some courseware for publicity.
        self.at(moment(dt.date(2021, 11, 26), 15), self.recommend)

    def plan_november(self) -> None:
        month = NOVEMBER
        dec = dt.date(2021, 12, 1)
        day = dec.replace
        h = self.hospitals
        for code in HOSPITAL_CODES:
            if code in ("H004", "H009"):
                continue
            self.at(moment(day(day=1), 9), self.hospital_values, h[code], [month])
        # h004 opened the month and entered part of it: the rest is for the demo's user.
        self.at(moment(day(day=2), 15), self.open_report, "H004", month)
        self.at(moment(day(day=2), 16), self.hospital_values, h["H004"], [month], 10)
        zuoqi = self.banner_reviewers[h["H001"].row.banner_id]
        self.at(moment(day(day=1), 14), self.submit, "H001", month)
        self.at(moment(day(day=2), 10), self.banner_review, "H001", month)
        self.at(moment(day(day=3), 9), self.approve, "H001", month)
        self.at(moment(day(day=2), 9), self.submit, "H002", month)
        self.at(moment(day(day=2), 16), self.banner_review, "H002", month)
        self.at(moment(day(day=3), 8, 30), self.submit, "H003", month)
        self.at(moment(day(day=1), 11), self.submit, "H005", month)
        self.at(moment(day(day=2), 11), self.return_report, "H005", month, zuoqi, NARRATIVE_RETURN)
        self.at(moment(day(day=1), 15), self.submit, "H006", month)
        self.at(moment(day(day=2), 14), self.return_report, "H006", month, self.league, PATHWAY_RETURN)
        self.at(moment(day(day=3), 8, 40), self.correct_value, "H006", month, "O3.1-a")
        self.at(moment(day(day=3), 8, 50), self.submit, "H006", month)
        self.at(moment(day(day=2), 10), self.submit, "H007", month)
        self.at(moment(day(day=1), 16), self.submit, "H008", month)
        self.at(moment(day(day=2), 15), self.approve, "H008", month)
        self.at(moment(day(day=3), 9, 30), self.submit, "H010", month)
        # 额济纳旗人民医院 found a slip in October's approved report and asks to reopen it.
        self.at(moment(day(day=2), 17), self.unlock_request, "H008", dt.date(2021, 10, 1))

    def open_report(self, code: str, month: dt.date) -> MonthlyReport:
        key = (code, month)
        if key in self.reports:
            return MonthlyReport.objects.get(pk=self.reports[key])
        h = self.hospitals[code]
        report, _ = report_get_or_create(
            hospital=h.row, month=month, actor=h.reporter, campaign=self.campaign
        )
        self.reports[key] = report.pk
        self.count("月度报告")
        return report

    def submit(self, code: str, month: dt.date) -> None:
        h = self.hospitals[code]
        report = self.open_report(code, month)
        if not report.problems:
            pick = (HOSPITAL_CODES.index(code) + month.month) % len(PROBLEMS)
            report_update(
                report_id=report.pk, actor=h.reporter, problems=PROBLEMS[pick], corrections=CORRECTIONS[pick]
            )
        report_submit(report_id=report.pk, actor=h.reporter)

    def banner_review(self, code: str, month: dt.date) -> None:
        h = self.hospitals[code]
        report_banner_review(
            report_id=self.reports[(code, month)],
            actor=self.banner_reviewers[h.row.banner_id],
            reason="初审通过",
        )

    def approve(self, code: str, month: dt.date) -> None:
        report_approve(report_id=self.reports[(code, month)], actor=self.league, reason="审核通过")

    def return_report(self, code: str, month: dt.date, actor: User, comment: CommentInput) -> None:
        report_return(
            report_id=self.reports[(code, month)], actor=actor, reason=comment.text, comments=[comment]
        )
        self.count("退回")

    def fix_narrative(self, code: str, month: dt.date) -> None:
        report_update(
            report_id=self.reports[(code, month)],
            actor=self.hospitals[code].reporter,
            corrections="由医务科负责，10日前补齐科室宣讲；党办每周调度，月底前完成课件更新。",
        )

    def correct_value(self, code: str, month: dt.date, indicator_code: str) -> None:
        """The clerk corrects the figure the reviewer returned (a denominator typed from the wrong list)."""
        h = self.hospitals[code]
        indicator = next(i for i in self.indicators if i.code == indicator_code)
        value = IndicatorValue.objects.get(indicator=indicator, hospital=h.row, month=month)
        assert value.denominator is not None
        assert value.numerator is not None
        indicator_value_save(
            actor=h.reporter,
            channel=WEB,
            indicator=indicator,
            month=month,
            hospital=h.row,
            numerator=value.numerator,
            denominator=value.denominator + Decimal(max(3, int(value.denominator) // 20)),
            explanation=None,
        )
        self.explain(h.reporter, month, hospital=h.row)
        self.count("更正")

    def unlock_request(self, code: str, month: dt.date) -> None:
        report_unlock_request(
            report_id=self.reports[(code, month)],
            actor=self.hospitals[code].reporter,
            reason="10月下转患者人数漏计医共体成员单位数据，申请解锁更正。",
        )

    # -- 调度 (§三(三)): 左旗's monthly reports to the league, the league at banner lectures ---------------
    def plan_dispatch(self) -> None:
        """左旗 (the banner with a reviewer) reports each month on the 2nd: July, August and October read
        by the league the next day, September returned once and resubmitted, November waiting. The
        league attended the first two banners' June 集中宣讲 and July's."""
        banner = next((b for b in self.banners if b.pk in self.banner_reviewers), None)
        if banner is None:
            return
        for month in (*REPORT_MONTHS, NOVEMBER):
            after = next_month(month)
            submitted = moment(after.replace(day=2), 16)
            self.at(submitted, self.dispatch_submit, banner, month)
            if month == NOVEMBER:
                continue
            read = submitted + dt.timedelta(hours=18)
            if month.month == 9:
                self.at(read, self.dispatch_return, banner, month)
                self.at(read + dt.timedelta(hours=4), self.dispatch_submit, banner, month)
                read += dt.timedelta(days=1)
            self.at(read, self.dispatch_read, banner, month)
        for n, banner_n in enumerate(self.banners[:2]):
            day = dt.date(2021, 6, 25 + n)
            self.at(moment(day, 18), self.league_visit, banner_n, day)
        self.at(moment(dt.date(2021, 7, 15), 18), self.league_visit, self.banners[0], dt.date(2021, 7, 15))

    def dispatch_submit(self, banner: OrgUnit, month: dt.date) -> None:
        actor = self.banner_reviewers[banner.pk]
        report, _ = dispatch_report_open(actor=actor, channel=WEB, banner=banner, month=month)
        text = (
            f"{month.month}月{banner.name}各公立医院按计划推进“讲见效”活动：宣讲按月开展，"
            "见行动任务按路线图推进，出成效指标按月填报。存在问题：个别医院课件报送不及时。下一步：督促按时报送材料。"
        )
        files = (
            []
            if report.files.exists()
            else [pdf_file(f"{month:%Y-%m}调度记录.pdf", f"{month.month}月调度记录")]
        )
        if report.status == DispatchReport.Status.RETURNED:
            text += "已补充各医院院外互讲安排：8月起结对互讲，已排定时间表。"
        dispatch_report_update(actor=actor, channel=WEB, report=report, text=text, files=files)
        dispatch_report_submit(actor=actor, channel=WEB, report=report)
        self.count("调度报告")

    def _dispatch_report(self, banner: OrgUnit, month: dt.date) -> DispatchReport:
        return DispatchReport.objects.get(banner=banner, month=month)

    def dispatch_read(self, banner: OrgUnit, month: dt.date) -> None:
        dispatch_report_mark_read(actor=self.league, channel=WEB, report=self._dispatch_report(banner, month))

    def dispatch_return(self, banner: OrgUnit, month: dt.date) -> None:
        dispatch_report_return(
            actor=self.league,
            channel=WEB,
            report=self._dispatch_report(banner, month),
            reason="请补充各医院院外互讲的安排和进度。",
        )

    def league_visit(self, banner: OrgUnit, day: dt.date) -> None:
        lecture = LectureSession.objects.get(
            campaign=self.campaign, org_unit=banner, held_on=day, kind=self.kinds["centralised"]
        )
        league_visit_create(
            actor=self.league,
            channel=WEB,
            lecture=lecture,
            visited_on=day,
            attendees="盟卫生健康委主任范明亮、盟医改办",
            note="出席并现场指导",
        )
        self.count("出席宣讲")

    def bulletin(self, month: dt.date) -> None:
        bulletin_build(campaign_id=self.campaign.pk, month=month, actor=self.league, channel=WEB)
        self.count("通报")

    def publish(self, month: dt.date) -> None:
        bulletin = Bulletin.objects.get(campaign=self.campaign, month=month)
        bulletin_publish(bulletin_id=bulletin.pk, actor=self.league)

    def recommend(self) -> None:
        from campaign.models import LectureMaterial

        materials = LectureMaterial.objects.filter(
            lecture__campaign=self.campaign,
            kind=MaterialKind.COURSEWARE,
            lecture__kind__code__in=("in_hospital", "region_tour"),
        ).order_by("lecture__held_on", "id")[:4]
        for material in materials:
            campaign_services.material_set_recommended(
                actor=self.league, channel=WEB, material=material, recommended=True
            )


# Ratio indicators: (denominator per month, per member of staff if below 10, else absolute), share range.
RATIO_SHAPES: dict[str, tuple[float, float, float]] = {
    "O2.1-a": (1.6, 0.22, 0.32),  # 医疗服务收入 / 医疗收入 (万元)
    "O2.1-b": (0.28, 0.07, 0.13),  # 紧缺专业医师 / 医师总数
    "O2.2-a": (0.35, 0.12, 0.25),  # 微创手术 / 手术台次
    "O2.2-b": (0.35, 0.18, 0.35),  # 三、四级手术 / 手术台次
    "O2.3-a": (0.28, 1.1, 1.6),  # 注册护士 / 医师 (医护比)
    "O2.3-b": (1.4, 0.004, 0.012),  # 科研经费 / 医疗支出
    "O3.1-a": (0.9, 0.62, 0.8),  # 入径患者 / 出院患者
    "O3.1-b": (0.9, 0.9, 0.975),  # 完整病案首页 / 病案首页
    "O5.1-a": (1.6, 0.3, 0.4),  # 门诊收入 / 医疗收入
    "O1.2-b": (40000, 0.7, 0.85),  # 县域内就诊 / 居民就诊
    "O4.1-a": (60000, 0.4, 0.55),  # 基层诊疗 / 总诊疗
    "O4.1-b": (1500, 0.5, 0.7),  # 首选基层 / 2周患病
}

# Denominators that are one figure of the hospital's, shared by two indicators; stocks have no season.
DENOMINATORS = {
    "O2.1-a": "income",
    "O5.1-a": "income",
    "O2.1-b": "doctors",
    "O2.3-a": "doctors",
    "O2.2-a": "operations",
    "O2.2-b": "operations",
    "O3.1-a": "discharges",
    "O3.1-b": "discharges",
}
STOCKS = frozenset({"doctors"})
MONEY = frozenset({"O2.1-a", "O2.3-b", "O5.1-a"})

NARRATIVE_RETURN = CommentInput(
    text="整改措施过于笼统，请写明责任科室和完成时限。",
    item_kind=ReviewComment.ItemKind.NARRATIVE,
    item_key="narrative:corrections",
)
INDICATOR_RETURN = CommentInput(
    text="微创手术占比的分母(手术台次)与病案统计科数据不符，请核实后更正。",
    item_kind=ReviewComment.ItemKind.INDICATOR,
    item_key="indicator:O2.2-a",
)
PATHWAY_RETURN = CommentInput(
    text="临床路径管理患者占比的分母(出院患者数)与病案首页统计不一致，请核实。",
    item_kind=ReviewComment.ItemKind.INDICATOR,
    item_key="indicator:O3.1-a",
)
