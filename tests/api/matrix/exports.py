"""Export job routes (reporting/exports/api.py). A job belongs to the user who asked for it; only they and
an admin see it (exports.selectors.export_jobs_for)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.urls import reverse

from exports.models import ExportJob
from hospitals.models import Role, User
from tests.api.harness import Owner, Resource, Row, World, viewset_rows
from tests.factories import reporter_for


def _requester(owner: Owner) -> User:
    """The owner hospital's first reporter (for H004 the seeded ``h004``, the matrix's reporter)."""
    assert owner.hospital is not None
    user = User.objects.filter(hospital=owner.hospital, role=Role.HOSPITAL_REPORTER).order_by("pk").first()
    return user or reporter_for(owner.hospital)


def _job(owner: Owner) -> ExportJob:
    return ExportJob.objects.create(kind="hospital_roster", requested_by=_requester(owner), rows_total=1)


def _visible(world: World, role: str, owner: Owner) -> bool:
    return role == "admin" or (role == "reporter" and owner.hospital == world.alxa.h004)


def _body(world: World, owner: Owner, obj: Model | None) -> dict[str, Any]:
    return {"kind": "hospital_roster", "params": {}}


def _check_kinds(world: World) -> None:
    url = reverse("export-job-kinds")
    assert world.client("anonymous").get(url).status_code == 401
    for role in ("reporter", "banner", "league", "league2", "region", "admin"):
        response = world.client(role).get(url)
        assert response.status_code == 200
        assert "hospital_roster" in {k["code"] for k in response.json()}


EXPORT_JOB = Resource(ExportJob, _job, visible=_visible)
ROWS: dict[str, Row] = {
    **viewset_rows(
        "export-job",
        EXPORT_JOB,
        body=_body,
        body_names_owner=False,
        # A small export answers with the file itself (200); every signed-in user may export its scope.
        # The region reviewer reads (and so exports) every league: an export writes no domain row.
        create={"reporter": 200, "banner": 200, "league": 200, "league2": 200, "region": 200, "admin": 200},
    ),
    "export-job-download": Row("action", EXPORT_JOB),
    "export-job-kinds": Row("custom", check=_check_kinds),
}
