"""The region rollup (reporting/region/api.py): read above the banners. The region reviewer and the
admin get every league's row, each league's reviewer its own league's only; a hospital or banner is
refused (403). Its workbook holds exactly the rows the rollup shows the role."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from tests.api.harness import Row, World
from tests.conftest import streamed

ALXA, BAOTOU = "152900", "150200"
EXPECTED = {"league": [ALXA], "league2": [BAOTOU], "region": [BAOTOU, ALXA], "admin": [BAOTOU, ALXA]}


def _check_rollup(world: World) -> None:
    url = reverse("region-rollup-list")
    assert world.client("anonymous").get(url).status_code == 401
    for role in ("reporter", "banner"):
        response = world.client(role).get(url)
        assert response.status_code == 403, (role, response.status_code)
        assert response.json()["code"] == "permission_denied"
    for role, codes in EXPECTED.items():
        response = world.client(role).get(url)
        assert response.status_code == 200, (role, response.content[:300])
        leagues = response.json()["leagues"]
        assert [row["league_code"] for row in leagues] == codes, role
        campaigns = {row["league_code"]: row["campaign"] for row in leagues}
        if ALXA in campaigns:
            assert campaigns[ALXA] == world.alxa.campaign.pk
        if BAOTOU in campaigns:
            assert campaigns[BAOTOU] == world.second.campaign.pk


def _check_export(world: World) -> None:
    url = reverse("region-rollup-export")
    assert world.client("anonymous").get(url).status_code == 401
    for role in ("reporter", "banner"):
        assert world.client(role).get(url).status_code == 403, role
    names = {ALXA: world.alxa.league.name, BAOTOU: world.second.league.name}
    for role, codes in EXPECTED.items():
        response = world.client(role).get(url)
        assert response.status_code == 200, (role, response.status_code)
        sheet = load_workbook(io.BytesIO(streamed(response)))["全区汇总"]
        exported = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] in names.values()]
        assert exported == [names[c] for c in codes], role


ROWS: dict[str, Row] = {
    "region-rollup-list": Row("custom", check=_check_rollup),
    "region-rollup-export": Row("custom", check=_check_export),
}
