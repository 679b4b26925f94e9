"""The monthly bulletin as an official document: a Word file laid out as a 公文 whose 文号, title,
sentences and tables say what ``Bulletin.data`` says, and its PDF converted by LibreOffice."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from docx import Document
from docx.shared import Pt

from exports import documents
from reporting.bulletins.models import Bulletin
from reporting.bulletins.services import bulletin_build, bulletin_publish
from tests.conftest import Alxa
from tests.reporting.conftest import JULY, SetClock, make_report

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _bulletin(alxa: Alxa, set_clock: SetClock) -> Bulletin:
    set_clock("2021-08-08 10:00")
    make_report(alxa, state="submitted")
    return bulletin_build(campaign_id=alxa.campaign.pk, month=JULY, actor=alxa.league_reviewer)


def _section(bulletin: Bulletin, key: str) -> dict:
    return next(s for s in bulletin.data["sections"] if s["key"] == key)


def test_the_word_document_carries_the_number_the_title_and_the_figures(
    alxa: Alxa, set_clock: SetClock, client: Client
) -> None:
    bulletin = _bulletin(alxa, set_clock)
    client.force_login(alxa.league_reviewer)
    response = client.get(f"/api/v1/bulletins/{bulletin.pk}/docx/")
    assert response.status_code == 200
    assert response["Content-Type"] == documents.DOCX_MIME
    assert "2021-07-%E6%9C%88%E5%BA%A6%E9%80%9A%E6%8A%A5.docx" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.getvalue()))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[:4] == [
        "阿拉善盟卫生健康委员会文件",
        "阿卫健医改通〔2021〕7号",
        "关于2021年7月“讲医改、见行动、出成效”活动开展情况的通报",
        "各旗(区)卫生健康委，盟直各医院，各旗(区)公立医院：",
    ]
    assert texts[-2:] == ["阿拉善盟卫生健康委员会", "2021年8月8日"]
    # The figures written out as sentences: one hospital submitted late, nine did not submit.
    assert (
        "本月应提交月度自查报告的医院10家，按时提交0家，逾期提交1家，未提交9家，已审核通过0家。" in texts[6]
    )
    assert "一、各旗(区)自查报告汇总" in texts
    # Every section's table, cell for cell as the bulletin stores it (None shown as a dash).
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    assert len(tables) == len(bulletin.data["sections"])
    reports = _section(bulletin, "reports")
    table = next(t for t in tables if t[0] == reports["columns"])
    assert table[1:] == [["—" if v is None else str(v) for v in row] for row in reports["rows"]]
    ranking = _section(bulletin, "ranking")
    assert next(t for t in tables if t[0] == ranking["columns"])[1][2] == "阿拉善左旗人民医院"
    # The red organ mark and the GB/T 9704 margins.
    mark = doc.paragraphs[0].runs[0]
    assert (str(mark.font.color.rgb), mark.font.size) == ("E60012", Pt(32))
    section = doc.sections[0]
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) if m is not None else None for m in margins] == [37, 35, 28, 26]


def test_the_pdf_is_converted_from_the_word_file_and_a_page_is_kept(
    alxa: Alxa, set_clock: SetClock, client: Client, tmp_path: Path
) -> None:
    bulletin = _bulletin(alxa, set_clock)
    client.force_login(alxa.league_reviewer)
    response = client.get(f"/bulletins/{bulletin.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == documents.PDF_MIME
    pdf = response.getvalue()
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0].extract_text()
    assert "阿卫健医改通〔2021〕7号" in first.replace(" ", "")
    # The first page as a picture, for a person to look at (pdftoppm, poppler-utils).
    source = tmp_path / "bulletin.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(tmp_path / "bulletin"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "bulletin-document-page1.png").write_bytes((tmp_path / "bulletin.png").read_bytes())


def test_who_may_download_and_when_the_server_cannot_convert(
    alxa: Alxa, set_clock: SetClock, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    bulletin = _bulletin(alxa, set_clock)
    client.force_login(alxa.reporter)
    assert client.get(f"/api/v1/bulletins/{bulletin.pk}/docx/").status_code == 404  # a draft
    assert client.get(f"/bulletins/{bulletin.pk}/word/").status_code == 404
    bulletin_publish(bulletin_id=bulletin.pk, actor=alxa.league_reviewer)
    assert client.get(f"/bulletins/{bulletin.pk}/word/").status_code == 200

    monkeypatch.setattr(documents, "libreoffice", lambda: None)
    response = client.get(f"/api/v1/bulletins/{bulletin.pk}/pdf/")
    assert response.status_code == 503
    assert response.json()["message"] == "服务器未安装LibreOffice，暂不能生成PDF，请下载Word文件。"
    page = client.get(f"/bulletins/{bulletin.pk}/pdf/", follow=True)
    assert page.redirect_chain[-1][0] == f"/bulletins/{bulletin.pk}/"
    assert "服务器未安装LibreOffice" in page.content.decode()
