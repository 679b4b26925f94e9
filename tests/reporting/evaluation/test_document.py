"""The December evaluation as an official document (通报): a Word 公文 whose 文号, title, sentences and
ranking tables say what the stored evaluation says, and its PDF converted by LibreOffice (a page kept as
PNG in test-artifacts/)."""

from __future__ import annotations

import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from docx import Document
from docx.shared import Pt

from exports import documents
from reporting.evaluation.models import AssessmentResult, BannerEvaluation, Evaluation
from reporting.evaluation.services import evaluation_build, evaluation_publish
from tests.conftest import Alxa, streamed
from tests.reporting.conftest import SetClock

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _evaluate(alxa: Alxa, set_clock: SetClock) -> None:
    AssessmentResult.objects.create(
        campaign=alxa.campaign, hospital=alxa.h004, national_score=Decimal("88"), regional_score=Decimal("92")
    )
    set_clock("2021-12-20 10:00")
    evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    set_clock("2021-12-24 09:30")
    evaluation_publish(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)


def test_the_word_document_carries_the_number_the_title_and_the_ranking(
    alxa: Alxa, set_clock: SetClock, client: Client
) -> None:
    _evaluate(alxa, set_clock)
    client.force_login(alxa.league_reviewer)
    response = client.get("/api/v1/evaluations/docx/", {"campaign": alxa.campaign.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == documents.DOCX_MIME
    doc = Document(io.BytesIO(streamed(response)))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[:4] == [
        "阿拉善盟卫生健康委员会文件",
        "阿卫健医改通〔2021〕13号",
        "关于2021年“讲医改、见行动、出成效”活动年终评估情况的通报",
        "各旗(区)卫生健康委，盟直各医院，各旗(区)公立医院：",
    ]
    # 落款 and the date of publication.
    assert texts[-2:] == ["阿拉善盟卫生健康委员会", "2021年12月24日"]
    rows = list(Evaluation.objects.select_related("hospital__banner").order_by("rank", "hospital__code"))
    mean = sum(e.total_score for e in rows) / len(rows)
    overall = next(t for t in texts if t.startswith("全盟10家公立医院"))
    assert f"平均总分{mean:.2f}分" in overall
    assert "1家医院纳入全国和自治区公立医院绩效考核结果，平均90.00分" in overall
    top = next(t for t in texts if t.startswith("总分前3位的医院是"))
    assert top.startswith(f"总分前3位的医院是：{rows[0].hospital.name}（{rows[0].total_score:.2f}分）")
    assert {"一、总体情况", "二、医院评估结果", "三、旗(区)评估结果", "四、拟表彰名单"} <= set(texts)

    # The ranking tables, cell for cell as stored.
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    hospitals, banners = tables
    assert hospitals[0] == [
        "排名", "旗(区)", "医院", "讲医改", "见行动", "出成效", "绩效考核", "总分", "拟表彰",
    ]  # fmt: skip
    assert hospitals[1:] == [
        [
            str(e.rank), e.hospital.banner.name, e.hospital.name, f"{e.lecture_score:.2f}",
            f"{e.action_score:.2f}", f"{e.outcome_score:.2f}",
            "—" if e.assessment_score is None else f"{e.assessment_score:.2f}",
            f"{e.total_score:.2f}", "是" if e.proposed_commendation else "",
        ]
        for e in rows
    ]  # fmt: skip
    h004 = next(r for r in hospitals if r[2] == "阿拉善左旗人民医院")
    assert h004[6] == "90.00"
    stored = list(BannerEvaluation.objects.select_related("banner").order_by("rank", "banner__code"))
    assert banners[1:] == [
        [
            str(b.rank),
            b.banner.name,
            f"{b.hospitals_score:.2f}",
            f"{b.work_score:.2f}",
            f"{b.total_score:.2f}",
        ]
        for b in stored
    ]
    mark = doc.paragraphs[0].runs[0]
    assert (str(mark.font.color.rgb), mark.font.size) == ("E60012", Pt(32))


def test_the_pdf_is_converted_from_the_word_file_and_a_page_is_kept(
    alxa: Alxa, set_clock: SetClock, client: Client, tmp_path: Path
) -> None:
    _evaluate(alxa, set_clock)
    client.force_login(alxa.reporter)  # published: the document is addressed to every hospital
    response = client.get("/evaluation/document.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == documents.PDF_MIME
    pdf = streamed(response)
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    first = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace(" ", "")
    assert "阿卫健医改通〔2021〕13号" in first
    assert "年终评估情况的通报" in first
    source = tmp_path / "evaluation.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(source),
         str(tmp_path / "evaluation")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "evaluation-document-page1.png").write_bytes((tmp_path / "evaluation.png").read_bytes())


def test_a_draft_document_is_the_leagues_and_a_missing_converter_is_said(
    alxa: Alxa, set_clock: SetClock, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clock("2021-12-20 10:00")
    client.force_login(alxa.league_reviewer)
    assert client.get("/evaluation/document.docx").status_code == 404  # nothing built yet
    evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    assert client.get("/evaluation/document.docx").status_code == 200
    client.force_login(alxa.reporter)
    assert client.get("/evaluation/document.docx").status_code == 404  # a draft
    assert client.get("/api/v1/evaluations/docx/", {"campaign": alxa.campaign.pk}).status_code == 404

    monkeypatch.setattr(documents, "libreoffice", lambda: None)
    client.force_login(alxa.league_reviewer)
    response = client.get("/evaluation/document.pdf", follow=True)
    assert "服务器未安装LibreOffice" in response.content.decode()
    api = client.get("/api/v1/evaluations/pdf/", {"campaign": alxa.campaign.pk})
    assert api.status_code == 503
    assert "LibreOffice" in api.json()["message"]
