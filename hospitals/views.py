"""Pages of hospitals: the list in the viewer's scope (one hospital's overview is campaign's page).

Every hospital is fetched through ``hospitals_visible_to``: another hospital's page is 404, not 403,
because for this user it does not exist (SPEC §1).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core import clock
from core.pages import call_service, paginate
from hospitals import people
from hospitals.forms import DepartmentForm, PersonForm, PostEndForm, PostForm
from hospitals.models import ChangeRecord, Department, Hospital, OrgUnit, Person, Post, Role
from hospitals.pages import page_user, role_required
from hospitals.people import user_manages_people
from hospitals.selectors import (
    AnyUser,
    hospitals_visible_to,
    org_units_visible_to,
    people_history,
    scope_queryset,
)


def hospital_for_page(user: AnyUser, hospital_id: int) -> Hospital:
    """The hospital of a page URL, or 404 when it is outside the user's scope."""
    return get_object_or_404(hospitals_visible_to(user), pk=hospital_id)


@login_required
def my_hospital(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    if user.hospital_id is None:
        return redirect("hospitals:list")
    return redirect("campaign:hospital", hospital_id=user.hospital_id)


@login_required
def hospital_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, hospitals_visible_to(request.user).order_by("banner__code", "code"))
    return render(request, "hospitals/list.html", {"hospitals": page.object_list, "page": page})


@login_required
@role_required(Role.BANNER_REVIEWER, Role.LEAGUE_REVIEWER)
def banner_list(request: HttpRequest) -> HttpResponse:
    """The banners in the viewer's scope, each with its hospitals and the links to the banner's own
    pages (集中宣讲, 启动记录, 旗(区)指标): how a league reviewer reaches what each banner recorded."""
    banners = (
        org_units_visible_to(request.user)
        .filter(kind=OrgUnit.Kind.BANNER)
        .annotate(hospital_count=Count("hospitals"))
        .order_by("path")
    )
    page = paginate(request, banners)
    return render(request, "hospitals/banners.html", {"banners": page.object_list, "page": page})


# --- a hospital's people, posts and departments (issue 16) ----------------------------------------

WEB = ChangeRecord.Channel.WEB
TARGET_LABELS = {"person": "人员", "post": "职务", "department": "科室"}


def _history_lines(records: list[ChangeRecord]) -> list[dict[str, Any]]:
    """History rows as a person reads them: when, who, what, and each field's old → new."""
    lines = []
    for record in records:
        model = record.content_type.model_class()
        changes = []
        for name, (old, new) in sorted(record.changes.items()):
            if name in ("hospital", "org_unit"):
                continue
            try:
                field = model._meta.get_field(name) if model is not None else None
            except FieldDoesNotExist:
                field = None
            label = str(getattr(field, "verbose_name", name))
            choices = dict(getattr(field, "choices", None) or [])
            changes.append((label, choices.get(old, old) or "—", choices.get(new, new) or "—"))
        actor = record.actor
        lines.append(
            {
                "at": record.at,
                "who": (actor.get_full_name() or actor.username) if actor is not None else "系统",
                "action": record.action_label,
                "what": TARGET_LABELS.get(record.content_type.model, ""),
                "channel": record.get_channel_display(),
                "reason": record.reason,
                "changes": changes,
            }
        )
    return lines


def _people_context(request: HttpRequest, hospital: Hospital, **forms_: Any) -> dict[str, Any]:
    today = clock.today()
    posts = list(
        Post.objects.filter(hospital=hospital).select_related("person").order_by("role", "-start_on", "-id")
    )
    manages = user_manages_people(request.user, hospital=hospital)
    end_forms = forms_.pop("end_forms", {})
    return {
        "hospital": hospital,
        "today": today,
        "manages": manages,
        "posts": [
            (post, post.held_on(today), end_forms.get(post.pk) or PostEndForm(prefix=f"end{post.pk}"))
            for post in posts
        ],
        "people": list(Person.objects.filter(hospital=hospital).order_by("code")),
        "departments": list(
            Department.objects.filter(hospital=hospital).select_related("head").order_by("name")
        ),
        "history": _history_lines(people_history(hospital)),
        "person_form": forms_.get("person_form") or PersonForm(prefix="person"),
        "post_form": forms_.get("post_form") or PostForm(prefix="post", hospital=hospital),
        "department_form": forms_.get("department_form") or DepartmentForm(prefix="dept", hospital=hospital),
    }


def _post_people_form(request: HttpRequest, hospital: Hospital, which: str) -> tuple[bool, dict[str, Any]]:
    """Handle the one form posted (``which``); (saved, the bound forms to show again on a refusal)."""
    actor = request.user
    if which == "person":
        form = PersonForm(request.POST, prefix="person")
        if form.is_valid():
            person = call_service(
                form,
                people.person_create,
                actor=actor,
                channel=WEB,
                hospital=hospital,
                data=form.person_data(),
            )
            if person is not None:
                messages.success(request, f"已新增人员：{person.name}（{person.code}）。")
                return True, {}
        return False, {"person_form": form}
    if which == "post":
        post_form = PostForm(request.POST, prefix="post", hospital=hospital)
        if post_form.is_valid():
            data = post_form.cleaned_data
            post = call_service(
                post_form,
                people.post_create,
                actor=actor,
                channel=WEB,
                person=data["person"],
                role=data["role"],
                hospital=hospital,
                start_on=data["start_on"],
                end_on=data["end_on"],
            )
            if post is not None:
                messages.success(
                    request, f"已登记：{post.person}自{post.start_on:%Y-%m-%d}任{post.get_role_display()}。"
                )
                return True, {}
        return False, {"post_form": post_form}
    if which.startswith("end") and which[3:].isdigit():
        current = get_object_or_404(
            Post.objects.select_related("person"), pk=int(which[3:]), hospital=hospital
        )
        end_form = PostEndForm(request.POST, prefix=which)
        if end_form.is_valid():
            ended = call_service(
                end_form,
                people.post_update,
                actor=actor,
                channel=WEB,
                post=current,
                start_on=current.start_on,
                end_on=end_form.cleaned_data["end_on"],
                reason=end_form.cleaned_data["reason"],
            )
            if ended is not None:
                messages.success(
                    request,
                    f"已登记：{ended.person}的{ended.get_role_display()}职务于{ended.end_on:%Y-%m-%d}结束。",
                )
                return True, {}
        return False, {"end_forms": {current.pk: end_form}}
    if which == "dept":
        dept_form = DepartmentForm(request.POST, prefix="dept", hospital=hospital)
        if dept_form.is_valid():
            department = call_service(
                dept_form,
                people.department_create,
                actor=actor,
                channel=WEB,
                hospital=hospital,
                name=dept_form.cleaned_data["name"],
                head=dept_form.cleaned_data["head"],
            )
            if department is not None:
                messages.success(request, f"已新增科室：{department.name}。")
                return True, {}
        return False, {"department_form": dept_form}
    raise Http404("未知的表单。")


@login_required
def people_page(request: HttpRequest, hospital_id: int) -> HttpResponse:
    """人员与科室: the hospital's posts (书记, 院长 with dates), people (with e-mail and phone) and
    departments (with heads), and their history. The hospital's reporter (and a league admin) keeps them;
    reviewers read. A change of president is two forms: end the old post on a date, then the new holder
    from the next day."""
    hospital = hospital_for_page(request.user, hospital_id)
    bound: dict[str, Any] = {}
    if request.method == "POST":
        if not user_manages_people(request.user, hospital=hospital):
            raise PermissionDenied("审核员只能查看人员、职务和科室，由医院填报员或盟管理员维护。")
        saved, bound = _post_people_form(request, hospital, request.POST.get("form", ""))
        if saved:
            return redirect("hospitals:people", hospital_id=hospital.pk)
    return render(request, "hospitals/people.html", _people_context(request, hospital, **bound))


@login_required
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    """Change a person's name, title, e-mail or phone (or delete someone entered by mistake)."""
    visible = scope_queryset(Person.objects.select_related("hospital"), request.user).filter(
        hospital__isnull=False
    )
    person = get_object_or_404(visible, pk=person_id)
    hospital = person.hospital
    assert hospital is not None
    if not user_manages_people(request.user, hospital=hospital):
        raise PermissionDenied("审核员只能查看人员、职务和科室，由医院填报员或盟管理员维护。")
    form = PersonForm(request.POST or None, initial=PersonForm.initial_for(person))
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            people.person_update,
            actor=request.user,
            channel=WEB,
            person=person,
            data=form.person_data(),
        )
        if saved is not None:
            messages.success(request, f"已保存人员：{saved.name}。")
            return redirect("hospitals:people", hospital_id=hospital.pk)
    return render(
        request, "hospitals/person_form.html", {"hospital": hospital, "person": person, "form": form}
    )


@login_required
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    """Rename a department or change its head."""
    department = get_object_or_404(
        scope_queryset(Department.objects.select_related("hospital", "head"), request.user), pk=department_id
    )
    hospital = department.hospital
    if not user_manages_people(request.user, hospital=hospital):
        raise PermissionDenied("审核员只能查看人员、职务和科室，由医院填报员或盟管理员维护。")
    form = DepartmentForm(
        request.POST or None, hospital=hospital, initial={"name": department.name, "head": department.head}
    )
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            people.department_update,
            actor=request.user,
            channel=WEB,
            department=department,
            name=form.cleaned_data["name"],
            head=form.cleaned_data["head"],
        )
        if saved is not None:
            messages.success(request, f"已保存科室：{saved.name}。")
            return redirect("hospitals:people", hospital_id=hospital.pk)
    return render(
        request,
        "hospitals/department_form.html",
        {"hospital": hospital, "department": department, "form": form},
    )
