"""schemathesis over every operation of the OpenAPI schema, as every role.

In-process against the WSGI app and the module's seeded world (tests/api/conftest.py), to which this module
adds, once, a row of every resource of the permission matrix (tests/api/matrix/) for each organisation of
the world. For each operation schemathesis sends its explicit and coverage cases (boundaries, missing and
extra parameters, unsupported methods), the roles taking turns; then hypothesis draws ``EXAMPLES`` cases,
valid and invalid (wrong types, out-of-range ids, unknown enum values, broken bodies), and sends them as
EACH role: anonymous, hospital reporter, banner reviewer, league reviewer and admin (token
authentication), the same cases for every role because the seed is fixed (``derandomize``). Most
generated path ids are swapped for the id of a real row (of the role's own organisation or of another), so
that the cases reach the views' success paths and not only their 404. Every response must be no server
error (5xx), have a status and a content type the schema documents, and a body that matches the
documented schema. Unsafe methods get the same data as everything else; what one operation changes is
rolled back before the next.

Run just this: ``make pytest PYTEST_ARGS="tests/api/test_schemathesis.py -q"`` (about 8 minutes on 2
cores; one operation: ``-k "POST and bulk-approve"``, one role: ``-k "reporter"``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.harness import ROLES, SIGNED_IN, World, collect_rows

EXAMPLES = 50
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# One generated id in this many is sent as drawn (out of range, unknown, negative); the others name a row.
KEEP_DRAWN_ID = 4


@pytest.fixture(scope="module", autouse=True)
def _keep_the_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, as a server should; the tests
    run inside one transaction on that connection, so — like Django's test client — keep it open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def real_ids(module_world: World, django_db_blocker: Any) -> dict[str, list[Any]]:
    """Route name → ids of rows built for every organisation of the world, once for the module (inside
    the module's transaction: rolled back with it)."""
    built: dict[int, list[Any]] = {}
    ids: dict[str, list[Any]] = {}
    with django_db_blocker.unblock():
        for name, row in sorted(collect_rows().items()):
            resource = row.resource
            if resource is None:
                continue
            if id(resource) not in built:
                built[id(resource)] = [resource.build(owner).pk for owner in resource.owners(module_world)]
            ids[name] = built[id(resource)]
    return ids


@pytest.fixture
def role_headers(world: World) -> dict[str, dict[str, str]]:
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in SIGNED_IN:
        user = world.users[role]
        assert user is not None
        token, _ = Token.objects.get_or_create(user=user)
        headers[role] = {"Authorization": f"Token {token.key}"}
    return headers


@cache
def _route_name(path_template: str) -> str | None:
    try:
        return resolve(path_template.replace("{id}", "1")).url_name
    except Resolver404:
        return None


def _name_a_real_row(case: Any, real_ids: dict[str, list[Any]]) -> None:
    """Swap a drawn integer id for a real row's, chosen by the drawn value (so a replayed case, when
    hypothesis reproduces a failure, names the same row)."""
    drawn = (case.path_parameters or {}).get("id")
    if isinstance(drawn, bool) or not isinstance(drawn, int) or drawn % KEEP_DRAWN_ID == 0:
        return
    pks = real_ids.get(_route_name(case.operation.path) or "")
    if pks:
        case.path_parameters["id"] = pks[drawn % len(pks)]


# Which role sends each case: the roles take turns within an operation, and a case hypothesis replays
# (to confirm and shrink a failure) goes to the role that first sent it.
_turns: Counter[str] = Counter()
_role_of_case: dict[str, str] = {}


def _role_for(case: Any) -> str:
    key = repr(
        (case.operation.label, case.media_type, case.path_parameters, case.query, case.headers, case.body)
    )
    if key not in _role_of_case:
        label = case.operation.label
        _role_of_case[key] = ROLES[_turns[label] % len(ROLES)]
        _turns[label] += 1
    return _role_of_case[key]


# Loaded at collection through the app itself (the schema view needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())


# Shared by both tests below.
COMMON = settings(
    derandomize=True,  # the fixed seed: the same cases on every run and every machine
    database=None,
    deadline=None,  # in-process requests on a loaded 2-core machine: timing says nothing here
    # These health checks judge the generator, not the API: the function-scoped fixtures (the savepoint,
    # the headers) are shared by an operation's cases on purpose; generation time on a loaded 2-core
    # machine varies from run to run; and schemathesis discards drawn cases it cannot send (a body its
    # media type cannot carry), which is no fault of the API's.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
        HealthCheck.too_slow,
    ],
)


@pytest.mark.django_db
@schema.parametrize()
@settings(COMMON, phases=[Phase.explicit])  # no shrinking: a failure is reported as found
def test_api_operation_edge_cases(
    case: Any, role_headers: dict[str, dict[str, str]], real_ids: dict[str, list[Any]]
) -> None:
    """schemathesis's explicit and coverage cases (boundaries, missing and extra parameters, unsupported
    methods), the roles taking turns."""
    role = _role_for(case)  # before the swap: each drawn id is its own case, whichever row it names
    _name_a_real_row(case, real_ids)
    case.call_and_validate(headers=role_headers[role], checks=CHECKS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(COMMON, max_examples=EXAMPLES, phases=[Phase.generate])
def test_api_operation(
    case: Any, role: str, role_headers: dict[str, dict[str, str]], real_ids: dict[str, list[Any]]
) -> None:
    """``EXAMPLES`` generated cases of every operation as each role (the same cases for every role: the
    seed is fixed)."""
    _name_a_real_row(case, real_ids)
    case.call_and_validate(headers=role_headers[role], checks=CHECKS)
