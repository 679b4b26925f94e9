"""factory_boy factories shared by the whole suite."""

import datetime as dt
from typing import Any

import factory
from django.contrib.auth.hashers import make_password

from campaign.models import Campaign
from hospitals.models import Department, Hospital, MedicalAlliance, OrgUnit, Person, Post, Role, User

PASSWORD = "pw-for-tests-1"


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = OrgUnit.Kind.BANNER


class LeagueFactory(OrgUnitFactory):
    kind = OrgUnit.Kind.LEAGUE
    name = factory.Sequence(lambda n: f"测试盟{n}")


class BannerFactory(OrgUnitFactory):
    kind = OrgUnit.Kind.BANNER
    name = factory.Sequence(lambda n: f"测试旗{n}")
    parent = factory.SubFactory(LeagueFactory)


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hospital

    code = factory.Sequence(lambda n: f"TH{n:04d}")
    name = factory.Sequence(lambda n: f"测试医院{n}")
    banner = factory.SubFactory(BannerFactory)
    level = Hospital.Level.SECONDARY
    type = Hospital.Type.GENERAL
    staff_count = 300


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    code = factory.Sequence(lambda n: f"TP{n:05d}")
    name = factory.Sequence(lambda n: f"人员{n}")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    person = factory.SubFactory(PersonFactory, hospital=factory.SelfAttribute("..hospital"))
    role = Post.Role.SECRETARY
    hospital = factory.SubFactory(HospitalFactory)
    start_on = dt.date(2020, 1, 1)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    hospital = factory.SubFactory(HospitalFactory)
    name = factory.Sequence(lambda n: f"科室{n}")
    head = factory.SubFactory(PersonFactory, hospital=factory.SelfAttribute("..hospital"))


class MedicalAllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MedicalAlliance

    code = factory.Sequence(lambda n: f"MA{n:03d}")
    name = factory.Sequence(lambda n: f"医联体{n}")
    kind = MedicalAlliance.Kind.COUNTY_COMMUNITY
    lead_hospital = factory.SubFactory(HospitalFactory)
    assessed_by = factory.SelfAttribute("lead_hospital.banner")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.LazyFunction(lambda: make_password(PASSWORD))
    role = Role.HOSPITAL_REPORTER
    hospital = factory.SubFactory(HospitalFactory)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    code = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"测试活动{n}")
    year = 2021
    league = factory.SubFactory(LeagueFactory)
    starts_on = dt.date(2021, 6, 21)
    ends_on = dt.date(2021, 12, 31)


def reporter_for(hospital: Hospital, **kwargs: object) -> User:
    return UserFactory.create(role=Role.HOSPITAL_REPORTER, hospital=hospital, **kwargs)


def banner_reviewer_for(banner: OrgUnit, **kwargs: object) -> User:
    return UserFactory.create(role=Role.BANNER_REVIEWER, hospital=None, org_unit=banner, **kwargs)


def league_reviewer_for(league: OrgUnit, **kwargs: object) -> User:
    return UserFactory.create(role=Role.LEAGUE_REVIEWER, hospital=None, org_unit=league, **kwargs)


def admin_user(**kwargs: object) -> User:
    return UserFactory.create(
        **{"role": Role.ADMIN, "hospital": None, "is_staff": True, "is_superuser": True, **kwargs}
    )


def indicator_value(indicator_code: str, owner: Hospital | OrgUnit, month: dt.date, **figures: Any) -> Any:
    """Store a value directly (no rules, no history): for tests of reads. Writes go through the service."""
    from campaign.models import Indicator
    from reporting.indicators.models import IndicatorValue

    indicator = Indicator.objects.get(
        code=indicator_code, campaign__code=figures.pop("campaign", "alxa-2021")
    )
    owner_field = "hospital" if isinstance(owner, Hospital) else "unit"
    return IndicatorValue.objects.create(indicator=indicator, month=month, **{owner_field: owner}, **figures)
