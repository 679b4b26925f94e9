"""Every page URL, as every demo role and anonymous: never a server error, and no English left in what a
200 page shows (issue 14 "Done when").

The URLs come from the resolver: every named pattern of the page URL confs, its parameters filled with
real rows (a report, a lecture with courseware, a bulletin, an export job…) so that pages answer 200 and
not only 404.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaign.services import (
    launch_record_create,
    lecture_create,
    lecture_plan_create,
    lecture_plan_item_set,
    material_upload,
    progress_record,
    roadmap_milestone_create,
    tour_lecturer_select,
)
from exports.models import ExportJob
from hospitals.models import User
from hospitals.onboarding import onboarding_import_create, onboarding_workbook_build
from reporting.bulletins.services import bulletin_build
from reporting.evaluation.models import AssessmentImport
from tests.campaign.conftest import h004_action_item, lecture_data, upload
from tests.conftest import Alxa
from tests.reporting.conftest import JULY, SetClock, make_report
from tests.samples import PDF

pytestmark = pytest.mark.django_db

# The page URL confs (the API, its schema and docs and the admin have their own tests).
PAGE_NAMESPACES = {"", "hospitals", "campaign", "reporting", "exports"}
SKIPPED_PREFIXES = ("api/", "admin/")
ALLOWED = {200, 302, 403, 404}
# Words a Chinese page may still show: codes, units, file types and names of the product's own formats.
ENGLISH_ALLOWED = {
    "Excel", "Word", "xlsx", "docx", "pdf", "pptx", "PDF", "API", "ID", "pp", "mp", "jpg", "png",
}  # fmt: skip
WORD = re.compile(r"[A-Za-z]{2,}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)*")


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            found += _patterns(entry, route, entry.namespace or namespace)
        elif entry.name and namespace in PAGE_NAMESPACES:
            found.append((f"{namespace}:{entry.name}" if namespace else entry.name, entry))
    return found


def _world(alxa: Alxa, set_clock: SetClock) -> dict[str, Any]:
    lecture = lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa))
    material = material_upload(
        actor=alxa.reporter, channel="web", lecture=lecture, kind="courseware", file=upload("课件.pdf", PDF)
    )
    central = lecture_create(actor=alxa.admin, channel="web", data=lecture_data(alxa, "centralised"))
    launch = launch_record_create(
        actor=alxa.banner_reviewer,
        channel="web",
        campaign=alxa.campaign,
        org_unit=alxa.zuoqi,
        launched_on=JULY.replace(month=6, day=24),
        meeting="动员会",
        attachment=upload("纪要.pdf", PDF),
    )
    selection = tour_lecturer_select(
        actor=alxa.league_reviewer,
        channel="web",
        campaign=alxa.campaign,
        person=lecture.speaker,
        selected_on=JULY.replace(month=8),
    )
    report = make_report(alxa, state="returned")
    set_clock("2021-08-10 10:00")
    bulletin = bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)
    job = ExportJob.objects.create(kind="hospital_roster", requested_by=alxa.league_reviewer)
    item = h004_action_item(alxa)
    step = roadmap_milestone_create(
        actor=alxa.reporter, channel="web", action_item=item, title="征求意见", due_on=JULY.replace(day=20)
    )
    entry = progress_record(
        actor=alxa.reporter, channel="web", action_item=item, month=JULY, status="on_track"
    )
    hospital_launch = launch_record_create(
        actor=alxa.reporter,
        channel="web",
        campaign=alxa.campaign,
        hospital=alxa.h004,
        launched_on=alxa.campaign.starts_on,
        meeting="动员部署会",
        attachment=upload("纪要.pdf", PDF),
    )
    plan = lecture_plan_create(
        actor=alxa.reporter,
        channel="web",
        campaign=alxa.campaign,
        hospital=alxa.h004,
        fixed_on=alxa.campaign.starts_on,
    )
    document = alxa.campaign.key_documents.order_by("number").first()
    assert document is not None
    for title in ("推动高质量发展", "高质量发展：本院怎么做"):  # the second is an update in the history
        plan_item = lecture_plan_item_set(
            actor=alxa.reporter,
            channel="web",
            plan=plan,
            document=document,
            title=title,
            courseware=upload("课件.pdf", PDF),
        )
    # A 绩效考核 upload with an error, for its preview page (the league's).
    assessment = AssessmentImport.objects.create(
        campaign=alxa.campaign,
        status=AssessmentImport.Status.INVALID,
        file_sha256="0" * 64,
        errors=[
            {
                "sheet": "绩效考核结果",
                "cell": "D5",
                "code": "invalid_score",
                "message": "得分120超出0到100的范围。",
            }
        ],
    )
    # A league's onboarding pages: its pre-filled workbook loaded back, a dry run that changes nothing.
    workbook = onboarding_workbook_build(actor=alxa.admin, league=alxa.league, filled=True)
    onboarding = onboarding_import_create(
        actor=alxa.admin, league=alxa.league, data=workbook, file_name="入驻.xlsx"
    )
    return {
        "reporting:assessment_import:import_id": assessment.pk,
        "league_id": alxa.league.pk,
        "hospitals:onboarding_import:import_id": onboarding.pk,
        # The hospital's launch page shows its record (the banner's is the unit's page's).
        "hospital_launch": hospital_launch.pk,
        "document_id": document.pk,
        "plan_item_id": plan_item.pk,
        "hospital_id": alxa.h004.pk,
        "unit_id": alxa.zuoqi.pk,
        "person_id": alxa.h004.people.order_by("code").first().pk,  # type: ignore[union-attr]
        "department_id": alxa.h004.departments.order_by("name").first().pk,  # type: ignore[union-attr]
        "month": "2021-07",
        "report_id": report.pk,
        "lecture_id": lecture.pk,
        "material_id": material.pk,
        "bulletin_id": bulletin.pk,
        "job_id": job.pk,
        "item_id": item.pk,
        "step_id": step.pk,
        "entry_id": entry.pk,
        "kind": "lecture_ledger",
        "record_id": launch.pk,
        "selection_id": selection.pk,
        # A banner's pages take its 集中宣讲, not the hospital's lecture.
        "campaign:banner_lecture_edit:lecture_id": central.pk,
    }


def _urls(world: dict[str, Any]) -> list[str]:
    urls = []
    for name, pattern in _patterns(get_resolver()):
        params = list(pattern.pattern.converters) if hasattr(pattern.pattern, "converters") else []
        kwargs = {p: world.get(f"{name}:{p}", world.get(p, 1)) for p in params}
        urls.append(reverse(name, kwargs=kwargs))
    return sorted(set(urls))


def _visible_english(page: str) -> set[str]:
    body = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    body = re.sub(r"(?s)<!--.*?-->", " ", body)
    text = html_lib.unescape(re.sub(r"(?s)<[^>]+>", " ", body))
    text = EMAIL.sub(" ", text)  # people's addresses (人员与科室) are data, not the interface's words
    return {w for w in WORD.findall(text) if w not in ENGLISH_ALLOWED}


def test_every_page_as_every_role(alxa: Alxa, set_clock: SetClock) -> None:
    world = _world(alxa, set_clock)
    urls = _urls(world)
    assert len(urls) >= 20  # the resolver found the pages (home, months, reports, bulletins, exports…)
    users: dict[str, User | None] = {
        "anonymous": None,
        "reporter": alxa.reporter,
        "banner": alxa.banner_reviewer,
        "league": alxa.league_reviewer,
        "admin": alxa.admin,
    }
    problems: list[str] = []
    seen_ok = 0
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            if response.status_code == 405 and "GET" not in response.get("Allow", ""):
                continue  # a POST-only action (logout, delete, recommend): refusing GET is its answer
            if response.status_code == 409 and url.endswith(f"/jobs/{world['job_id']}/download/"):
                continue  # the export job has not run yet: "not ready" is the documented answer
            if response.status_code not in ALLOWED:
                problems.append(f"{role} GET {url}: {response.status_code}")
                continue
            content_type = response.get("Content-Type", "")
            if response.status_code == 200 and content_type.startswith("text/html"):
                seen_ok += 1
                english = _visible_english(response.content.decode())
                if english:
                    problems.append(f"{role} GET {url}: English {sorted(english)}")
    assert problems == [], "\n".join(problems)
    assert seen_ok >= 40  # most pages answered 200 for the roles that may open them


def test_english_detector() -> None:
    page = "<p>报告 <b>Save</b></p><script>var x = 'hidden';</script><!-- note --><p>Excel 下载</p>"
    assert _visible_english(page) == {"Save"}
