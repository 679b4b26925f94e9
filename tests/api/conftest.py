"""The API tests share one seeded world per module: seeding takes about a second, and there is a test per
route (and per operation for schemathesis). The world is built inside a transaction that is rolled back
when the module ends; each test runs in a savepoint inside it (pytest-django's ``db``), so what a test
writes is gone before the next one starts."""

from collections.abc import Iterator

import pytest
from django.db import transaction

from tests.api.harness import World, make_world
from tests.conftest import Alxa, load_alxa


@pytest.fixture(scope="module")
def module_world(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        world = make_world(load_alxa())
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world: World, db: None) -> World:
    module_world._clients.clear()
    return module_world


@pytest.fixture
def alxa(module_world: World, db: None) -> Alxa:
    return module_world.alxa
