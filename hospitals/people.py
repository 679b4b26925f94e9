"""Keeping a hospital's people current (SPEC §11, issue 16): people with e-mail and phone, their posts
(书记, 院长, commission posts) with dates, and departments with their heads.

Every write goes through one of the ``person_*``, ``post_*`` and ``department_*`` services here, reached
from the admin, the API and the hospital's people page alike, and writes its history. Posts are read
by the rules on the date that matters (a lecture is checked against the posts its speaker held on the
lecture date, ``campaign.services._speaker_roles``), so ending a post on a date and starting the next
one is all a change of president needs.

Who manages (``people_manager_check``):
- a system admin (an admin-role account without an organisation, or a superuser of another role):
  every hospital and commission;
- a league admin (an admin-role account whose organisation is a league): the hospitals and commissions
  of its league, and its league's accounts (``account_manager_check``);
- a hospital reporter: its own hospital's people, posts and departments;
- banner and league reviewers manage none; they read.

Other apps add rules a post change must keep (the lectures already recorded by a leader must stay
inside that leader's posts) through ``POST_CHANGE_CHECKS``, registered from their ``AppConfig.ready``,
because this app sits below them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import ProtectedError, Q

from core.refusals import Refusals
from hospitals.audit import diff, record_change, snapshot
from hospitals.models import Department, Hospital, OrgUnit, Person, Post, Role, User
from hospitals.selectors import AnyUser

Channel = str  # one of hospitals.models.ChangeRecord.Channel

PERSON_FIELDS = ("code", "name", "title", "email", "phone")
POST_FIELDS = ("person", "role", "start_on", "end_on")
DEPARTMENT_FIELDS = ("name", "head")

# Digits with the usual separators (0483-8221234, +86 139 0000 0000, 0483-8221234转8001).
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 \-()转]{5,28}[0-9]$")
# Roles of which a hospital or commission has one holder at a time; 分管领导 may be several.
SINGLE_HOLDER_ROLES = (Post.Role.SECRETARY, Post.Role.PRESIDENT, Post.Role.COMMISSION_HEAD)
COMMISSION_ROLES = (Post.Role.COMMISSION_HEAD, Post.Role.COMMISSION_DEPUTY)


# --- who manages -------------------------------------------------------------------------------------


def league_bound(user: User) -> OrgUnit | None:
    """The organisation that bounds an admin-role account's management (a league admin's league), None
    for a system admin of everything. An admin-role account is staff and superuser (``account_new``),
    so its organisation, not the superuser flag, says which it is."""
    return user.org_unit if user.role == Role.ADMIN else None


def _unit_inside(unit: OrgUnit, bound: OrgUnit) -> bool:
    return unit.path.startswith(bound.path)


def _owner_path_inside(bound: OrgUnit, hospital: Hospital | None, org_unit: OrgUnit | None) -> bool:
    if hospital is not None:
        return _unit_inside(hospital.banner, bound)
    return org_unit is not None and _unit_inside(org_unit, bound)


def user_manages_people(
    user: AnyUser, *, hospital: Hospital | None = None, org_unit: OrgUnit | None = None
) -> bool:
    """Whether ``user`` may change the people, posts and departments of ``hospital`` (or of the commission
    ``org_unit``). Pages use it to show their forms; the services refuse through ``people_manager_check``."""
    if not isinstance(user, User) or not user.is_active:
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        bound = league_bound(user)
        return bound is None or _owner_path_inside(bound, hospital, org_unit)
    if user.role == Role.HOSPITAL_REPORTER:
        return hospital is not None and user.hospital_id == hospital.pk
    return False


def people_manager_check(
    actor: AnyUser, *, hospital: Hospital | None = None, org_unit: OrgUnit | None = None
) -> None:
    """Refuse (403 in the API) a change of people by anyone who does not manage that organisation."""
    if not user_manages_people(actor, hospital=hospital, org_unit=org_unit):
        if isinstance(actor, User) and actor.is_reviewer:
            raise PermissionDenied("审核员只能查看人员、职务和科室，由医院填报员或盟管理员维护。")
        raise PermissionDenied("您无权维护该单位的人员、职务和科室。")


def user_manages_accounts(
    user: AnyUser, *, hospital: Hospital | None = None, org_unit: OrgUnit | None = None
) -> bool:
    """Accounts are an admin's work: a system admin manages every account, a league admin those of its
    league's hospitals and units; reviewers and reporters none."""
    if not isinstance(user, User) or not user.is_active:
        return False
    if not (user.is_superuser or user.role == Role.ADMIN):
        return False
    bound = league_bound(user)
    if bound is None:
        return True
    if hospital is None and org_unit is None:
        return False
    return _owner_path_inside(bound, hospital, org_unit)


def account_manager_check(
    actor: AnyUser, *, hospital: Hospital | None = None, org_unit: OrgUnit | None = None
) -> None:
    if not user_manages_accounts(actor, hospital=hospital, org_unit=org_unit):
        raise PermissionDenied("只有系统管理员或本盟管理员可以管理该账号。")


def _actor(actor: AnyUser) -> User | None:
    return actor if isinstance(actor, User) else None


def _owned(values: dict[str, Any], hospital: Hospital | None, org_unit: OrgUnit | None) -> dict[str, Any]:
    """A creation's or deletion's values with the owner's id, so that the hospital's people history
    (``people_history``) still finds a deleted row."""
    owner = {"hospital": hospital.pk} if hospital is not None else {"org_unit": getattr(org_unit, "pk", None)}
    return {**values, **owner}


# --- people ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonData:
    name: str
    title: str = ""
    email: str = ""
    phone: str = ""


def _check_person(refusals: Refusals, data: PersonData) -> None:
    if not data.name.strip():
        refusals.add("name", "姓名不能为空。", "name_required")
    elif len(data.name.strip()) > Person._meta.get_field("name").max_length:  # type: ignore[operator]
        refusals.add("name", "姓名过长（最多50个字）。", "name_too_long")
    if data.email:
        try:
            validate_email(data.email)
        except ValidationError:
            refusals.add(
                "email", f"电子邮箱“{data.email}”格式不正确，例如 wangjianguo@example.org。", "email_invalid"
            )
    if data.phone and not PHONE_PATTERN.match(data.phone):
        refusals.add(
            "phone", f"联系电话“{data.phone}”格式不正确，例如 0483-8221234 或 13900000000。", "phone_invalid"
        )
    if len(data.title) > 100:
        refusals.add("title", "职务说明过长（最多100个字）。", "title_too_long")


def _next_person_code(hospital: Hospital | None, org_unit: OrgUnit | None) -> str:
    """``H001-P07``: the owner's code and the next free number (seeds use the same form)."""
    prefix = f"{hospital.code if hospital is not None else getattr(org_unit, 'code', 'X')}-P"
    numbers = [
        int(code[len(prefix) :])
        for code in Person.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        if code[len(prefix) :].isdigit()
    ]
    number = max(numbers, default=0) + 1
    return f"{prefix}{number:02d}"


def _clean(data: PersonData) -> PersonData:
    return PersonData(
        name=data.name.strip(),
        title=data.title.strip(),
        email=data.email.strip().lower(),
        phone=data.phone.strip(),
    )


def person_check(
    *,
    actor: AnyUser,
    data: PersonData,
    hospital: Hospital | None = None,
    org_unit: OrgUnit | None = None,
    code: str = "",
    person: Person | None = None,
) -> None:
    """Every rule of a new person (``person`` None) or of a change to ``person``, writing nothing."""
    if person is not None:
        hospital, org_unit = person.hospital, person.org_unit
    elif (hospital is None) == (org_unit is None):
        raise ValidationError("人员须属于一家医院或一个卫生健康委（二者选一）。", code="owner_required")
    people_manager_check(actor, hospital=hospital, org_unit=org_unit)
    refusals = Refusals()
    _check_person(refusals, _clean(data))
    code = code.strip()
    if person is None and code and Person.objects.filter(code=code).exists():
        refusals.add("code", f"人员编码“{code}”已被使用。", "code_taken")
    refusals.raise_if_any()


@transaction.atomic
def person_create(
    *,
    actor: AnyUser,
    channel: Channel,
    data: PersonData,
    hospital: Hospital | None = None,
    org_unit: OrgUnit | None = None,
    code: str = "",
) -> Person:
    """A new person of ``hospital`` (or of the commission ``org_unit``); the code is generated when none
    is given."""
    person_check(actor=actor, data=data, hospital=hospital, org_unit=org_unit, code=code)
    data = _clean(data)
    code = code.strip() or _next_person_code(hospital, org_unit)
    person = Person.objects.create(
        code=code, hospital=hospital, org_unit=org_unit, **{f: getattr(data, f) for f in PERSON_FIELDS[1:]}
    )
    record_change(
        person,
        action="create",
        actor=_actor(actor),
        channel=channel,
        changes=diff({}, _owned(snapshot(person, PERSON_FIELDS), hospital, org_unit)),
    )
    return person


@transaction.atomic
def person_update(
    *, actor: AnyUser, channel: Channel, person: Person, data: PersonData, reason: str = ""
) -> Person:
    """Change a person's name, title, e-mail or phone. A person stays with their hospital: someone who
    moves to another hospital is a new person there (their posts and lectures stay where they were)."""
    person_check(actor=actor, data=data, person=person)
    data = _clean(data)
    old = snapshot(person, PERSON_FIELDS)
    changed = [f for f in PERSON_FIELDS[1:] if getattr(person, f) != getattr(data, f)]
    for name in changed:
        setattr(person, name, getattr(data, name))
    if changed:
        person.save(update_fields=changed)
        record_change(
            person,
            action="update",
            actor=_actor(actor),
            channel=channel,
            changes=diff(old, snapshot(person, PERSON_FIELDS)),
            reason=reason,
        )
    return person


@transaction.atomic
def person_delete(*, actor: AnyUser, channel: Channel, person: Person, reason: str = "") -> None:
    """Delete a person entered by mistake; someone with posts, lectures, action items or a department
    is kept (end their post instead), so that what was recorded stays true."""
    people_manager_check(actor, hospital=person.hospital, org_unit=person.org_unit)
    if person.posts.exists():
        raise ValidationError(
            f"{person}有任职记录，不能删除；如已离任，请填写离任日期。", code="person_has_posts"
        )
    if Department.objects.filter(head=person).exists():
        raise ValidationError(f"{person}是科室主任，请先更换科室主任。", code="person_heads_department")
    record_change(
        person,
        action="delete",
        actor=_actor(actor),
        channel=channel,
        changes=diff(_owned(snapshot(person, PERSON_FIELDS), person.hospital, person.org_unit), {}),
        reason=reason,
    )
    try:
        with transaction.atomic():
            person.delete()
    except ProtectedError as error:
        raise ValidationError(
            f"{person}已有宣讲或行动项记录，不能删除。", code="person_referenced"
        ) from error


# --- posts -------------------------------------------------------------------------------------------

# A rule of another app that a post's new period must keep: f(post, start_on, end_on) raises
# ValidationError. ``end_on`` None is open-ended; a deletion is checked as an empty period (None, None).
PostChangeCheck = Callable[[Post, dt.date | None, dt.date | None], None]
POST_CHANGE_CHECKS: list[PostChangeCheck] = []


def _post_owner_label(post: Post) -> str:
    return str(post.hospital or post.org_unit)


def _check_post(refusals: Refusals, post: Post) -> None:
    """The post's own rules: its organisation matches its role and its person, its dates are ordered,
    and no other holder of a single-holder role overlaps it."""
    person = post.person
    if post.role in Post.HOSPITAL_ROLES:
        if post.hospital is None or post.org_unit_id is not None:
            refusals.add("hospital", "书记、院长的职务须属于医院。", "post_owner_mismatch")
            return
        if person.hospital_id != post.hospital.pk:
            refusals.add(
                "person", f"{person}不是{post.hospital}的人员，不能担任该院职务。", "person_other_hospital"
            )
    elif post.role in COMMISSION_ROLES:
        if post.org_unit is None or post.hospital_id is not None:
            refusals.add("org_unit", "卫生健康委的职务须属于旗(区)或盟。", "post_owner_mismatch")
            return
        if person.org_unit_id != post.org_unit.pk:
            refusals.add(
                "person",
                f"{person}不是{post.org_unit}卫生健康委的人员，不能担任该职务。",
                "person_other_unit",
            )
    else:
        refusals.add("role", f"未知的职务“{post.role}”。", "role_unknown")
        return
    if post.end_on is not None and post.end_on < post.start_on:
        refusals.add("end_on", "离任日期不能早于任职日期。", "dates_out_of_order")
        return
    if post.role in SINGLE_HOLDER_ROLES:
        others = Post.objects.filter(role=post.role, hospital=post.hospital, org_unit=post.org_unit).exclude(
            pk=post.pk
        )
        others = others.filter(Q(end_on__isnull=True) | Q(end_on__gte=post.start_on))
        if post.end_on is not None:
            others = others.filter(start_on__lte=post.end_on)
        clash = others.select_related("person").order_by("start_on").first()
        if clash is not None:
            until = f"{clash.end_on:%Y-%m-%d}" if clash.end_on else "今"
            refusals.add(
                "start_on",
                f"{_post_owner_label(post)}的{post.get_role_display()}同一时间只能有一人："
                f"{clash.person}自{clash.start_on:%Y-%m-%d}至{until}任该职务，与所填期间重叠；"
                f"请先填写其离任日期。",
                "post_overlaps",
            )


def _run_post_change_checks(
    refusals: Refusals, post: Post, start_on: dt.date | None, end_on: dt.date | None
) -> None:
    for check in POST_CHANGE_CHECKS:
        with refusals.collect("end_on"):
            check(post, start_on, end_on)


def post_check(*, actor: AnyUser, post: Post, current: Post | None = None) -> None:
    """Every rule of the unsaved ``post`` (a new one, or ``current`` with new dates), writing nothing."""
    people_manager_check(actor, hospital=post.hospital, org_unit=post.org_unit)
    refusals = Refusals()
    _check_post(refusals, post)
    if current is not None and not refusals:
        _run_post_change_checks(refusals, current, post.start_on, post.end_on)
    refusals.raise_if_any()


def _default_owner(person: Person, role: str) -> tuple[Hospital | None, OrgUnit | None]:
    """A hospital's leader post is at the person's hospital, a commission post at their unit."""
    return (None, person.org_unit) if role in COMMISSION_ROLES else (person.hospital, None)


@transaction.atomic
def post_create(
    *,
    actor: AnyUser,
    channel: Channel,
    person: Person,
    role: str,
    start_on: dt.date,
    end_on: dt.date | None = None,
    hospital: Hospital | None = None,
    org_unit: OrgUnit | None = None,
) -> Post:
    """``person`` holds ``role`` from ``start_on`` (to ``end_on``). The organisation is the person's own
    when none is named."""
    if hospital is None and org_unit is None:
        hospital, org_unit = _default_owner(person, role)
    post = Post(
        person=person, role=role, hospital=hospital, org_unit=org_unit, start_on=start_on, end_on=end_on
    )
    post_check(actor=actor, post=post)
    post.save()
    record_change(
        post,
        action="create",
        actor=_actor(actor),
        channel=channel,
        changes=diff({}, _owned(snapshot(post, POST_FIELDS), hospital, org_unit)),
    )
    return post


def post_with_dates(post: Post, start_on: dt.date, end_on: dt.date | None) -> Post:
    """An unsaved copy of ``post`` with other dates, for ``post_check``."""
    return Post(
        pk=post.pk,
        person=post.person,
        role=post.role,
        hospital=post.hospital,
        org_unit=post.org_unit,
        start_on=start_on,
        end_on=end_on,
    )


@transaction.atomic
def post_update(
    *,
    actor: AnyUser,
    channel: Channel,
    post: Post,
    start_on: dt.date,
    end_on: dt.date | None,
    reason: str = "",
) -> Post:
    """Change a post's dates: most often its end, when the holder leaves. Who holds it and which post it
    is stay (a new holder is a new post). The rules read posts on their dates, so the change takes
    effect for every lecture, milestone and reminder from the new dates on."""
    post_check(actor=actor, post=post_with_dates(post, start_on, end_on), current=post)
    old = snapshot(post, POST_FIELDS)
    if (post.start_on, post.end_on) != (start_on, end_on):
        post.start_on, post.end_on = start_on, end_on
        post.save(update_fields=["start_on", "end_on"])
        record_change(
            post,
            action="update",
            actor=_actor(actor),
            channel=channel,
            changes=diff(old, snapshot(post, POST_FIELDS)),
            reason=reason,
        )
    return post


@transaction.atomic
def post_delete(*, actor: AnyUser, channel: Channel, post: Post, reason: str = "") -> None:
    """Delete a post entered by mistake (a post that ended is ended, not deleted)."""
    people_manager_check(actor, hospital=post.hospital, org_unit=post.org_unit)
    refusals = Refusals()
    _run_post_change_checks(refusals, post, None, None)
    refusals.raise_if_any()
    record_change(
        post,
        action="delete",
        actor=_actor(actor),
        channel=channel,
        changes=diff(_owned(snapshot(post, POST_FIELDS), post.hospital, post.org_unit), {}),
        reason=reason,
    )
    post.delete()


# --- departments -------------------------------------------------------------------------------------


def _check_department(
    refusals: Refusals, hospital: Hospital, name: str, head: Person | None, pk: int | None
) -> None:
    if not name:
        refusals.add("name", "科室名称不能为空。", "name_required")
    elif len(name) > 50:
        refusals.add("name", "科室名称过长（最多50个字）。", "name_too_long")
    elif Department.objects.filter(hospital=hospital, name=name).exclude(pk=pk or 0).exists():
        refusals.add("name", f"{hospital}已有名为“{name}”的科室。", "department_name_taken")
    if head is not None and head.hospital_id != hospital.pk:
        refusals.add("head", f"科室主任须为{hospital}的人员，{head}不是。", "person_other_hospital")


def department_check(
    *,
    actor: AnyUser,
    hospital: Hospital,
    name: str,
    head: Person | None,
    department: Department | None = None,
) -> None:
    people_manager_check(actor, hospital=department.hospital if department is not None else hospital)
    refusals = Refusals()
    _check_department(
        refusals, hospital, name.strip(), head, department.pk if department is not None else None
    )
    refusals.raise_if_any()


@transaction.atomic
def department_create(
    *, actor: AnyUser, channel: Channel, hospital: Hospital, name: str, head: Person | None = None
) -> Department:
    department_check(actor=actor, hospital=hospital, name=name, head=head)
    name = name.strip()
    department = Department.objects.create(hospital=hospital, name=name, head=head)
    record_change(
        department,
        action="create",
        actor=_actor(actor),
        channel=channel,
        changes=diff({}, _owned(snapshot(department, DEPARTMENT_FIELDS), hospital, None)),
    )
    return department


@transaction.atomic
def department_update(
    *,
    actor: AnyUser,
    channel: Channel,
    department: Department,
    name: str,
    head: Person | None,
    reason: str = "",
) -> Department:
    """Rename a department or change its head. A 科室宣讲 is checked against the head at the time it is
    recorded; the history keeps who headed it before."""
    department_check(actor=actor, hospital=department.hospital, name=name, head=head, department=department)
    name = name.strip()
    old = snapshot(department, DEPARTMENT_FIELDS)
    if (department.name, department.head_id) != (name, getattr(head, "pk", None)):
        department.name, department.head = name, head
        department.save(update_fields=["name", "head"])
        record_change(
            department,
            action="update",
            actor=_actor(actor),
            channel=channel,
            changes=diff(old, snapshot(department, DEPARTMENT_FIELDS)),
            reason=reason,
        )
    return department


@transaction.atomic
def department_delete(*, actor: AnyUser, channel: Channel, department: Department, reason: str = "") -> None:
    people_manager_check(actor, hospital=department.hospital)
    record_change(
        department,
        action="delete",
        actor=_actor(actor),
        channel=channel,
        changes=diff(_owned(snapshot(department, DEPARTMENT_FIELDS), department.hospital, None), {}),
        reason=reason,
    )
    try:
        with transaction.atomic():
            department.delete()
    except ProtectedError as error:
        raise ValidationError(
            f"科室“{department.name}”已有科室宣讲记录，不能删除。", code="department_referenced"
        ) from error
