"""The December evaluation's routes (reporting/evaluation/api.py): the hospitals' and the banners' rows,
build, publish, the official document, and the 绩效考核 workbook (template, upload, confirm).

A draft is the league's: the resources here are published evaluations (seen as any per-hospital or
per-banner row is), and the custom checks show that a draft is not seen by hospitals and banners until
a league reviewer publishes it."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from hospitals.models import Hospital
from reporting.evaluation.assessment import assessment_template_build
from reporting.evaluation.models import AssessmentImport, BannerEvaluation, Evaluation
from tests.api.harness import Owner, Resource, Row, World, viewset_rows
from tests.conftest import streamed
from tests.factories import BannerFactory, HospitalFactory

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _evaluation(owner: Owner, *, published: bool = True) -> Evaluation:
    assert owner.hospital is not None
    evaluation, _ = Evaluation.objects.get_or_create(
        campaign=owner.campaign,
        hospital=owner.hospital,
        defaults={
            "lecture_score": 80,
            "action_score": 70,
            "outcome_score": 60,
            "total_score": 71,
            "rank": 1,
            "built_at": timezone.now(),
            "published_at": timezone.now() if published else None,
        },
    )
    return evaluation


def _another_evaluation(owner: Owner) -> Evaluation:
    """For the query-count test: one more hospital of the owner's banner, evaluated."""
    hospital = HospitalFactory.create(banner=owner.unit)
    return _evaluation(Owner(unit=owner.unit, campaign=owner.campaign, hospital=hospital))


EVALUATION = Resource(Evaluation, _evaluation, build_more=_another_evaluation)


def _banner_evaluation(owner: Owner) -> BannerEvaluation:
    row, _ = BannerEvaluation.objects.get_or_create(
        campaign=owner.campaign,
        banner=owner.unit,
        defaults={
            "hospitals_score": 70,
            "work_score": 60,
            "total_score": 67,
            "rank": 1,
            "built_at": timezone.now(),
            "published_at": timezone.now(),
        },
    )
    return row


def _another_banner_evaluation(owner: Owner) -> BannerEvaluation:
    """For the query-count test: one more banner of the owner's league, evaluated."""
    banner = BannerFactory.create(parent=owner.unit.parent)
    return _banner_evaluation(Owner(unit=banner, campaign=owner.campaign))


def _banner_row_visible(world: World, role: str, owner: Owner) -> bool:
    """The league's reviewers (and the admin) read their league's banners; a banner reviewer reads the
    published ranking of its league, the region reviewer every league's; a hospital its own banner's row."""
    if role in ("league", "league2", "admin"):
        return world.in_org(role, owner)
    if role in ("banner", "region"):
        return world.in_league(role, owner)
    return role == "reporter" and owner.unit == world.alxa.h004.banner


BANNER_EVALUATION = Resource(
    BannerEvaluation,
    _banner_evaluation,
    owned_by="unit",
    visible=_banner_row_visible,
    build_more=_another_banner_evaluation,
)


def _assessment_import(owner: Owner) -> AssessmentImport:
    return AssessmentImport.objects.create(
        campaign=owner.campaign, status=AssessmentImport.Status.PENDING, file_sha256="0" * 64
    )


def _league_only(world: World, role: str, owner: Owner) -> bool:
    """The 绩效考核 uploads: the league's reviewers of the campaign's league, and the admin."""
    return role == "admin" or (role in ("league", "league2") and world.in_league(role, owner))


ASSESSMENT_IMPORT = Resource(AssessmentImport, _assessment_import, owned_by="public", visible=_league_only)
LEAGUES = {"league": 200, "league2": 200, "admin": 200}


def _check_evaluation_build(world: World) -> None:
    url = reverse("evaluation-build")
    body = {"campaign": world.alxa.campaign.pk}
    assert world.client("anonymous").post(url, body, format="json").status_code == 401
    for role in ("reporter", "banner"):
        assert world.client(role).post(url, body, format="json").status_code == 403
    refused = world.client("league2").post(url, body, format="json")
    assert refused.status_code == 400, refused.content
    assert "campaign" in refused.json()["errors"]
    assert not Evaluation.objects.exists()
    response = world.client("league").post(url, body, format="json")
    assert response.status_code == 201
    alxa_hospitals = Hospital.objects.filter(banner__path__startswith=world.alxa.league.path).count()
    assert len(response.json()) == alxa_hospitals
    assert {r["published_at"] for r in response.json()} == {None}
    # The banners are scored with the hospitals: the league reads the draft, the banner does not yet.
    banners = world.client("league").get(reverse("evaluation-banner-list")).json()["results"]
    assert {r["banner_name"] for r in banners} >= {"阿拉善左旗", "阿拉善右旗"}
    assert world.client("banner").get(reverse("evaluation-banner-list")).json()["results"] == []


def _draft_rows(world: World) -> list[Evaluation]:
    a = world.alxa
    return [
        _evaluation(Owner(unit=h.banner, campaign=a.campaign, hospital=h), published=False)
        for h in (a.h004, a.h001, a.h006)
    ]


def _check_publish(world: World) -> None:
    url = reverse("evaluation-publish")
    drafts = _draft_rows(world)
    body = {"campaign": world.alxa.campaign.pk}
    mine = reverse("evaluation-detail", args=[drafts[0].pk])
    # A draft: the hospital and the banner neither list nor read it.
    for role in ("reporter", "banner"):
        assert world.client(role).get(reverse("evaluation-list")).json()["results"] == []
        assert world.client(role).get(mine).status_code == 404
    assert world.client("anonymous").post(url, body, format="json").status_code == 401
    for role in ("reporter", "banner"):
        assert world.client(role).post(url, body, format="json").status_code == 403
    refused = world.client("league2").post(url, body, format="json")
    assert refused.status_code == 400
    assert "campaign" in refused.json()["errors"]
    assert not Evaluation.objects.filter(published_at__isnull=False).exists()
    response = world.client("league").post(url, body, format="json")
    assert response.status_code == 200, response.content
    assert len(response.json()) == 3
    assert all(r["published_at"] for r in response.json())
    assert response.json()[0]["published_by"] == world.alxa.league_reviewer.pk
    # Published: the hospital reads its own row (and only it), the banner its banner's.
    listed = world.client("reporter").get(reverse("evaluation-list")).json()["results"]
    assert [r["hospital"] for r in listed] == [world.alxa.h004.pk]
    banner = {r["hospital"] for r in world.client("banner").get(reverse("evaluation-list")).json()["results"]}
    assert banner == {world.alxa.h004.pk, world.alxa.h001.pk}
    again = world.client("league").post(url, body, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "illegal_transition"
    # Published is the league's record: a rebuild is refused.
    rebuild = world.client("league").post(reverse("evaluation-build"), body, format="json")
    assert rebuild.status_code == 400
    assert rebuild.json()["code"] == "published"


def _check_document(name: str, content_type: str) -> Callable[[World], None]:
    def check(world: World) -> None:
        url = reverse(name)
        params = {"campaign": world.alxa.campaign.pk}
        assert world.client("anonymous").get(url, params).status_code == 401
        # No evaluation yet: nothing to download.
        assert world.client("league").get(url, params).status_code == 404
        _draft_rows(world)
        for role in ("reporter", "banner"):  # a draft is not theirs to read
            assert world.client(role).get(url, params).status_code == 404, role
        # Another league's campaign is not one of league2's (400 on the parameter).
        assert world.client("league2").get(url, params).status_code == 400
        assert world.client("league").get(url, {"campaign": "x"}).status_code == 400
        response = world.client("league").get(url, params)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == content_type
        body = streamed(response)
        if content_type == DOCX:
            text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
            assert "阿卫健医改通〔2021〕13号" in text
            Evaluation.objects.update(published_at=timezone.now())
            BannerEvaluation.objects.update(published_at=timezone.now())
            # Published: the whole campaign's document is addressed to every banner and hospital.
            for role in ("reporter", "banner"):
                assert world.client(role).get(url, params).status_code == 200, role
        else:
            assert body.startswith(b"%PDF")

    return check


def _check_assessment_template(world: World) -> None:
    url = reverse("evaluation-assessment-import-template")
    params = {"campaign": world.alxa.campaign.pk}
    assert world.client("anonymous").get(url, params).status_code == 401
    for role in ("reporter", "banner"):
        assert world.client(role).get(url, params).status_code == 403, role
    assert world.client("league2").get(url, params).status_code == 400
    for role in ("league", "admin"):
        response = world.client(role).get(url, params)
        assert response.status_code == 200, (role, response.content)
        sheet = load_workbook(io.BytesIO(response.content))["绩效考核结果"]
        codes = [sheet.cell(row=r, column=1).value for r in range(5, sheet.max_row + 1)]
        # Alxa's hospitals, never the other league's.
        assert world.alxa.h004.code in codes
        assert world.foreign_hospital.code not in codes


def _check_assessment_upload(world: World) -> None:
    url = reverse("evaluation-assessment-import-upload")
    alxa = world.alxa.campaign
    content = assessment_template_build(campaign=alxa)
    for role in ("anonymous", "reporter", "banner"):
        response = world.client(role).post(
            url, {"campaign": alxa.pk, "file": io.BytesIO(content)}, format="multipart"
        )
        assert response.status_code == (401 if role == "anonymous" else 403), role
    # The other league: Alxa's campaign is not its own; its own campaign refuses Alxa's template.
    for campaign in (alxa, world.second.campaign):
        response = world.client("league2").post(
            url, {"campaign": campaign.pk, "file": io.BytesIO(content)}, format="multipart"
        )
        assert response.status_code == 400, response.content
    assert not AssessmentImport.objects.exists()
    response = world.client("league").post(
        url, {"campaign": alxa.pk, "file": io.BytesIO(content)}, format="multipart"
    )
    # The untouched template: a dry run with one error ("nothing filled in").
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "invalid"
    assert [e["code"] for e in response.json()["errors"]] == ["empty"]


ROWS: dict[str, Row] = {
    **viewset_rows("evaluation", EVALUATION, export=True),
    "evaluation-build": Row("custom", check=_check_evaluation_build),
    "evaluation-publish": Row("custom", check=_check_publish),
    "evaluation-docx": Row("custom", check=_check_document("evaluation-docx", DOCX)),
    "evaluation-pdf": Row("custom", check=_check_document("evaluation-pdf", "application/pdf")),
    **viewset_rows("evaluation-banner", BANNER_EVALUATION),
    **viewset_rows("evaluation-assessment-import", ASSESSMENT_IMPORT),
    "evaluation-assessment-import-confirm": Row("action", ASSESSMENT_IMPORT, writes={"post": LEAGUES}),
    "evaluation-assessment-import-template": Row("custom", check=_check_assessment_template),
    "evaluation-assessment-import-upload": Row("custom", check=_check_assessment_upload),
}
