"""A banner's (and the league's) own pages: the launch record, and the banner's 集中宣讲 (lectures its
commission organised) with their materials.

The banner reviewer records, edits and deletes its commission's 集中宣讲 here through the same services
as the API (``campaign.services.lecture_*``); the lecture's page (``campaign:lecture``) holds its
materials. Each reviewer keeps its own unit's launch record (``launch_record_*``). Reviewers of the
league read the banners' pages; a hospital's user is refused (403), another banner's page or lecture is
404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from campaign import services
from campaign.compliance import unit_launch_compliance
from campaign.forms import LaunchRecordForm, LectureForm
from campaign.models import LaunchRecord, LectureSession, Milestone
from campaign.selectors import launch_record_list, lecture_list
from campaign.views import campaign_for_page, delete_on_page
from core import clock
from core.pages import call_service, paginate
from hospitals.audit import history_of
from hospitals.models import ChangeRecord, OrgUnit, Role, User
from hospitals.pages import page_user, role_required
from hospitals.selectors import AnyUser, org_units_visible_to

WEB = ChangeRecord.Channel.WEB
REVIEWERS = (Role.BANNER_REVIEWER, Role.LEAGUE_REVIEWER)


def banner_for_page(user: AnyUser, unit_id: int) -> OrgUnit:
    """A banner in the user's scope, or 404."""
    return get_object_or_404(org_units_visible_to(user).filter(kind=OrgUnit.Kind.BANNER), pk=unit_id)


def _banner_lecture(request: HttpRequest, lecture_id: int) -> LectureSession:
    """A 集中宣讲 of a banner in the user's scope, or 404 (a hospital's lecture has its own pages)."""
    return get_object_or_404(lecture_list(user=request.user).filter(org_unit__isnull=False), pk=lecture_id)


@login_required
@role_required(*REVIEWERS)
def banner_lectures(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The banner's 集中宣讲 in the viewer's scope; another organisation's banner is 404."""
    unit = banner_for_page(request.user, unit_id)
    page = paginate(
        request, lecture_list(user=request.user).filter(org_unit=unit).order_by("-held_on", "-id")
    )
    may_edit = isinstance(request.user, User) and request.user.role == Role.BANNER_REVIEWER
    return render(
        request,
        "campaign/banner_lectures.html",
        {"unit": unit, "lectures": page.object_list, "page": page, "may_edit": may_edit},
    )


@login_required
@role_required(Role.BANNER_REVIEWER)
def banner_lecture_new(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = banner_for_page(request.user, unit_id)
    form = LectureForm(request.POST or None, campaign=campaign_for_page(request.user, unit=unit), unit=unit)
    if request.method == "POST" and form.is_valid():
        lecture = call_service(
            form, services.lecture_create, actor=request.user, channel=WEB, data=form.lecture_data()
        )
        if lecture is not None:
            messages.success(request, f"已登记集中宣讲：{lecture.title}。可在下方上传课件、照片等材料。")
            return redirect("campaign:lecture", lecture_id=lecture.pk)
    return render(request, "campaign/banner_lecture_form.html", {"unit": unit, "form": form})


@login_required
@role_required(Role.BANNER_REVIEWER)
def banner_lecture_edit(request: HttpRequest, lecture_id: int) -> HttpResponse:
    lecture = _banner_lecture(request, lecture_id)
    unit = lecture.org_unit
    assert unit is not None
    form = LectureForm(
        request.POST or None,
        campaign=lecture.campaign,
        unit=unit,
        initial=LectureForm.initial_for(lecture),
    )
    if request.method == "POST" and form.is_valid():
        data = form.lecture_data()
        updated = call_service(
            form, services.lecture_update, actor=request.user, channel=WEB, lecture=lecture, data=data
        )
        if updated is not None:
            messages.success(request, f"已保存集中宣讲：{updated.title}。")
            return redirect("campaign:lecture", lecture_id=lecture.pk)
    return render(
        request, "campaign/banner_lecture_form.html", {"unit": unit, "form": form, "lecture": lecture}
    )


@login_required
@role_required(Role.BANNER_REVIEWER)
@require_POST
def banner_lecture_delete(request: HttpRequest, lecture_id: int) -> HttpResponse:
    """Delete a 集中宣讲 and its materials; the history keeps what it was."""
    lecture = _banner_lecture(request, lecture_id)
    title, unit_id = lecture.title, lecture.org_unit_id
    done = f"已删除集中宣讲：{title}。"
    if not delete_on_page(request, services.lecture_delete, lecture=lecture, done=done):
        return redirect("campaign:lecture", lecture_id=lecture.pk)
    return redirect("campaign:banner_lectures", unit_id=unit_id)


def _launch_initial(record: LaunchRecord | None) -> dict[str, object]:
    if record is None:
        return {}
    return {"launched_on": record.launched_on, "meeting": record.meeting, "minutes": record.minutes}


def _launch_save(
    request: HttpRequest, form: LaunchRecordForm, unit: OrgUnit, record: LaunchRecord | None
) -> LaunchRecord | None:
    data = form.cleaned_data
    values = {
        "launched_on": data["launched_on"],
        "meeting": data["meeting"],
        "minutes": data["minutes"],
        "attachment": data["attachment"],
    }
    if record is None:
        return call_service(
            form,
            services.launch_record_create,
            actor=request.user,
            channel=WEB,
            campaign=campaign_for_page(request.user, unit=unit),
            org_unit=unit,
            **values,
        )
    return call_service(
        form, services.launch_record_update, actor=request.user, channel=WEB, record=record, **values
    )


@login_required
@role_required(*REVIEWERS)
def unit_launch(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A banner's or the league's launch record (milestone 06-25): shown, recorded, corrected."""
    unit = get_object_or_404(
        org_units_visible_to(request.user).filter(kind__in=[OrgUnit.Kind.BANNER, OrgUnit.Kind.LEAGUE]),
        pk=unit_id,
    )
    campaign = campaign_for_page(request.user, unit=unit)
    record = launch_record_list(user=request.user).filter(campaign=campaign, org_unit=unit).first()
    posted = request.method == "POST"
    form = LaunchRecordForm(
        request.POST if posted else None, request.FILES if posted else None, initial=_launch_initial(record)
    )
    if posted and form.is_valid():
        saved = _launch_save(request, form, unit, record)
        if saved is not None:
            messages.success(request, f"已保存启动记录：{saved.meeting}（{saved.launched_on:%Y-%m-%d}）。")
            return redirect("campaign:unit_launch", unit_id=unit.pk)
    user = page_user(request)
    # 06-25 "全盟、各旗(区)、各医院": this unit's own standing, and on the league's page every banner's.
    units = [unit]
    if unit.kind == OrgUnit.Kind.LEAGUE:
        units += list(
            org_units_visible_to(request.user)
            .filter(kind=OrgUnit.Kind.BANNER, path__startswith=unit.path)
            .order_by("path")
        )
    statuses = unit_launch_compliance(campaign=campaign, units=units, on=clock.today())
    return render(
        request,
        "campaign/unit_launch.html",
        {
            "unit": unit,
            "campaign": campaign,
            "record": record,
            "form": form,
            # Each reviewer keeps its own unit's record; the league reads the banners'.
            "may_edit": user.org_unit_id == unit.pk,
            "milestone": campaign.milestones.filter(rule=Milestone.Rule.LAUNCH).first(),
            "status": statuses.get(unit.pk),
            "banner_statuses": [(b, statuses[b.pk]) for b in units[1:] if b.pk in statuses],
            "history": list(history_of(record).order_by("-at", "-id")) if record is not None else [],
        },
    )


@login_required
def launch_record_download(request: HttpRequest, record_id: int) -> FileResponse:
    """A launch record's minutes or photo, in the user's scope (stored where no URL serves them)."""
    record = get_object_or_404(launch_record_list(user=request.user).exclude(attachment=""), pk=record_id)
    name = (record.attachment.name or "").rsplit("/", 1)[-1]
    return FileResponse(record.attachment.open("rb"), as_attachment=True, filename=name)
