"""Fixtures shared by the whole suite.

``alxa`` loads the real seed files (league tree, sample hospitals, demo users, 2021 campaign) and
returns a namespace of the rows most tests need; tests that need other shapes use the factories.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from campaign.management.commands.load_seed import DEFAULT_SEEDS
from campaign.models import Campaign
from campaign.seeding import seed_load
from core import clock
from hospitals.models import Hospital, OrgUnit, User


@dataclass
class Alxa:
    campaign: Campaign
    league: OrgUnit
    zuoqi: OrgUnit  # 阿拉善左旗
    youqi: OrgUnit  # 阿拉善右旗
    h001: Hospital  # 盟中心医院, 三级, city tertiary, in 左旗
    h004: Hospital  # 左旗人民医院, 二级, in 左旗
    h006: Hospital  # 右旗人民医院, 二级, in 右旗
    admin: User
    league_reviewer: User
    banner_reviewer: User  # 左旗
    reporter: User  # H004


@pytest.fixture(autouse=True)
def _clock_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test does to ``core.clock.now`` (``enter_on`` sets it directly) is undone after it."""
    monkeypatch.setattr(clock, "now", clock.now)


@pytest.fixture
def alxa(db: None) -> Alxa:
    return load_alxa()


def load_alxa() -> Alxa:
    """Load the seed files and name the rows tests use (also for module-scoped data: tests/api)."""
    seed_load(paths=[settings.BASE_DIR / p for p in DEFAULT_SEEDS])
    return Alxa(
        campaign=Campaign.objects.get(code="alxa-2021"),
        league=OrgUnit.objects.get(code="152900"),
        zuoqi=OrgUnit.objects.get(code="152921"),
        youqi=OrgUnit.objects.get(code="152922"),
        h001=Hospital.objects.get(code="H001"),
        h004=Hospital.objects.get(code="H004"),
        h006=Hospital.objects.get(code="H006"),
        admin=User.objects.get(username="admin"),
        league_reviewer=User.objects.get(username="league"),
        banner_reviewer=User.objects.get(username="zuoqi"),
        reporter=User.objects.get(username="h004"),
    )


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def streamed(response: Any) -> bytes:
    """The body of a file (streaming) response."""
    return b"".join(response.streaming_content)
