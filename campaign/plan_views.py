"""A hospital's launch record (启动会/动员部署, milestone 06-25) and its lecture plan with the courseware of
each key document (确定宣讲题目、制作课件, milestone 06-30).

Each page finds its hospital through the scoped selectors (another hospital's is 404) and writes through
``campaign.services`` (``launch_record_*``, ``lecture_plan_*``), as the API does; a refusal is shown on
the form that asked. The forms are shown to the hospital's reporter; the reviewers read the pages.
"""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from campaign import services
from campaign.forms import LaunchRecordForm, LecturePlanForm, LecturePlanItemForm
from campaign.models import KeyDocument
from campaign.selectors import launch_record_list, lecture_plan_item_list, lecture_plan_list
from campaign.views import WEB, _is_reporter, campaign_for_page
from core.pages import call_service
from hospitals.audit import history_of
from hospitals.views import hospital_for_page


def _file(field: FieldFile, name: str) -> FileResponse:
    """A stored file under a readable name with its stored extension (the storage name is random)."""
    if not field:
        raise Http404("尚未上传文件。")
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=name + PurePath(field.name or "").suffix
    )


@login_required
def launch_page(request: HttpRequest, hospital_id: int) -> HttpResponse:
    hospital = hospital_for_page(request.user, hospital_id)
    campaign = campaign_for_page(request.user, hospital)
    record = launch_record_list(user=request.user).filter(campaign=campaign, hospital=hospital).first()
    initial = (
        {"launched_on": record.launched_on, "meeting": record.meeting, "minutes": record.minutes}
        if record is not None
        else {}
    )
    form = LaunchRecordForm(request.POST or None, request.FILES or None, initial=initial)
    form.fields["meeting"].help_text = "如：讲医改、见行动、出成效活动动员部署会"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "launched_on": data["launched_on"],
            "meeting": data["meeting"],
            "minutes": data["minutes"],
            "attachment": data["attachment"],
        }
        if record is None:
            saved = call_service(
                form,
                services.launch_record_create,
                actor=request.user,
                channel=WEB,
                campaign=campaign,
                hospital=hospital,
                **values,
            )
        else:
            saved = call_service(
                form, services.launch_record_update, actor=request.user, channel=WEB, record=record, **values
            )
        if saved is not None:
            messages.success(request, f"已保存启动记录：{saved.meeting}（{saved.launched_on:%Y-%m-%d}）。")
            return redirect("campaign:launch", hospital_id=hospital.pk)
    return render(
        request,
        "campaign/launch.html",
        {
            "hospital": hospital,
            "campaign": campaign,
            "milestone": campaign.milestones.filter(rule="launch").first(),
            "record": record,
            "form": form,
            "may_edit": _is_reporter(request),
            "history": history_of(record).order_by("-at", "-id") if record is not None else [],
        },
    )


@login_required
def lecture_plan_page(request: HttpRequest, hospital_id: int) -> HttpResponse:
    hospital = hospital_for_page(request.user, hospital_id)
    campaign = campaign_for_page(request.user, hospital)
    plan = lecture_plan_list(user=request.user).filter(campaign=campaign, hospital=hospital).first()
    initial = {"fixed_on": plan.fixed_on, "note": plan.note} if plan is not None else {}
    form = LecturePlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if plan is None:
            saved = call_service(
                form,
                services.lecture_plan_create,
                actor=request.user,
                channel=WEB,
                campaign=campaign,
                hospital=hospital,
                fixed_on=data["fixed_on"],
                note=data["note"],
            )
        else:
            saved = call_service(
                form,
                services.lecture_plan_update,
                actor=request.user,
                channel=WEB,
                plan=plan,
                fixed_on=data["fixed_on"],
                note=data["note"],
            )
        if saved is not None:
            messages.success(request, f"已保存宣讲计划（定稿日期 {saved.fixed_on:%Y-%m-%d}）。")
            return redirect("campaign:lecture_plan", hospital_id=hospital.pk)
    items = {item.document_id: item for item in plan.items.all()} if plan is not None else {}
    documents = KeyDocument.objects.filter(campaign=campaign).order_by("number")
    return render(
        request,
        "campaign/lecture_plan.html",
        {
            "hospital": hospital,
            "campaign": campaign,
            "milestone": campaign.milestones.filter(rule="lecture_plan").first(),
            "plan": plan,
            "form": form,
            "rows": [(document, items.get(document.pk)) for document in documents],
            "may_edit": _is_reporter(request),
            "history": history_of(plan).order_by("-at", "-id") if plan is not None else [],
        },
    )


@login_required
def lecture_plan_item_page(request: HttpRequest, hospital_id: int, document_id: int) -> HttpResponse:
    """The title and courseware of one key document in the hospital's plan (the plan comes first)."""
    hospital = hospital_for_page(request.user, hospital_id)
    campaign = campaign_for_page(request.user, hospital)
    document = get_object_or_404(KeyDocument.objects.filter(campaign=campaign), pk=document_id)
    plan = lecture_plan_list(user=request.user).filter(campaign=campaign, hospital=hospital).first()
    if plan is None:
        messages.error(request, "请先填写宣讲计划的定稿日期，再确定各文件的宣讲题目和课件。")
        return redirect("campaign:lecture_plan", hospital_id=hospital.pk)
    item = plan.items.filter(document=document).first()
    form = LecturePlanItemForm(
        request.POST or None, request.FILES or None, initial={"title": item.title} if item else {}
    )
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            services.lecture_plan_item_set,
            actor=request.user,
            channel=WEB,
            plan=plan,
            document=document,
            title=form.cleaned_data["title"],
            courseware=form.cleaned_data["courseware"],
        )
        if saved is not None:
            messages.success(request, f"已保存文件{document.number}的宣讲题目：{saved.title}。")
            return redirect("campaign:lecture_plan", hospital_id=hospital.pk)
    return render(
        request,
        "campaign/lecture_plan_item.html",
        {"hospital": hospital, "plan": plan, "document": document, "item": item, "form": form},
    )


@login_required
def courseware_download(request: HttpRequest, plan_item_id: int) -> FileResponse:
    item = get_object_or_404(lecture_plan_item_list(user=request.user), pk=plan_item_id)
    return _file(item.courseware, f"课件-{item.plan.hospital.code}-文件{item.document.number}")
