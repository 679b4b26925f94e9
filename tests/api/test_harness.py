"""The permission matrix catches what it is for: a list or a detail that leaks another organisation's row."""

from __future__ import annotations

import pytest

from hospitals.api import DepartmentViewSet
from hospitals.models import Department
from tests.api import test_permission_matrix as matrix
from tests.api.harness import World


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["department-list", "department-detail"])
def test_an_unscoped_viewset_fails_the_matrix(
    world: World, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr(DepartmentViewSet, "get_queryset", lambda self: Department.objects.order_by("id"))
    route, row = matrix.ROUTES[name], matrix.ROWS[name]
    check = matrix._check_list if row.kind == "list" else matrix._check_detail
    with pytest.raises(AssertionError, match="LEAK"):
        check(world, route, row)


def test_a_route_without_a_row_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(matrix.ROWS, "department-list")
    with pytest.raises(AssertionError, match="department-list"):
        matrix.test_every_route_has_a_row()
