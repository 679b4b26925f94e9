"""The scope rule matches rows by their own foreign keys (``hospital_id = ANY(ARRAY(hospitals in scope))``,
``core.db``'s ``any_of``) instead of a path LIKE over two LEFT JOINs combined with OR (issue 17): the same
rows as the path rule, for every role, on a generated region of three leagues; and no join to the
organisation tree left in the filtered query, so an index on the key can serve it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q, QuerySet
from django.test.utils import CaptureQueriesContext

from bench.generator import RegionGenerator, RegionSize
from campaign.models import ActionItem, LectureMaterial, LectureSession, ProgressEntry
from campaign.selectors import action_item_list, lecture_list, material_list, progress_list
from hospitals.models import Hospital, Role, User
from hospitals.selectors import hospitals_visible_to, user_scope_path
from reporting.indicators.models import IndicatorValue
from reporting.indicators.selectors import indicator_value_list
from reporting.reports.models import MonthlyReport
from reporting.reports.selectors import reports_visible_to

pytestmark = pytest.mark.django_db

# (selector, model, the path rule as it was: the lookups from the model to its hospital and its unit)
LISTS: list[tuple[Callable[[User], QuerySet[Any]], type[Any], str | None, str | None]] = [
    (hospitals_visible_to, Hospital, "", None),
    (lambda u: lecture_list(user=u), LectureSession, "hospital", "org_unit"),
    (lambda u: material_list(user=u), LectureMaterial, "lecture__hospital", "lecture__org_unit"),
    (lambda u: action_item_list(user=u), ActionItem, "hospital", None),
    (lambda u: progress_list(user=u), ProgressEntry, "action_item__hospital", None),
    (indicator_value_list, IndicatorValue, "hospital", "unit"),
    (reports_visible_to, MonthlyReport, "hospital", None),
]


def _by_path(model: type[Any], user: User, hospital_field: str | None, unit_field: str | None) -> set[int]:
    """The rows the path rule gave this user (the oracle)."""
    qs = model._default_manager.all()
    if user.role == Role.HOSPITAL_REPORTER:
        key = f"{hospital_field}_id" if hospital_field else "id"
        return set(qs.filter(**{key: user.hospital_id}).values_list("pk", flat=True))
    path = user_scope_path(user)
    assert path is not None
    prefix = f"{hospital_field}__" if hospital_field else ""
    condition = Q(**{f"{prefix}banner__path__startswith": path})
    if unit_field:
        condition |= Q(**{f"{unit_field}__path__startswith": path})
    return set(qs.filter(condition).values_list("pk", flat=True))


@pytest.fixture
def region() -> None:
    RegionGenerator(seed=11, size=RegionSize(hospitals=12, leagues=3, banners=6, lectures=240)).run()


@pytest.mark.parametrize("role", [Role.BANNER_REVIEWER, Role.LEAGUE_REVIEWER, Role.HOSPITAL_REPORTER])
def test_scope_by_keys_gives_the_rows_the_path_rule_gave(region: None, role: str) -> None:
    users = list(User.objects.filter(role=role).order_by("username"))
    assert len(users) >= 3
    for user in users:
        for selector, model, hospital_field, unit_field in LISTS:
            seen = set(selector(user).values_list("pk", flat=True))
            expected = _by_path(model, user, hospital_field, unit_field)
            assert seen == expected, (user.username, model.__name__)
            everything = model._default_manager.count()
            # (the generated region has no courseware: materials are compared, empty on both sides)
            if model is not LectureMaterial and (model is not Hospital or role != Role.HOSPITAL_REPORTER):
                assert 0 < len(seen) < everything, (user.username, model.__name__)


def test_a_banners_lecture_count_joins_no_organisation(region: None) -> None:
    user = User.objects.filter(role=Role.BANNER_REVIEWER).order_by("username").first()
    assert user is not None
    with CaptureQueriesContext(connection) as ctx:
        n = lecture_list(user=user).count()
    assert n == _by_path_count(user)
    (sql,) = [q["sql"] for q in ctx.captured_queries if "campaign_lecturesession" in q["sql"]]
    assert "JOIN" not in sql
    assert sql.count("= ANY(ARRAY(SELECT") == 3  # the hospitals in scope (their banners inside), the units
    assert '"campaign_lecturesession"."hospital_id" = ANY(ARRAY' in sql
    assert '"campaign_lecturesession"."org_unit_id" = ANY(ARRAY' in sql


def _by_path_count(user: User) -> int:
    return len(_by_path(LectureSession, user, "hospital", "org_unit"))
