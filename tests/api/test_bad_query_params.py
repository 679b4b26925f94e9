"""Malformed ids in query strings give a 4xx in the error format, never a 500 (found by schemathesis)."""

import pytest

from tests.conftest import Alxa, client_for


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/action-plan/?campaign=null&hospital={h}", 400),
        ("/api/v1/compliance/?campaign=abc", 400),
    ],
)
def test_malformed_campaign_id_is_a_client_error(alxa: Alxa, path: str, status: int) -> None:
    response = client_for(alxa.reporter).get(path.format(h=alxa.h004.pk))
    assert response.status_code == status
    assert response.json()["code"] == "invalid"
    assert "活动编号" in response.json()["message"]


@pytest.mark.django_db
def test_malformed_campaign_id_on_indicator_figures_is_refused(alxa: Alxa) -> None:
    response = client_for(alxa.reporter).get("/api/v1/indicator-figures/?campaign=null")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
