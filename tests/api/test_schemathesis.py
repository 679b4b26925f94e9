"""schemathesis over every operation of the OpenAPI schema, as every signed-in role.

In-process against the WSGI app and the module's seeded world (tests/api/conftest.py). For each operation
schemathesis sends its explicit and coverage cases (boundaries, unsupported methods) and hypothesis draws
``EXAMPLES`` more, valid and invalid (wrong types, out-of-range ids, unknown enum values, broken bodies),
with a fixed seed (``derandomize``). The cases go in turn to hospital reporter, banner reviewer, league
reviewer and admin (token authentication; anonymous requests are the permission matrix's: 401 before any
input is read). Every response must be no server error (5xx), have a status and a content type the schema
documents, and a body that matches the documented schema. Unsafe methods get the same data as everything
else; what they change is rolled back with the test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.harness import SIGNED_IN, World

EXAMPLES = 50
_turn = itertools.count()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module", autouse=True)
def _keep_the_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, as a server should; the tests
    run inside one transaction on that connection, so — like Django's test client — keep it open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def role_headers(world: World) -> dict[str, dict[str, str]]:
    headers: dict[str, dict[str, str]] = {}
    for role in SIGNED_IN:
        token, _ = Token.objects.get_or_create(user=world.users[role])
        headers[role] = {"Authorization": f"Token {token.key}"}
    return headers


# Loaded at collection through the app itself (the schema view needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the fixed seed: the same cases on every run and every machine
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_operation(case: Any, role_headers: dict[str, dict[str, str]]) -> None:
    # The roles take turns, case by case: every role meets every operation (a quarter of its 70-odd
    # cases each) at a quarter of the cost of sending every case four times.
    role = SIGNED_IN[next(_turn) % len(SIGNED_IN)]
    case.call_and_validate(headers=role_headers[role], checks=CHECKS)
