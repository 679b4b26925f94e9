"""The onboarding workbook's routes (``hospitals.onboarding_api``): only the system admin (and a league's
admin, tested beside the service) onboards; every reviewer and reporter, of either league, is refused."""

from __future__ import annotations

import io

from hospitals.models import OnboardingImport, OrgUnit
from hospitals.onboarding import onboarding_workbook_build
from tests.api.harness import Owner, Resource, Row, World

WORKBOOK = "/api/v1/onboarding-imports/workbook/"
UPLOAD = "/api/v1/onboarding-imports/upload/"


def _league_of(owner: Owner) -> OrgUnit:
    league = owner.unit.league()
    assert league is not None
    return league


def _import(owner: Owner) -> OnboardingImport:
    """A pending dry run of the owner's league that changes nothing (so its confirm succeeds)."""
    return OnboardingImport.objects.create(
        league=_league_of(owner), status=OnboardingImport.Status.PENDING, file_sha256="0" * 64, rows={}
    )


# Imports are the accounts managers': of the matrix's roles only the system admin.
IMPORT = Resource(
    OnboardingImport, _import, owned_by="unit", visible=lambda world, role, owner: role == "admin"
)


def _leagues(world: World) -> list[OrgUnit]:
    return [world.alxa.league, world.second.league]


def _check_workbook(world: World) -> None:
    for league in _leagues(world):
        assert world.client("anonymous").get(WORKBOOK, {"league": league.pk}).status_code == 401
        for role in ("reporter", "banner", "league", "league2"):
            response = world.client(role).get(WORKBOOK, {"league": league.pk})
            assert response.status_code == 403, (role, league.code, response.status_code)
        response = world.client("admin").get(WORKBOOK, {"league": str(league.pk), "filled": "true"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert world.client("admin").get(WORKBOOK, {"league": world.alxa.zuoqi.pk}).status_code == 404  # a banner
    assert world.client("admin").get(WORKBOOK).status_code == 400


def _check_upload(world: World) -> None:
    admin = world.alxa.admin
    for league in _leagues(world):
        content = onboarding_workbook_build(actor=admin, league=league, filled=True)
        for role in ("anonymous", "reporter", "banner", "league", "league2", "admin"):
            before = OnboardingImport.objects.count()
            response = world.client(role).post(
                UPLOAD, {"league": league.pk, "file": io.BytesIO(content)}, format="multipart"
            )
            if role == "admin":
                assert response.status_code == 201, (league.code, response.content)
                assert response.json()["changes"] == []  # the pre-filled workbook changes nothing
                continue
            assert response.status_code == (401 if role == "anonymous" else 403), (role, league.code)
            assert OnboardingImport.objects.count() == before


ROWS = {
    "onboarding-import-list": Row("list", IMPORT),
    "onboarding-import-detail": Row("detail", IMPORT),
    "onboarding-import-confirm": Row("action", IMPORT, writes={"post": {"admin": 200}}),
    "onboarding-import-workbook": Row("custom", check=_check_workbook),
    "onboarding-import-upload": Row("custom", check=_check_upload),
}
