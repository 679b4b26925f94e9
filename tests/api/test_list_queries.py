"""Every list endpoint runs the same number of queries with one row as with a full page of 50 (no N+1),
for every signed-in role that sees the rows. Rows come from the permission matrix's builders."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from hospitals.models import User
from tests.api.harness import SIGNED_IN, World, api_routes, collect_rows

ROWS = collect_rows()
ROUTES = api_routes()
LISTS = sorted(
    name
    for name, row in ROWS.items()
    if row.kind == "list" and name in ROUTES and "get" in ROUTES[name].methods
)
PAGE = 50


def _count(world: World, role: str, url: str) -> tuple[int, list[str]]:
    # A fresh user each time, as token authentication would load it: nothing cached on the instance
    # (its organisation, say) may hide a query from one of the two counts.
    user = world.users[role]
    assert user is not None
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (role, url, response.content[:300])
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("name", LISTS)
def test_list_queries_do_not_grow_with_rows(world: World, name: str, settings: Any) -> None:
    # The lists' live queries: nothing kept under table versions (core.versions) answers either count.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    row, route = ROWS[name], ROUTES[name]
    resource = row.resource
    assert resource is not None
    own = world.owners(resource.owned_by)[0]  # H004 / 左旗: inside every reviewer's organisation
    build = resource.build_more or resource.build
    build(own)
    url = route.url()
    roles = [r for r in SIGNED_IN if resource.is_visible(world, r, own)]
    assert roles, f"{name}: no role sees the built rows"
    first = {role: _count(world, role, url) for role in roles}
    for _ in range(PAGE - 1):
        build(own)
    for role in roles:
        count, queries = _count(world, role, url)
        assert count == first[role][0], (
            f"{name} as {role}: {first[role][0]} queries with 1 row, {count} with {PAGE}:\n"
            + "\n".join(queries)
        )
