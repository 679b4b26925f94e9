import pytest
from django.test import Client

from tests.conftest import Alxa, client_for


@pytest.mark.django_db
def test_api_requires_authentication_with_the_error_format(api) -> None:
    response = api.get("/api/v1/hospitals/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["message"]


@pytest.mark.django_db
def test_hospital_api_is_scoped(alxa: Alxa) -> None:
    rows = client_for(alxa.reporter).get("/api/v1/hospitals/").json()["results"]
    assert [r["code"] for r in rows] == ["H004"]
    other = client_for(alxa.reporter).get(f"/api/v1/hospitals/{alxa.h006.pk}/")
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_cdn(alxa: Alxa) -> None:
    client = Client()
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()


@pytest.mark.django_db
def test_home_redirects_to_login_then_greets(alxa: Alxa) -> None:
    client = Client()
    assert client.get("/").status_code == 302
    client.force_login(alxa.reporter)
    assert "讲医改" in client.get("/").content.decode()
