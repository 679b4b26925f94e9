"""Routes of the banners' 调度 reports and the league's visits (reporting/dispatch/api.py).

Reports belong to banners: a banner's reviewer opens, writes and submits its own; each league's reviewer
(and the admin) marks its league's read or returns them. Rows are built with the ORM in months from 2022
on (the unique banner and month), so that the months of the 2021 campaign (July to December) stay free
for the create bodies, which go through the service. Uploads are multipart; the harness sends JSON,
which carries no file and is refused (tests/reporting/dispatch/test_api.py uploads).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Model
from django.utils import timezone

from campaign.models import LectureKind, LectureSession, SpeakerRole
from core.months import next_month
from hospitals.models import OrgUnit, Person
from reporting.dispatch.models import DispatchReport, DispatchReportFile, LeagueVisit
from tests.api.harness import Owner, Resource, Row, viewset_rows
from tests.samples import PDF

_n = itertools.count(1)
BUILT_FROM = dt.date(2022, 1, 1)
CAMPAIGN_MONTHS = [dt.date(2021, m, 1) for m in range(7, 13)]
LEAGUES = {"league": 200, "league2": 200, "admin": 200}


def _free_month(banner: OrgUnit, month: dt.date) -> dt.date:
    used = set(DispatchReport.objects.filter(banner=banner).values_list("month", flat=True))
    while month in used:
        month = next_month(month)
    return month


def _report(owner: Owner, status: str = "draft") -> DispatchReport:
    now = timezone.now()
    submitted = {"first_submitted_at": now, "submitted_at": now} if status != "draft" else {}
    return DispatchReport.objects.create(
        campaign=owner.campaign,
        banner=owner.unit,
        month=_free_month(owner.unit, BUILT_FROM),
        status=status,
        text="本月调度情况",
        **submitted,
    )


def _open_body(world: Any, owner: Owner, obj: Model | None) -> dict[str, Any]:
    if obj is not None:  # PATCH: the text
        return {"text": "本月调度情况（改）"}
    used = set(DispatchReport.objects.filter(banner=owner.unit).values_list("month", flat=True))
    month = next((m for m in CAMPAIGN_MONTHS if m not in used), CAMPAIGN_MONTHS[-1])
    return {"banner": owner.unit.pk, "month": month.isoformat()}


def _file(owner: Owner) -> DispatchReportFile:
    attached = DispatchReportFile(
        report=_report(owner), original_name="调度.pdf", content_type="application/pdf", size=len(PDF)
    )
    attached.file.save(f"matrix/{uuid.uuid4().hex}.pdf", ContentFile(PDF, name="x.pdf"), save=False)
    attached.save()
    return attached


REPORT = Resource(DispatchReport, _report, owned_by="unit")
SUBMITTED = Resource(DispatchReport, lambda o: _report(o, "submitted"), owned_by="unit")
FILE = Resource(DispatchReportFile, _file, owned_by="unit")


def _banner_lecture(owner: Owner) -> LectureSession:
    """A 集中宣讲 of the owner's banner (by the ORM: the world's banners of two leagues)."""
    speaker = Person.objects.create(code=f"DX{next(_n):05d}", name="矩阵主任", org_unit=owner.unit)
    return LectureSession.objects.create(
        campaign=owner.campaign,
        kind=LectureKind.objects.get(campaign=owner.campaign, code="centralised"),
        org_unit=owner.unit,
        held_on=dt.date(2021, 6, 28),
        title="集中宣讲",
        speaker=speaker,
        speaker_role=SpeakerRole.COMMISSION_HEAD,
        attendance_expected=30,
        attendance_present=28,
    )


def _visit(owner: Owner) -> LeagueVisit:
    lecture = _banner_lecture(owner)
    return LeagueVisit.objects.create(
        campaign=owner.campaign, lecture=lecture, visited_on=lecture.held_on, attendees="盟卫生健康委主任"
    )


def _visit_body(world: Any, owner: Owner, obj: Model | None) -> dict[str, Any]:
    lecture = obj.lecture if isinstance(obj, LeagueVisit) else _banner_lecture(owner)
    return {"lecture": lecture.pk, "visited_on": lecture.held_on.isoformat(), "attendees": "医改办主任"}


VISIT = Resource(LeagueVisit, _visit, owned_by="unit")

ROWS: dict[str, Row] = {
    **viewset_rows(
        "dispatch-report",
        REPORT,
        body=_open_body,
        create={"banner": 201},
        update={"banner": 200},
    ),
    "dispatch-report-submit": Row("action", REPORT, writes={"post": {"banner": 200}}),
    "dispatch-report-files": Row("action", REPORT, writes={"post": {}}),
    "dispatch-report-mark-read": Row("action", SUBMITTED, writes={"post": LEAGUES}),
    "dispatch-report-return": Row(
        "action", SUBMITTED, body=lambda w, o, x: {"reason": "请补充院外互讲情况"}, writes={"post": LEAGUES}
    ),
    "dispatch-report-history": Row("action", REPORT),
    **viewset_rows("dispatch-file", FILE, delete={"banner": 204}),
    "dispatch-file-download": Row("action", FILE),
    **viewset_rows(
        "league-visit",
        VISIT,
        body=_visit_body,
        create={"league": 201, "league2": 201, "admin": 201},
        update=LEAGUES,
        delete={"league": 204, "league2": 204, "admin": 204},
    ),
}
