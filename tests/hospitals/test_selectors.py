import pytest
from django.contrib.auth.models import AnonymousUser

from hospitals.models import Department, Hospital
from hospitals.selectors import hospitals_visible_to, org_units_visible_to, scope_queryset
from tests.conftest import Alxa
from tests.factories import UserFactory


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


@pytest.mark.django_db
def test_reporter_sees_only_own_hospital(alxa: Alxa) -> None:
    assert codes(hospitals_visible_to(alxa.reporter)) == {"H004"}


@pytest.mark.django_db
def test_banner_reviewer_sees_exactly_the_banners_hospitals(alxa: Alxa) -> None:
    assert codes(hospitals_visible_to(alxa.banner_reviewer)) == {"H001", "H002", "H003", "H004", "H005"}


@pytest.mark.django_db
def test_league_reviewer_and_admin_see_the_league(alxa: Alxa) -> None:
    everything = {f"H{n:03d}" for n in range(1, 11)}
    assert codes(hospitals_visible_to(alxa.league_reviewer)) == everything
    assert codes(hospitals_visible_to(alxa.admin)) == everything


@pytest.mark.django_db
def test_league_reviewer_does_not_see_another_league(alxa: Alxa) -> None:
    from django.conf import settings

    from campaign.seeding import seed_load

    seed_load(paths=[settings.BASE_DIR / "tests/data/other-campaign.yaml"])
    assert "BT01" not in codes(hospitals_visible_to(alxa.league_reviewer))
    assert "BT01" in codes(hospitals_visible_to(alxa.admin))


@pytest.mark.django_db
def test_anonymous_inactive_and_unscoped_users_see_nothing(alxa: Alxa) -> None:
    assert not hospitals_visible_to(AnonymousUser()).exists()
    alxa.reporter.is_active = False
    assert not hospitals_visible_to(alxa.reporter).exists()
    with pytest.raises(Exception, match="user_scope_matches_role"):
        UserFactory(role="banner_reviewer", hospital=None, org_unit=None)


@pytest.mark.django_db
def test_scope_queryset_follows_a_relation(alxa: Alxa) -> None:
    rows = scope_queryset(Department.objects.all(), alxa.banner_reviewer)
    assert {d.hospital.banner_id for d in rows} == {alxa.zuoqi.pk}
    assert set(
        scope_queryset(Department.objects.all(), alxa.reporter).values_list("hospital__code", flat=True)
    ) == {"H004"}


@pytest.mark.django_db
def test_org_units_visible(alxa: Alxa) -> None:
    assert codes(org_units_visible_to(alxa.banner_reviewer)) == {"152921"}
    assert codes(org_units_visible_to(alxa.reporter)) == {"152921"}
    assert "152922" in codes(org_units_visible_to(alxa.league_reviewer))
    assert "150000" not in codes(org_units_visible_to(alxa.league_reviewer))


@pytest.mark.django_db
def test_leader_on_follows_post_dates(alxa: Alxa) -> None:
    import datetime as dt

    h004 = Hospital.objects.get(code="H004")
    assert h004.leader_on("president", dt.date(2017, 1, 1)).name == "韩志远"  # type: ignore[union-attr]
    assert h004.leader_on("president", dt.date(2021, 7, 1)).code == "H004-P02"  # type: ignore[union-attr]
