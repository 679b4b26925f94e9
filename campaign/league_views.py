"""The league's own pages of 讲: the 全区巡讲 lecturers it selects (§三(二)) and the materials it
recommends for publicity (推荐宣传, §四(三)).

Both write through ``campaign.services`` (``tour_lecturer_select`` / ``tour_lecturer_remove``,
``material_set_recommended``), as the API and the admin do; the dates and who may be selected are the
services' rules, shown on the form when they refuse. Only league reviewers (and admins) open them;
another league's lecturer or material is 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from campaign import services
from campaign.forms import DeleteForm, TourLecturerForm
from campaign.models import LectureMaterial, MaterialKind
from campaign.selectors import material_list, tour_lecturer_list, tour_lectures_by_speaker
from campaign.views import campaign_for_page, delete_on_page
from core import clock
from core.forms import PlainSelect
from core.pages import call_service
from hospitals.models import ChangeRecord, OrgUnit, Post, Role
from hospitals.pages import role_required
from hospitals.selectors import org_units_visible_to

WEB = ChangeRecord.Channel.WEB
# The publicity page lists this many of the newest materials that match its filters.
MATERIALS_SHOWN = 200


@login_required
@role_required(Role.LEAGUE_REVIEWER)
def tour_lecturers(request: HttpRequest) -> HttpResponse:
    """The campaign's selected 全区巡讲 lecturers, each with the tours given; select another."""
    campaign = campaign_for_page(request.user)
    form = TourLecturerForm(request.POST or None, campaign=campaign, initial={"selected_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        selection = call_service(
            form,
            services.tour_lecturer_select,
            actor=request.user,
            channel=WEB,
            campaign=campaign,
            person=data["person"],
            selected_on=data["selected_on"],
            note=data["note"],
        )
        if selection is not None:
            messages.success(request, f"已选拔全区巡讲讲师：{selection.person.name}。")
            return redirect("campaign:tour_lecturers")
    selections = list(tour_lecturer_list(user=request.user).filter(campaign=campaign))
    tours = tour_lectures_by_speaker(campaign=campaign, person_ids=[s.person_id for s in selections])
    posts = _leader_posts([s.person_id for s in selections])
    return render(
        request,
        "campaign/tour_lecturers.html",
        {
            "campaign": campaign,
            "rows": [(s, posts.get(s.person_id, ""), tours[s.person_id]) for s in selections],
            "due": services.tour_selection_due(campaign),
            "form": form,
            "delete_form": DeleteForm(),
        },
    )


def _leader_posts(person_ids: list[int]) -> dict[int, str]:
    """Each person's current 书记/院长 posts in words (one query)."""
    today = clock.today()
    held: dict[int, list[str]] = {}
    for post in Post.objects.filter(person_id__in=person_ids, role__in=Post.HOSPITAL_ROLES).order_by("role"):
        if post.held_on(today):
            held.setdefault(post.person_id, []).append(post.get_role_display())
    return {pk: "、".join(roles) for pk, roles in held.items()}


@login_required
@role_required(Role.LEAGUE_REVIEWER)
@require_POST
def tour_lecturer_remove(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = get_object_or_404(tour_lecturer_list(user=request.user), pk=selection_id)
    name = selection.person.name
    delete_on_page(
        request,
        services.tour_lecturer_remove,
        selection=selection,
        done=f"已移除全区巡讲讲师：{name}。",
        refused="未移除",
    )
    return redirect("campaign:tour_lecturers")


class PublicityFilterForm(forms.Form):
    """What the publicity page lists; every choice is optional."""

    RECOMMENDED = [("", "全部"), ("1", "已推荐"), ("0", "未推荐")]

    recommended = forms.ChoiceField(label="推荐宣传", choices=RECOMMENDED, required=False)
    kind = forms.ChoiceField(label="材料类型", choices=[("", "全部"), *MaterialKind.choices], required=False)
    banner = forms.ModelChoiceField(
        OrgUnit.objects.none(), label="旗(区)", required=False, empty_label="全部", widget=PlainSelect
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["banner"]
        field.queryset = org_units_visible_to(user).filter(kind=OrgUnit.Kind.BANNER).order_by("code")

    def filter(self, materials: QuerySet[LectureMaterial]) -> QuerySet[LectureMaterial]:
        """The materials the filters choose; none for a malformed filter (its error is shown), never a
        silently wider list."""
        if not self.is_bound:
            return materials
        if not self.is_valid():
            return materials.none()
        data = self.cleaned_data
        if data["recommended"]:
            materials = materials.filter(recommended_for_publicity=data["recommended"] == "1")
        if data["kind"]:
            materials = materials.filter(kind=data["kind"])
        if data["banner"] is not None:
            path = data["banner"].path
            in_banner = Q(lecture__hospital__banner__path__startswith=path)
            materials = materials.filter(in_banner | Q(lecture__org_unit__path__startswith=path))
        return materials


@login_required
@role_required(Role.LEAGUE_REVIEWER)
def publicity(request: HttpRequest) -> HttpResponse:
    """Every lecture material of the league, newest first, to mark for publicity (推荐宣传)."""
    campaign = campaign_for_page(request.user)
    filters = PublicityFilterForm(request.GET or None, user=request.user)
    materials = material_list(user=request.user).filter(lecture__campaign=campaign)
    shown = filters.filter(materials).select_related("lecture__hospital__banner", "lecture__speaker")
    return render(
        request,
        "campaign/publicity.html",
        {
            "filters": filters,
            "materials": shown[:MATERIALS_SHOWN],
            "count": shown.count(),
            "recommended": materials.filter(recommended_for_publicity=True).count(),
            "limit": MATERIALS_SHOWN,
            "back": request.get_full_path(),
        },
    )
