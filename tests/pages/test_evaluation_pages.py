"""The December evaluation's pages without a browser: who opens the 绩效考核 pages, refusals on the form
(a file that is not the template, publishing before building), the links the league reaches everything
by, and what hospitals and banners read before and after publishing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hospitals.models import User
from reporting.evaluation.models import AssessmentImport, BannerEvaluation, Evaluation
from reporting.evaluation.services import evaluation_build, evaluation_publish
from tests.conftest import Alxa
from tests.factories import HospitalFactory
from tests.reporting.conftest import SetClock
from tests.reporting.evaluation.test_assessment import filled

pytestmark = pytest.mark.django_db


def _table(page: str, table_id: str) -> str:
    start = page.index(f'id="{table_id}"')
    return page[start : page.index("</table>", start)]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_league_reaches_upload_publish_and_downloads(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-12-20 10:00")
    league = _client(alxa.league_reviewer)
    refused = league.post("/evaluation/", {"action": "publish"}).content.decode()
    assert "尚未进行年终评估，请先评估再发布" in refused
    assert league.post("/evaluation/", {"action": "build"}).status_code == 302
    page = league.get("/evaluation/").content.decode()
    for link in (
        'href="/evaluation/assessment/"',
        'value="publish"',
        'href="/evaluation/document.docx"',
        'href="/evaluation/document.pdf"',
        "/exports/evaluation/",
    ):
        assert link in page, link
    assert 'id="evaluation-status">草稿' in page


def test_the_assessment_pages_are_the_leagues(alxa: Alxa) -> None:
    for user in (alxa.reporter, alxa.banner_reviewer):
        client = _client(user)
        assert client.get("/evaluation/assessment/").status_code == 403
        assert client.get("/evaluation/assessment/template.xlsx").status_code == 403
    league = _client(alxa.league_reviewer)
    template = league.get("/evaluation/assessment/template.xlsx")
    assert template.status_code == 200
    assert template["Content-Disposition"] == 'attachment; filename="assessment-alxa-2021.xlsx"'
    # Not a workbook: refused on the form, nothing stored.
    response = league.post(
        "/evaluation/assessment/", {"file": SimpleUploadedFile("成绩.xlsx", b"not a workbook")}
    )
    assert response.status_code == 200
    assert "不是Excel工作簿" in response.content.decode()
    assert not AssessmentImport.objects.exists()
    # The template filled in: the dry run, then confirmed from its page.
    upload = SimpleUploadedFile("绩效考核.xlsx", filled(alxa.campaign, {"H004": (86, 90)}))
    response = league.post("/evaluation/assessment/", {"file": upload})
    batch = AssessmentImport.objects.get()
    assert response["Location"] == f"/evaluation/assessment/{batch.pk}/"
    preview = league.get(response["Location"]).content.decode()
    assert "全国绩效考核得分" in preview
    assert "86.00" in preview
    confirmed = league.post(response["Location"], {}, follow=True).content.decode()
    assert "已导入1家医院的绩效考核结果" in confirmed
    assert template.content.startswith(b"PK")


def test_hospitals_and_banners_read_only_a_published_evaluation(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-12-20 10:00")
    league = _client(alxa.league_reviewer)
    league.post("/evaluation/", {"action": "build"})
    reporter = _client(alxa.reporter)
    draft = reporter.get("/evaluation/").content.decode()
    assert "年终评估尚未发布" in draft
    assert "阿拉善左旗人民医院" not in _table(draft, "evaluation")
    assert "阿拉善左旗" not in _table(draft, "banner-evaluation")
    assert reporter.post("/evaluation/", {"action": "publish"}).status_code == 403
    assert reporter.get("/evaluation/document.docx").status_code == 404
    league.post("/evaluation/", {"action": "publish"})
    published = reporter.get("/evaluation/").content.decode()
    assert "阿拉善左旗人民医院" in _table(published, "evaluation")
    assert "阿拉善右旗人民医院" not in _table(published, "evaluation")
    assert "阿拉善左旗" in _table(published, "banner-evaluation")
    assert reporter.get("/evaluation/document.docx").status_code == 200
    # The banner reads its hospitals and the banners' ranking, not another banner's hospitals.
    banner = _client(alxa.banner_reviewer).get("/evaluation/").content.decode()
    assert "阿拉善盟中心医院" in _table(banner, "evaluation")
    assert "阿拉善右旗人民医院" not in _table(banner, "evaluation")
    assert "额济纳旗" in _table(banner, "banner-evaluation")  # the banners' ranking


def test_the_page_reads_a_fixed_number_of_queries(alxa: Alxa, set_clock: SetClock) -> None:
    """As many queries with 10 hospitals as with 30 (the rows, their banners and the banners' rows are
    read in bulk), for the league and for a hospital."""
    set_clock("2021-12-20 10:00")

    def counts() -> tuple[int, int]:
        Evaluation.objects.all().delete()
        BannerEvaluation.objects.all().delete()
        evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
        evaluation_publish(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
        found = []
        for user in (alxa.league_reviewer, alxa.reporter):
            client = _client(user)
            client.get("/evaluation/")  # warm the session and the content types
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/evaluation/").status_code == 200
            found.append(len(ctx.captured_queries))
        return found[0], found[1]

    small = counts()
    HospitalFactory.create_batch(20, banner=alxa.youqi)
    assert Evaluation.objects.count() == 10
    large = counts()
    assert Evaluation.objects.count() == 30
    assert small == large
