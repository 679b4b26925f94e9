"""Routes of the report workflow, bulletins and notifications (reporting/report_api.py; the evaluation's
are in matrix/evaluation.py).

Each transition gets its own resource, built in the state the transition starts from, so that the role
the table allows gets its success on its own row and every other role is refused with nothing changed.
Reports are made directly (not through the services) in months no other row of the hospital uses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from core.months import next_month
from hospitals.models import Hospital, Role, User
from reporting.bulletins.models import Bulletin
from reporting.notices.models import Notification
from reporting.reports.models import MonthlyReport, UnlockRequest
from tests.api.harness import Owner, Resource, Row, World, viewset_rows
from tests.factories import reporter_for
from tests.reporting.conftest import fill_indicators

FIRST_MONTH = dt.date(2021, 7, 1)
# Far ahead: a 2021 report is past its lock day today; an unlock keeps it editable for these tests.
OPEN_UNTIL = dt.date(2099, 12, 31)


def _free_month(hospital: Hospital) -> dt.date:
    used = set(MonthlyReport.objects.filter(hospital=hospital).values_list("month", flat=True))
    month = FIRST_MONTH
    while month in used:
        month = next_month(month)
    return month


def _report(owner: Owner, status: str = "draft", **fields: Any) -> MonthlyReport:
    assert owner.hospital is not None
    month = _free_month(owner.hospital)
    now = timezone.now()
    submitted = {"first_submitted_at": now, "submitted_at": now} if status != "draft" else {}
    return MonthlyReport.objects.create(
        campaign=owner.campaign,
        hospital=owner.hospital,
        month=month,
        status=status,
        problems="无",
        corrections="无",
        unlocked_until=OPEN_UNTIL if status == "draft" else None,
        **submitted,
        **fields,
    )


def _submittable(owner: Owner) -> MonthlyReport:
    report = _report(owner)
    if owner.hospital is not None and owner.hospital.code.startswith("H"):
        fill_indicators(owner.hospital, report.month)
    return report


def _unlock_request(owner: Owner) -> UnlockRequest:
    report = _report(owner, "approved")
    return UnlockRequest.objects.create(report=report, reason="7月数据填错")


def _open_body(world: World, owner: Owner, obj: Model | None) -> dict[str, Any]:
    assert owner.hospital is not None
    return {"hospital": owner.hospital.pk, "month": _free_month(owner.hospital).isoformat()}


REPORT = Resource(MonthlyReport, _report)
SUBMITTABLE = Resource(MonthlyReport, _submittable)
SUBMITTED = Resource(MonthlyReport, lambda o: _report(o, "submitted"))
BANNER_REVIEWED = Resource(MonthlyReport, lambda o: _report(o, "banner_reviewed"))
APPROVED = Resource(MonthlyReport, lambda o: _report(o, "approved"))
UNLOCK = Resource(UnlockRequest, _unlock_request)


def _bulletin(owner: Owner, status: str = "published") -> Bulletin:
    campaign = owner.campaign  # the campaign of the owner's league
    used = set(Bulletin.objects.filter(campaign=campaign).values_list("month", flat=True))
    month = FIRST_MONTH
    while month in used:
        month = next_month(month)
    return Bulletin.objects.create(
        campaign=campaign,
        month=month,
        status=status,
        built_at=timezone.now(),
        data={
            "sections": [
                {"key": "ranking", "title": "综合排名", "columns": ["排名", "医院"], "rows": [[1, "甲"]]}
            ]
        },
    )


def _bulletin_visible(world: World, role: str, owner: Owner) -> bool:
    """A published bulletin: read by everyone of its campaign's league."""
    return world.in_league(role, owner)


def _draft_visible(world: World, role: str, owner: Owner) -> bool:
    """A draft: by its own league's reviewers (and the admin)."""
    return role == "admin" or (role in ("league", "league2") and world.in_league(role, owner))


BULLETIN = Resource(Bulletin, _bulletin, owned_by="public", visible=_bulletin_visible)
DRAFT_BULLETIN = Resource(
    Bulletin, lambda o: _bulletin(o, "draft"), owned_by="public", visible=_draft_visible
)


def _recipient(owner: Owner) -> User:
    assert owner.hospital is not None
    user = User.objects.filter(hospital=owner.hospital, role=Role.HOSPITAL_REPORTER).order_by("pk").first()
    return user or reporter_for(owner.hospital)


def _notification(owner: Owner) -> Notification:
    return Notification.objects.create(
        user=_recipient(owner), kind="reminder", title="【提醒】自查报告尚未提交"
    )


def _own_notification(world: World, role: str, owner: Owner) -> bool:
    return role == "reporter" and owner.hospital == world.alxa.h004


NOTIFICATION = Resource(Notification, _notification, visible=_own_notification)


def _check_bulk_approve(world: World) -> None:
    url = reverse("monthly-report-bulk-approve")
    a = world.alxa
    own = _report(Owner(unit=a.zuoqi, campaign=a.campaign, hospital=a.h004), "banner_reviewed")
    foreign = _report(
        Owner(unit=world.foreign_banner, campaign=world.second.campaign, hospital=world.foreign_hospital),
        "banner_reviewed",
    )
    assert world.client("anonymous").post(url, {"ids": [own.pk]}, format="json").status_code == 401
    for role in ("reporter", "banner", "region"):  # the region reviewer reads, never acts
        assert world.client(role).post(url, {"ids": [own.pk]}, format="json").status_code == 403
    # Each league approves its own report and skips the other league's, which stays as it was.
    response = world.client("league2").post(url, {"ids": [own.pk, foreign.pk]}, format="json")
    assert response.status_code == 200
    assert response.json()["approved"] == [foreign.pk]
    assert str(own.pk) in response.json()["skipped"]
    assert MonthlyReport.objects.get(pk=own.pk).status == "banner_reviewed"
    MonthlyReport.objects.filter(pk=foreign.pk).update(status="banner_reviewed")
    response = world.client("league").post(url, {"ids": [own.pk, foreign.pk]}, format="json")
    assert response.status_code == 200
    assert response.json()["approved"] == [own.pk]
    assert str(foreign.pk) in response.json()["skipped"]
    assert MonthlyReport.objects.get(pk=foreign.pk).status == "banner_reviewed"


def _check_bulletin_build(world: World) -> None:
    url = reverse("bulletin-build")
    body = {"campaign": world.alxa.campaign.pk, "month": "2021-07-01"}
    assert world.client("anonymous").post(url, body, format="json").status_code == 401
    for role in ("reporter", "banner", "region"):  # the region reviewer reads, never acts
        assert world.client(role).post(url, body, format="json").status_code == 403
    # Another league's reviewer: Alxa's campaign is not one of its own (400 on the field).
    refused = world.client("league2").post(url, body, format="json")
    assert refused.status_code == 400, refused.content
    assert "campaign" in refused.json()["errors"]
    assert not Bulletin.objects.exists()
    own = {"campaign": world.second.campaign.pk, "month": "2021-07-01"}
    assert world.client("league").post(url, own, format="json").status_code == 400
    assert not Bulletin.objects.exists()
    response = world.client("league2").post(url, own, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["campaign"] == world.second.campaign.pk
    response = world.client("league").post(url, body, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "draft"


def _check_mark_read(world: World) -> None:
    url = reverse("notification-mark-read")
    mine = _notification(Owner(unit=world.alxa.zuoqi, campaign=world.alxa.campaign, hospital=world.alxa.h004))
    other = Notification.objects.create(user=world.alxa.banner_reviewer, kind="digest", title="汇总")
    assert world.client("anonymous").post(url, {}, format="json").status_code == 401
    response = world.client("reporter").post(url, {"ids": [mine.pk, other.pk]}, format="json")
    assert response.json() == {"marked": 1}
    assert Notification.objects.get(pk=other.pk).read_at is None


def _reason(world: World, owner: Owner, obj: Model | None) -> dict[str, Any]:
    return {"reason": "数据与台账不符"}


def _grant(world: World, owner: Owner, obj: Model | None) -> dict[str, Any]:
    return {"until": (timezone.localdate() + dt.timedelta(days=5)).isoformat(), "note": "同意"}


# Each league's reviewer (and the admin) on its own league's rows.
LEAGUES = {"league": 200, "league2": 200, "admin": 200}

ROWS: dict[str, Row] = {
    **viewset_rows(
        "monthly-report",
        REPORT,
        body=_open_body,
        create={"reporter": 201},
        update={"reporter": 200},
        review_fields={"status": "approved", "late_days": 9},
    ),
    "monthly-report-submit": Row("action", SUBMITTABLE, writes={"post": {"reporter": 200}}),
    "monthly-report-banner-review": Row("action", SUBMITTED, writes={"post": {"banner": 200}}),
    "monthly-report-approve": Row("action", BANNER_REVIEWED, writes={"post": LEAGUES}),
    "monthly-report-return": Row(
        "action", SUBMITTED, body=_reason, writes={"post": {"banner": 200, **LEAGUES}}
    ),
    "monthly-report-unlock-request": Row(
        "action", APPROVED, body=_reason, writes={"post": {"reporter": 201}}
    ),
    "monthly-report-contents": Row("action", REPORT),
    "monthly-report-history": Row("action", REPORT),
    "monthly-report-bulk-approve": Row("custom", check=_check_bulk_approve),
    **viewset_rows("unlock-request", UNLOCK),
    "unlock-request-grant": Row("action", UNLOCK, body=_grant, writes={"post": LEAGUES}),
    "unlock-request-refuse": Row(
        "action", UNLOCK, body=lambda w, o, x: {"note": "数据无误"}, writes={"post": LEAGUES}
    ),
    **viewset_rows("bulletin", BULLETIN),
    "bulletin-publish": Row("action", DRAFT_BULLETIN, writes={"post": LEAGUES}),
    "bulletin-download": Row("action", BULLETIN),
    "bulletin-docx": Row("action", BULLETIN),
    "bulletin-pdf": Row("action", BULLETIN),
    "bulletin-build": Row("custom", check=_check_bulletin_build),
    **viewset_rows("notification", NOTIFICATION),
    "notification-mark-read": Row("custom", check=_check_mark_read),
}
