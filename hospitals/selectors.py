"""Reads of organisations, and THE scope rule (SPEC §1): every query of per-hospital or per-unit data is
limited to what its user may see through ``scope_queryset`` or ``hospitals_visible_to``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from core import db  # noqa: F401  (registers the any_of lookup)
from hospitals.models import ChangeRecord, Hospital, MedicalAlliance, OrgUnit, Role, User

M = TypeVar("M", bound=Model)
# What request.user may be: every selector accepts both and gives an anonymous user nothing.
AnyUser = User | AnonymousUser
# The roles whose scope is an OrgUnit (a banner, a league, the region) and what lies under it.
REVIEWER_ROLES = (Role.BANNER_REVIEWER, Role.LEAGUE_REVIEWER, Role.REGION_REVIEWER)
READ_ONLY = "自治区审核员只能查阅，不能修改数据。"


def user_scope_path(user: AnyUser) -> str | None:
    """The org-unit path prefix a user sees, "" for everything, None for a hospital-bound user."""
    if not isinstance(user, User) or not user.is_active:
        return None
    if user.sees_everything:
        return ""
    if (user.role in REVIEWER_ROLES or user.role == Role.ADMIN) and user.org_unit is not None:
        return user.org_unit.path
    return None


def scope_queryset(
    queryset: QuerySet[M],
    user: AnyUser,
    *,
    hospital_field: str | None = "hospital",
    unit_field: str | None = None,
) -> QuerySet[M]:
    """Limit ``queryset`` to the rows ``user`` may see.

    ``hospital_field`` is the lookup path from the model to its Hospital ("" when the model is Hospital);
    ``unit_field`` the path to an OrgUnit for rows owned by a banner or league (banner-level indicators,
    centralised lectures). A row is visible when either owner is inside the user's scope. Anonymous or
    misconfigured users see nothing.
    """
    if not isinstance(user, User) or not user.is_active:
        return queryset.none()
    path = user_scope_path(user)
    if path == "":
        return queryset
    condition = Q(pk__in=[])
    if user.role == Role.HOSPITAL_REPORTER:
        if user.hospital_id is None:
            return queryset.none()
        if hospital_field is not None:
            key = f"{hospital_field}_id" if hospital_field else "id"
            condition = Q(**{key: user.hospital_id})
        return queryset.filter(condition)
    if path is None:
        return queryset.none()
    # The units in scope as a subquery (OrgUnit is small; its path index serves the prefix), matched by
    # the row's own foreign keys (core.db's any_of), so that an index on hospital_id / org_unit_id
    # serves the filter instead of a path LIKE over two joins.
    units = OrgUnit.objects.filter(path__startswith=path).order_by().values("pk")
    if hospital_field == "":
        condition |= Q(banner_id__any_of=units)
    elif hospital_field is not None:
        hospitals = Hospital.objects.filter(banner_id__any_of=units).order_by().values("pk")
        condition |= Q(**{f"{hospital_field}_id__any_of": hospitals})
    if unit_field is not None:
        condition |= Q(**{f"{unit_field}_id__any_of": units})
    return queryset.filter(condition)


def hospitals_visible_to(user: AnyUser) -> QuerySet[Hospital]:
    return scope_queryset(Hospital.objects.select_related("banner"), user, hospital_field="")


def org_units_visible_to(user: AnyUser) -> QuerySet[OrgUnit]:
    """Units inside the user's scope. A hospital reporter sees its own banner (for banner-level context)."""
    qs = OrgUnit.objects.all()
    if not isinstance(user, User) or not user.is_active:
        return qs.none()
    path = user_scope_path(user)
    if path == "":
        return qs
    if path is None:
        if user.role == Role.HOSPITAL_REPORTER and user.hospital is not None:
            return qs.filter(pk=user.hospital.banner_id)
        return qs.none()
    return qs.filter(path__startswith=path)


def user_can_see_hospital(user: AnyUser, hospital_id: int) -> bool:
    return hospitals_visible_to(user).filter(pk=hospital_id).exists()


def require_hospital_in_scope(user: AnyUser, hospital: Hospital | int) -> None:
    """Refuse a write that names a hospital outside the user's scope (a forged id in a body, say).

    Raises PermissionDenied, which the API turns into 403 with its Chinese message and which pages and
    the admin show as an error; services call this before they write anything.
    """
    from django.core.exceptions import PermissionDenied

    if isinstance(user, User) and user.is_read_only:
        raise PermissionDenied(READ_ONLY)
    hospital_id = hospital if isinstance(hospital, int) else hospital.pk
    if not user_can_see_hospital(user, hospital_id):
        raise PermissionDenied("您无权操作该医院的数据。")


def require_unit_in_scope(user: AnyUser, unit: OrgUnit | int) -> None:
    """The same guard for rows owned by a banner or league (banner-level indicators, 集中宣讲)."""
    from django.core.exceptions import PermissionDenied

    unit_id = unit if isinstance(unit, int) else unit.pk
    if isinstance(user, User) and user.is_read_only:
        raise PermissionDenied(READ_ONLY)
    if not isinstance(user, User) or user.role == Role.HOSPITAL_REPORTER:
        raise PermissionDenied("您无权操作该单位的数据。")
    if not org_units_visible_to(user).filter(pk=unit_id).exists():
        raise PermissionDenied("您无权操作该单位的数据。")


def reporters_of(hospital_ids: list[int]) -> QuerySet[User]:
    return User.objects.filter(role=Role.HOSPITAL_REPORTER, hospital_id__in=hospital_ids, is_active=True)


def ancestor_paths(path: str) -> list[str]:
    """ "/a/b/c/" → ["/a/", "/a/b/", "/a/b/c/"]: the units above and including a unit."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def people_history(hospital: Hospital, limit: int = 100) -> list[ChangeRecord]:
    """The changes to a hospital's people, posts and departments (deleted ones included), newest first.
    A creation or deletion row carries the hospital's id (``hospitals.people._owned``); the other rows
    are found by the ids of the hospital's current rows."""
    from django.contrib.contenttypes.models import ContentType

    from hospitals.models import Department, Person, Post

    types = ContentType.objects.get_for_models(Person, Post, Department)
    rows = ChangeRecord.objects.filter(content_type__in=types.values())
    owned = rows.filter(Q(changes__hospital__0=hospital.pk) | Q(changes__hospital__1=hospital.pk))
    match = Q(pk__in=owned.values("pk"))
    for model, qs in (
        (Person, Person.objects.filter(hospital=hospital)),
        (Post, Post.objects.filter(hospital=hospital)),
        (Department, Department.objects.filter(hospital=hospital)),
    ):
        ids = [str(pk) for pk in qs.values_list("pk", flat=True)]
        match |= Q(content_type=types[model], object_id__in=ids)
    return list(rows.filter(match).select_related("actor", "content_type").order_by("-at", "-id")[:limit])


def load_county_community(hospitals: Iterable[Hospital]) -> None:
    """Judge ``Hospital.in_county_community`` for hospitals already loaded (a list's rows, the hospitals
    of many reports), in one query for all of them; each instance keeps its answer."""
    unknown = [h for h in hospitals if "county_community" not in h.__dict__]
    if not unknown:
        return
    ids = {h.pk for h in unknown}
    # Every hospital named by a 医共体 that names one of them is in a 医共体: its lead and members.
    named = (
        MedicalAlliance.objects.filter(kind=MedicalAlliance.Kind.COUNTY_COMMUNITY)
        .filter(Q(lead_hospital_id__in=ids) | Q(members__in=ids))
        .values_list("lead_hospital_id", "members")
    )
    inside = {pk for pair in named for pk in pair if pk in ids}
    for hospital in unknown:
        hospital.__dict__["county_community"] = hospital.pk in inside


def with_county_community(hospitals: QuerySet[Hospital]) -> QuerySet[Hospital]:
    """``hospitals`` with ``county_community`` (leads or belongs to a 医共体) computed in the same query,
    read by ``Hospital.in_county_community`` (the applicability of O4.2-b's 下转患者)."""
    return hospitals.annotate(
        county_community=Exists(
            MedicalAlliance.objects.filter(
                Q(lead_hospital=OuterRef("pk")) | Q(members=OuterRef("pk")),
                kind=MedicalAlliance.Kind.COUNTY_COMMUNITY,
            )
        )
    )
