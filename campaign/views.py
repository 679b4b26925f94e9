"""Pages of 讲 (lectures and their materials) and 见 (the action plan and its monthly progress).

Each page finds its hospital, lecture or item through the scoped selectors (another hospital's is 404)
and writes through ``campaign.services``; a refusal is shown on the form that asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from campaign import services
from campaign.compliance import milestone_compliance
from campaign.forms import (
    ActionItemForm,
    DeleteForm,
    LectureForm,
    MaterialForm,
    ProgressEditForm,
    ProgressForm,
    RoadmapForm,
)
from campaign.models import (
    ActionItem,
    Campaign,
    LectureMaterial,
    LectureSession,
    ProgressEntry,
    RoadmapMilestone,
)
from campaign.selectors import (
    action_item_history,
    action_item_list,
    action_plan,
    campaign_current,
    lecture_history,
    lecture_list,
    lectures_deleted,
    material_list,
    progress_list,
    roadmap_list,
)
from core import clock, monthlock
from core.pages import call_service, error_text, paginate
from hospitals.models import ChangeRecord, Hospital, OrgUnit, Person, Post, Role, User
from hospitals.pages import page_user
from hospitals.selectors import AnyUser
from hospitals.views import hospital_for_page

WEB = ChangeRecord.Channel.WEB
# The lecture list shows the latest deletions under it (the full history is in the admin).
DELETED_SHOWN = 20


def delete_on_page(
    request: HttpRequest,
    service: Callable[..., object],
    /,
    *,
    done: str,
    refused: str = "未删除",
    **target: Any,
) -> bool:
    """A page's deletion (or removal): ``service(**target)`` with the page's actor and channel and the
    posted DeleteForm's optional reason, its outcome told in a message. True when it went through."""
    form = DeleteForm(request.POST)
    form.is_valid()  # the reason is optional free text: the form cannot be invalid but for length
    try:
        service(actor=page_user(request), channel=WEB, reason=form.cleaned_data.get("reason", ""), **target)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, f"{refused}：{error_text(error)}")
        return False
    messages.success(request, done)
    return True


def campaign_for_page(
    user: AnyUser, hospital: Hospital | None = None, *, unit: OrgUnit | None = None
) -> Campaign:
    """The current campaign of a page for ``user`` (of the league of ``hospital`` or ``unit`` on their
    pages), or 404 when none is set up; never another league's."""
    campaign = campaign_current(user, hospital=hospital, unit=unit)
    if campaign is None:
        raise Http404("尚未设置活动。")
    return campaign


def _is_reporter(request: HttpRequest) -> bool:
    """Who is shown the hospital's edit and delete buttons; the services decide whether the write is
    allowed."""
    user = request.user
    return isinstance(user, User) and user.role == Role.HOSPITAL_REPORTER


def may_edit_lecture(user: object, lecture: LectureSession) -> bool:
    """Who is shown a lecture's edit and delete buttons: its organiser's user (the hospital's reporter,
    the banner's reviewer for its 集中宣讲). The services decide whether the write is allowed."""
    if not isinstance(user, User):
        return False
    if lecture.hospital_id is not None:
        return user.role == Role.HOSPITAL_REPORTER
    return user.role == Role.BANNER_REVIEWER


@login_required
def lecture_index(request: HttpRequest, hospital_id: int) -> HttpResponse:
    hospital = hospital_for_page(request.user, hospital_id)
    # Only what the list shows (kind, speaker, how many materials): every joined table adds to the
    # query's planning time, and each prefetch to Python's (README "Benchmark").
    lectures = (
        lecture_list(user=request.user)
        .filter(hospital=hospital)
        .select_related(None)
        .select_related("kind", "speaker")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("materials", queryset=LectureMaterial.objects.only("id", "lecture_id")),
            Prefetch("supervising_officials", queryset=Person.objects.only("id", "name")),
        )
    )
    page = paginate(request, lectures)
    return render(
        request,
        "campaign/lectures.html",
        {
            "hospital": hospital,
            "lectures": page.object_list,
            "page": page,
            "deleted": lectures_deleted(hospital=hospital)[:DELETED_SHOWN],
            "may_edit": _is_reporter(request),
        },
    )


@login_required
def lecture_new(request: HttpRequest, hospital_id: int) -> HttpResponse:
    hospital = hospital_for_page(request.user, hospital_id)
    campaign = campaign_for_page(request.user, hospital)
    form = LectureForm(request.POST or None, campaign=campaign, hospital=hospital)
    if request.method == "POST" and form.is_valid():
        lecture = call_service(
            form, services.lecture_create, actor=request.user, channel=WEB, data=form.lecture_data()
        )
        if lecture is not None:
            messages.success(request, f"已登记宣讲：{lecture.title}。可在下方上传课件、照片等材料。")
            return redirect("campaign:lecture", lecture_id=lecture.pk)
    return render(request, "campaign/lecture_form.html", {"hospital": hospital, "form": form})


def _hospital_lecture(request: HttpRequest, lecture_id: int) -> LectureSession:
    """A lecture of a hospital in the user's scope, or 404 (a banner's 集中宣讲 has its own pages)."""
    return get_object_or_404(lecture_list(user=request.user).filter(hospital__isnull=False), pk=lecture_id)


@login_required
def lecture_edit(request: HttpRequest, lecture_id: int) -> HttpResponse:
    lecture = _hospital_lecture(request, lecture_id)
    hospital = lecture.hospital
    assert hospital is not None
    form = LectureForm(
        request.POST or None,
        campaign=lecture.campaign,
        hospital=hospital,
        initial=LectureForm.initial_for(lecture),
    )
    if request.method == "POST" and form.is_valid():
        data = form.lecture_data()
        updated = call_service(
            form, services.lecture_update, actor=request.user, channel=WEB, lecture=lecture, data=data
        )
        if updated is not None:
            messages.success(request, f"已保存宣讲：{updated.title}。")
            return redirect("campaign:lecture", lecture_id=lecture.pk)
    return render(
        request,
        "campaign/lecture_form.html",
        {"hospital": hospital, "form": form, "lecture": lecture},
    )


@login_required
@require_POST
def lecture_delete(request: HttpRequest, lecture_id: int) -> HttpResponse:
    """Delete a lecture (and its materials); the service refuses in a frozen month, and says why."""
    lecture = _hospital_lecture(request, lecture_id)
    title, hospital_id = lecture.title, lecture.hospital_id
    if not delete_on_page(request, services.lecture_delete, lecture=lecture, done=f"已删除宣讲：{title}。"):
        return redirect("campaign:lecture", lecture_id=lecture.pk)
    return redirect("campaign:lectures", hospital_id=hospital_id)


@login_required
@require_POST
def material_delete(request: HttpRequest, material_id: int) -> HttpResponse:
    material = get_object_or_404(material_list(user=request.user), pk=material_id)
    name, lecture_id = material.original_name, material.lecture_id
    delete_on_page(request, services.material_delete, material=material, done=f"已删除材料：{name}。")
    return redirect("campaign:lecture", lecture_id=lecture_id)


@login_required
def lecture_detail(request: HttpRequest, lecture_id: int) -> HttpResponse:
    lecture = get_object_or_404(lecture_list(user=request.user), pk=lecture_id)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        material = call_service(
            form,
            services.material_upload,
            actor=request.user,
            channel=WEB,
            lecture=lecture,
            kind=form.cleaned_data["kind"],
            file=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
        )
        if material is not None:
            messages.success(request, f"已上传材料：{material.original_name}。")
            return redirect("campaign:lecture", lecture_id=lecture.pk)
    return render(
        request,
        "campaign/lecture_detail.html",
        {
            "lecture": lecture,
            "hospital": lecture.hospital,
            "form": form,
            "delete_form": DeleteForm(),
            "may_edit": may_edit_lecture(request.user, lecture),
            "history": lecture_history(lecture),
        },
    )


@login_required
def action_plan_page(request: HttpRequest, hospital_id: int) -> HttpResponse:
    hospital = hospital_for_page(request.user, hospital_id)
    campaign = campaign_for_page(request.user, hospital)
    form = ActionItemForm(request.POST or None, campaign=campaign, hospital=hospital)
    if request.method == "POST" and form.is_valid():
        item = call_service(
            form, services.action_item_create, actor=request.user, channel=WEB, data=form.item_data()
        )
        if item is not None:
            messages.success(request, f"已添加行动项：{item.title}。")
            return redirect("campaign:action_item", item_id=item.pk)
    today = clock.today()
    rows = [
        (row, [(item, item.status_on(today)) for item in row.items])
        for row in action_plan(campaign=campaign, hospital=hospital)
    ]
    return render(
        request,
        "campaign/action_plan.html",
        {"hospital": hospital, "rows": rows, "form": form},
    )


@login_required
def action_item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(action_item_list(user=request.user), pk=item_id)
    progress_form = ProgressForm(prefix="progress")
    roadmap_form = RoadmapForm(prefix="roadmap")
    if request.method == "POST" and "progress-status" in request.POST:
        progress_form = ProgressForm(request.POST, request.FILES, prefix="progress")
        if progress_form.is_valid():
            data = progress_form.cleaned_data
            entry = call_service(
                progress_form,
                services.progress_record,
                actor=request.user,
                channel=WEB,
                action_item=item,
                month=data["month"],
                status=data["status"],
                note=data["note"],
                evidence=data["evidence"],
            )
            if entry is not None:
                messages.success(request, f"已记录{entry.month:%Y年%m月}进展。")
                return redirect("campaign:action_item", item_id=item.pk)
    elif request.method == "POST":
        roadmap_form = RoadmapForm(request.POST, prefix="roadmap")
        if roadmap_form.is_valid():
            step = call_service(
                roadmap_form,
                services.roadmap_milestone_create,
                actor=request.user,
                channel=WEB,
                action_item=item,
                **roadmap_form.cleaned_data,
            )
            if step is not None:
                messages.success(request, f"已添加路线图节点：{step.title}。")
                return redirect("campaign:action_item", item_id=item.pk)
    today = clock.today()
    status = item.status_on(today)
    may_edit = _is_reporter(request)
    return render(
        request,
        "campaign/action_item.html",
        {
            "item": item,
            "hospital": item.hospital,
            "status": status,
            "progress_form": progress_form,
            "roadmap_form": roadmap_form,
            "progress_rows": [(e, _month_frozen(request, item, e.month)) for e in item.progress.all()],
            "may_edit": may_edit,
            "delete_form": DeleteForm(),
            "history": action_item_history(item),
        },
    )


def _month_frozen(request: HttpRequest, item: ActionItem, month: dt.date) -> str:
    """Why the month's progress may not change now ("" when it may): the month lock's own rule, asked
    ahead so that the page shows a frozen month as frozen instead of refusing after a click."""
    try:
        monthlock.require_month_editable(item.hospital, month, actor=request.user)
    except ValidationError as error:
        if hasattr(error, "error_dict"):  # a reviewer's correction, allowed with a reason
            return ""
        return error_text(error)
    return ""


def _hospital_item(request: HttpRequest, item_id: int) -> ActionItem:
    return get_object_or_404(action_item_list(user=request.user), pk=item_id)


@login_required
def action_item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _hospital_item(request, item_id)
    form = ActionItemForm(
        request.POST or None,
        campaign=item.campaign,
        hospital=item.hospital,
        new=False,
        initial=ActionItemForm.initial_for(item),
    )
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            services.action_item_update,
            actor=request.user,
            channel=WEB,
            item=item,
            data=form.item_data(),
        )
        if updated is not None:
            messages.success(request, f"已保存行动项：{updated.title}。")
            return redirect("campaign:action_item", item_id=item.pk)
    return render(
        request, "campaign/action_item_form.html", {"item": item, "hospital": item.hospital, "form": form}
    )


@login_required
@require_POST
def action_item_delete(request: HttpRequest, item_id: int) -> HttpResponse:
    """Delete an item with its roadmap and progress; the service refuses while a month of its progress
    is frozen, and says which."""
    item = _hospital_item(request, item_id)
    title, hospital_id = item.title, item.hospital_id
    if not delete_on_page(request, services.action_item_delete, item=item, done=f"已删除行动项：{title}。"):
        return redirect("campaign:action_item", item_id=item.pk)
    return redirect("campaign:action_plan", hospital_id=hospital_id)


def _roadmap_step(request: HttpRequest, step_id: int) -> RoadmapMilestone:
    return get_object_or_404(roadmap_list(user=request.user).select_related("action_item"), pk=step_id)


@login_required
def roadmap_edit(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _roadmap_step(request, step_id)
    item = step.action_item
    form = RoadmapForm(
        request.POST or None, initial={"title": step.title, "due_on": step.due_on, "done_on": step.done_on}
    )
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            services.roadmap_milestone_update,
            actor=request.user,
            channel=WEB,
            step=step,
            **form.cleaned_data,
        )
        if updated is not None:
            messages.success(request, f"已保存路线图节点：{updated.title}。")
            return redirect("campaign:action_item", item_id=item.pk)
    return render(
        request,
        "campaign/roadmap_form.html",
        {"step": step, "item": item, "hospital": item.hospital, "form": form},
    )


@login_required
@require_POST
def roadmap_delete(request: HttpRequest, step_id: int) -> HttpResponse:
    step = _roadmap_step(request, step_id)
    item_id, title = step.action_item_id, step.title
    delete_on_page(request, services.roadmap_milestone_delete, step=step, done=f"已删除路线图节点：{title}。")
    return redirect("campaign:action_item", item_id=item_id)


def _progress_entry(request: HttpRequest, entry_id: int) -> ProgressEntry:
    return get_object_or_404(progress_list(user=request.user).select_related("action_item"), pk=entry_id)


@login_required
def progress_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _progress_entry(request, entry_id)
    item = entry.action_item
    form = ProgressEditForm(
        request.POST or None, request.FILES or None, initial={"status": entry.status, "note": entry.note}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        updated = call_service(
            form,
            services.progress_update,
            actor=request.user,
            channel=WEB,
            entry=entry,
            status=data["status"],
            note=data["note"],
            evidence=data["evidence"],
            reason=data["reason"],
        )
        if updated is not None:
            messages.success(request, f"已保存{updated.month:%Y年%m月}进展。")
            return redirect("campaign:action_item", item_id=item.pk)
    return render(
        request,
        "campaign/progress_form.html",
        {
            "entry": entry,
            "item": item,
            "hospital": item.hospital,
            "form": form,
            "frozen": _month_frozen(request, item, entry.month),
        },
    )


@login_required
@require_POST
def progress_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _progress_entry(request, entry_id)
    item_id, month = entry.action_item_id, entry.month
    delete_on_page(request, services.progress_delete, entry=entry, done=f"已删除{month:%Y年%m月}进展。")
    return redirect("campaign:action_item", item_id=item_id)


@login_required
@require_POST
def material_recommend(request: HttpRequest, material_id: int) -> HttpResponse:
    """The league marks a material for publicity (§四(三)); the service refuses anyone else."""
    material = get_object_or_404(material_list(user=request.user), pk=material_id)
    recommended = request.POST.get("recommended") == "1"
    try:
        services.material_set_recommended(
            actor=page_user(request), channel=WEB, material=material, recommended=recommended
        )
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        done = "已推荐宣传" if recommended else "已取消推荐"
        messages.success(request, f"{done}：{material.title or material.original_name}。")
    # Back to the page that asked (the lecture, or the league's publicity list with its filters).
    # Only a path of this site: `redirect` would take any other word for a URL name and fail (issue 13).
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=False
    ):
        return HttpResponseRedirect(back)
    return redirect("campaign:lecture", lecture_id=material.lecture_id)


@login_required
def material_download(request: HttpRequest, material_id: int) -> FileResponse:
    """Materials are stored where no URL serves them; this is their scoped way out."""
    material = get_object_or_404(material_list(user=request.user), pk=material_id)
    return FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=material.original_name,
        content_type=material.content_type,
    )


@login_required
def hospital_detail(request: HttpRequest, hospital_id: int) -> HttpResponse:
    """One hospital's overview: its leaders, and the campaign's milestones with their status."""
    hospital = hospital_for_page(request.user, hospital_id)
    campaign = campaign_for_page(request.user, hospital)
    today = clock.today()
    leaders = [(label, hospital.leader_on(role, today)) for role, label in Post.Role.choices[:2]]
    milestones = milestone_compliance(campaign=campaign, hospitals=[hospital], on=today)[hospital.pk]
    return render(
        request,
        "campaign/hospital.html",
        {"hospital": hospital, "campaign": campaign, "leaders": leaders, "milestones": milestones},
    )
