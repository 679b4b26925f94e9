"""The permission matrix: every /api/v1/ route × method × role × own / other organisation.

Routes come from the URL resolver and expectations from the table in tests/api/matrix/; a route without
a row fails ``test_every_route_has_a_row``. For each row:

- anonymous gets 401 for every method, and nothing changes;
- a list holds the rows of the role's own organisation and never another's (all pages are read);
- another organisation's detail is 404; public catalogues are read by every signed-in role;
- every unsafe method either does what the row declares for the role's own organisation or is refused
  with the table unchanged (all rows, all values), and is always refused for another organisation's row
  or when the body names another organisation's hospital (a forged id);
- a reporter's PATCH cannot set the row's review fields;
- a list's Excel export holds as many rows as the list shows the role (own organisation's included).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.db.models import Model
from openpyxl import load_workbook

from hospitals.models import ChangeRecord
from tests.api.harness import (
    ROLES,
    SIGNED_IN,
    UNSAFE,
    Owner,
    Resource,
    Route,
    Row,
    World,
    api_routes,
    collect_rows,
)
from tests.conftest import streamed

ROWS = collect_rows()
ROUTES = api_routes()
# Anything a refused request may answer; never 2xx, never 5xx.
REFUSED = {400, 403, 404, 405}


def test_every_route_has_a_row() -> None:
    missing = sorted(set(ROUTES) - set(ROWS))
    stale = sorted(set(ROWS) - set(ROUTES))
    assert not missing, (
        f"API routes without a row in tests/api/matrix/: {missing}. "
        'Declare them (docs/contributing.md, "API routes: the permission matrix").'
    )
    assert not stale, f"rows in tests/api/matrix/ for routes that no longer exist: {stale}"


def test_every_unsafe_method_is_declared() -> None:
    """A row says what each role may do with each unsafe method of its route (left out = refused)."""
    for name, route in ROUTES.items():
        row = ROWS.get(name)
        if row is None or row.kind == "custom":
            continue
        for method in route.methods:
            if method in UNSAFE:
                assert method in row.writes, f"{name}: declare writes[{method!r}] (roles allowed → status)"


def _snapshot(model: type[Model]) -> list[dict[str, Any]]:
    return list(model._default_manager.order_by("pk").values())


def _ids(world: World, role: str, url: str) -> list[Any]:
    """Every id of a paginated (or plain) list, following ``next``."""
    ids: list[Any] = []
    client = world.client(role)
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, (role, url, response.status_code, response.content[:300])
        body = response.json()
        rows = body["results"] if isinstance(body, dict) and "results" in body else body
        ids += [r["id"] for r in rows]
        next_url = body.get("next") if isinstance(body, dict) else None
    return ids


def _body(row: Row, world: World, owner: Owner, obj: Model | None) -> dict[str, Any]:
    return row.body(world, owner, obj) if row.body is not None else {}


def _send(world: World, role: str, method: str, url: str, body: dict[str, Any]) -> Any:
    client = world.client(role)
    if method == "delete":
        return client.delete(url)
    return getattr(client, method)(url, body, format="json")


def _assert_refused_and_unchanged(
    world: World, role: str, method: str, url: str, body: dict[str, Any], model: type[Model], what: str
) -> None:
    before, history = _snapshot(model), ChangeRecord.objects.count()
    response = _send(world, role, method, url, body)
    expected = {401} if role == "anonymous" else REFUSED
    assert response.status_code in expected, (what, role, method, url, response.status_code, response.content)
    assert _snapshot(model) == before, f"{what}: {role} {method.upper()} {url} changed {model.__name__}"
    assert ChangeRecord.objects.count() == history, f"{what}: a refused request wrote history"


def _check_list(world: World, route: Route, row: Row) -> None:
    resource = row.resource
    assert resource is not None
    built = {o: resource.build(o) for o in resource.owners(world)}
    url = route.url()
    assert world.client("anonymous").get(url).status_code == 401
    for role in SIGNED_IN:
        seen = set(_ids(world, role, url))
        for owner, obj in built.items():
            if resource.is_visible(world, role, owner):
                assert obj.pk in seen, f"{route.name}: {role} does not see its own {owner}'s row"
            else:
                assert obj.pk not in seen, f"LEAK {route.name}: {role} sees {owner}'s row"
    if "post" in route.methods:
        _check_create(world, route, row, resource)


def _check_export(world: World, route: Route, row: Row) -> None:
    resource = row.resource
    assert resource is not None
    built = {o: resource.build(o) for o in resource.owners(world)}
    url = route.url()
    assert world.client("anonymous").get(url).status_code == 401
    list_url = ROUTES[row.list_route].url()
    for role in SIGNED_IN:
        response = world.client(role).get(url)
        assert response.status_code == 200, (route.name, role, response.status_code)
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), route.name
        sheet = load_workbook(BytesIO(streamed(response))).worksheets[0]
        exported = sheet.max_row - 1  # less the header row
        listed = _ids(world, role, list_url)
        assert exported == len(listed), (
            f"{route.name}: {role} exports {exported} rows, its list shows {len(listed)}"
        )
        own = sum(
            1 for owner, obj in built.items() if resource.is_visible(world, role, owner) and obj.pk in listed
        )
        assert own == sum(1 for owner in built if resource.is_visible(world, role, owner)), route.name


def _check_create(world: World, route: Route, row: Row, resource: Resource) -> None:
    allowed = row.writes.get("post", {})
    url = route.url()
    for role in ROLES:
        own = world.own(role, resource.owned_by) or world.owners(resource.owned_by)[0]
        forged = world.others(role, resource.owned_by) if role != "anonymous" and row.body_names_owner else []
        for other in forged:
            _assert_refused_and_unchanged(
                world, role, "post", url, _body(row, world, other, None), resource.model, "forged owner"
            )
        body = _body(row, world, own, None)
        if role in allowed and (world.in_org(role, own) or not row.body_names_owner):
            response = _send(world, role, "post", url, body)
            assert response.status_code == allowed[role], (route.name, role, response.content)
        else:
            _assert_refused_and_unchanged(world, role, "post", url, body, resource.model, "create")


def _check_detail(world: World, route: Route, row: Row) -> None:
    resource = row.resource
    assert resource is not None
    for owner in resource.owners(world):
        obj = resource.build(owner)
        url = route.url(obj.pk)
        for role in ROLES:
            if "get" in route.methods and row.kind == "detail":
                response = world.client(role).get(url)
                if role == "anonymous":
                    assert response.status_code == 401
                elif resource.is_visible(world, role, owner):
                    assert response.status_code == 200, (route.name, role, str(owner), response.content)
                    assert response.json()["id"] == obj.pk
                else:
                    assert response.status_code == 404, f"LEAK {route.name}: {role} reads {owner}'s row"
                    assert set(response.json()) == {"code", "message", "errors"}
            elif "get" in route.methods:  # a GET action on one row: a download, say
                response = world.client(role).get(url)
                if role == "anonymous":
                    assert response.status_code == 401
                elif resource.is_visible(world, role, owner):
                    assert response.status_code not in (401, 403, 404), (route.name, role, response.content)
                    assert response.status_code < 500
                else:
                    assert response.status_code == 404, f"LEAK {route.name}: {role} reaches {owner}'s row"
            for method in route.methods:
                if method in UNSAFE and not (role in row.writes[method] and world.in_org(role, owner)):
                    body = _body(row, world, owner, obj)
                    _assert_refused_and_unchanged(world, role, method, url, body, resource.model, "write")
    # What the table allows, each on a fresh row of the role's own organisation.
    for method in route.methods:
        for role, status in row.writes.get(method, {}).items() if method in UNSAFE else ():
            own = world.own(role, resource.owned_by)
            assert own is not None, f"{route.name}: {role} has no organisation of kind {resource.owned_by}"
            obj = resource.build(own)
            response = _send(world, role, method, route.url(obj.pk), _body(row, world, own, obj))
            assert response.status_code == status, (route.name, role, method, response.content)
    if row.review_fields:
        _check_review_fields(world, route, row, resource)


def _check_review_fields(world: World, route: Route, row: Row, resource: Resource) -> None:
    own = world.own("reporter", resource.owned_by)
    assert own is not None
    obj = resource.build(own)
    before = {f: getattr(obj, f) for f in row.review_fields}
    _send(world, "reporter", "patch", route.url(obj.pk), dict(row.review_fields))
    obj.refresh_from_db()
    assert {f: getattr(obj, f) for f in row.review_fields} == before, "a reporter set review fields"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route(world: World, name: str) -> None:
    route, row = ROUTES[name], ROWS.get(name)
    if row is None:
        pytest.fail(f"{name} has no row in tests/api/matrix/ (see test_every_route_has_a_row)")
    if row.kind == "custom":
        assert row.check is not None, f"{name}: a custom row needs check="
        row.check(world)
    elif row.kind == "list":
        _check_list(world, route, row)
    elif row.kind == "export":
        _check_export(world, route, row)
    else:
        _check_detail(world, route, row)
