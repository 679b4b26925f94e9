"""Organisation routes (hospitals/api.py) and the token endpoint."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db.models import Model
from django.urls import reverse

from hospitals.models import Department, Hospital, MedicalAlliance, OrgUnit, Person, Post
from tests.api.harness import Owner, Resource, Row, World, viewset_rows
from tests.factories import (
    DepartmentFactory,
    HospitalFactory,
    MedicalAllianceFactory,
    OrgUnitFactory,
    PersonFactory,
    PostFactory,
)


def _unit(owner: Owner) -> OrgUnit:
    # A development zone under the banner: units are read-only, so a new child stands for "a unit of
    # this banner" (the banner itself is the reporter's one visible unit, and the banner reviewer's own).
    return OrgUnitFactory.create(kind=OrgUnit.Kind.BANNER, parent=owner.unit)


def _hospital(owner: Owner) -> Hospital:
    assert owner.hospital is not None
    return owner.hospital


def _more_hospitals(owner: Owner) -> Hospital:
    return HospitalFactory.create(banner=owner.unit)


def _alliance(owner: Owner) -> MedicalAlliance:
    alliance = MedicalAllianceFactory.create(lead_hospital=owner.hospital, assessed_by=owner.unit)
    alliance.members.add(owner.hospital)
    return alliance


ORG_UNIT = Resource(OrgUnit, _unit, owned_by="unit")
HOSPITAL = Resource(Hospital, _hospital, build_more=_more_hospitals)
PERSON = Resource(Person, lambda o: PersonFactory.create(hospital=o.hospital))
# Each built or created post gets a year of its own, so that no two posts of one role at a hospital
# overlap (the service refuses that).
_POST_YEARS = itertools.count(1000)  # far before any seeded post (2015 on)


def _post(owner: Owner) -> Post:
    year = next(_POST_YEARS)
    return PostFactory.create(
        hospital=owner.hospital, role="president", start_on=dt.date(year, 1, 1), end_on=dt.date(year, 12, 31)
    )


POST = Resource(Post, _post)
DEPARTMENT = Resource(Department, lambda o: DepartmentFactory.create(hospital=o.hospital))
ALLIANCE = Resource(MedicalAlliance, _alliance)


def _check_token(world: World) -> None:
    """Anyone may ask; a wrong password is 400 with the error format and no token."""
    from rest_framework.authtoken.models import Token

    from tests.factories import PASSWORD, reporter_for

    user = reporter_for(world.alxa.h004)
    client = world.client("anonymous")
    url = reverse("auth-token")
    wrong = client.post(url, {"username": user.username, "password": "wrong"}, format="json")
    assert wrong.status_code == 400, wrong.content
    assert set(wrong.json()) == {"code", "message", "errors"}
    assert not Token.objects.filter(user=user).exists()
    right = client.post(url, {"username": user.username, "password": PASSWORD}, format="json")
    assert right.status_code == 200, right.content
    assert right.json() == {"token": Token.objects.get(user=user).key}


def _check_root(world: World) -> None:
    assert world.client("anonymous").get(reverse("api-root")).status_code == 401
    for role in ("reporter", "banner", "league", "league2", "region", "admin"):
        assert world.client(role).get(reverse("api-root")).status_code == 200


def _person_body(world: World, owner: Owner, obj: Model | None) -> dict[str, object]:
    assert owner.hospital is not None
    return {
        "hospital": owner.hospital.pk,
        "name": "新任人员",
        "title": "副院长",
        "email": "new.person@example.org",
        "phone": "0483-8221234",
    }


def _post_body(world: World, owner: Owner, obj: Model | None) -> dict[str, object]:
    assert owner.hospital is not None
    if isinstance(obj, Post):  # an update changes the dates of the same post
        return {
            "person": obj.person_id,
            "role": obj.role,
            "hospital": owner.hospital.pk,
            "start_on": obj.start_on.isoformat(),
            "end_on": (obj.start_on + dt.timedelta(days=200)).isoformat(),
        }
    year = next(_POST_YEARS)
    return {
        "person": PersonFactory.create(hospital=owner.hospital).pk,
        "role": "president",
        "hospital": owner.hospital.pk,
        "start_on": f"{year}-01-01",
        "end_on": f"{year}-12-31",
    }


def _department_body(world: World, owner: Owner, obj: Model | None) -> dict[str, object]:
    assert owner.hospital is not None
    return {
        "hospital": owner.hospital.pk,
        "name": f"新科室{next(_POST_YEARS)}",
        "head": PersonFactory.create(hospital=owner.hospital).pk,
    }


# People, posts and departments: the hospital's reporter keeps its own, the admin every hospital's;
# reviewers read only (hospitals.people).
_KEEPERS = {"reporter": 200, "admin": 200}

ROWS: dict[str, Row] = {
    **viewset_rows("org-unit", ORG_UNIT),
    **viewset_rows("hospital", HOSPITAL, export=True),
    **viewset_rows(
        "person",
        PERSON,
        body=_person_body,
        create={"reporter": 201, "admin": 201},
        update=_KEEPERS,
        delete={"reporter": 204, "admin": 204},
    ),
    **viewset_rows(
        "post",
        POST,
        body=_post_body,
        create={"reporter": 201, "admin": 201},
        update=_KEEPERS,
        delete={"reporter": 204, "admin": 204},
    ),
    **viewset_rows(
        "department",
        DEPARTMENT,
        body=_department_body,
        create={"reporter": 201, "admin": 201},
        update=_KEEPERS,
        delete={"reporter": 204, "admin": 204},
    ),
    **viewset_rows("alliance", ALLIANCE),
    "auth-token": Row("custom", check=_check_token),
    "api-root": Row("custom", check=_check_root),
}
