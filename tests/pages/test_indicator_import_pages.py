"""The Excel template round trip on the pages: download → upload → dry-run preview (errors by cell,
changes old → new) → confirm, through the same services as the API; refusals in Chinese; another
hospital's month and import are 404."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl.worksheet.worksheet import Worksheet

from hospitals.audit import history_of
from hospitals.models import User
from reporting.indicators.models import IndicatorImport, IndicatorValue
from reporting.indicators.template import indicator_import_create, indicator_template_build
from tests.conftest import Alxa
from tests.reporting.conftest import SetClock, make_report
from tests.reporting.indicators.test_template import fill

pytestmark = pytest.mark.django_db
JULY = dt.date(2021, 7, 1)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _xlsx(content: bytes, name: str = "7月指标.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _filled(alxa: Alxa, client: Client, cells: dict[tuple[str, str], object]) -> bytes:
    """The month's template downloaded from the page, with ``{(indicator code, column): value}`` typed."""
    response = client.get(f"/hospitals/{alxa.h004.pk}/months/2021-07/template/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "indicators-H004-2021-07.xlsx" in response["Content-Disposition"]

    def edit(ws: Worksheet, rows: dict[str, list[int]]) -> None:
        for (code, column), value in cells.items():
            ws[f"{column}{rows[code][0]}"] = value

    return fill(response.content, edit)


def test_the_month_page_links_to_the_import_page(alxa: Alxa, set_clock: SetClock) -> None:
    client = _client(alxa.reporter)
    month = client.get(f"/hospitals/{alxa.h004.pk}/months/2021-07/").content.decode()
    assert f'href="/hospitals/{alxa.h004.pk}/months/2021-07/import/"' in month
    page = client.get(f"/hospitals/{alxa.h004.pk}/months/2021-07/import/").content.decode()
    assert f'href="/hospitals/{alxa.h004.pk}/months/2021-07/template/"' in page
    assert 'id="template-upload-form"' in page


def test_upload_preview_confirm(alxa: Alxa, set_clock: SetClock) -> None:
    client = _client(alxa.reporter)
    content = _filled(
        alxa,
        client,
        {("O1.1-a", "D"): 12, ("O2.1-a", "D"): 120, ("O2.1-a", "E"): 400, ("O2.1-a", "H"): "新开康复科"},
    )
    response = client.post(f"/hospitals/{alxa.h004.pk}/months/2021-07/import/", {"file": _xlsx(content)})
    batch = IndicatorImport.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/indicator-imports/{batch.pk}/"
    assert batch.status == IndicatorImport.Status.PENDING
    assert not IndicatorValue.objects.exists()  # the dry run writes nothing

    preview = client.get(response.headers["Location"]).content.decode()
    assert "待确认" in preview
    assert "O1.1-a" in preview
    assert '<td class="old">空</td><td class="new">12</td>' in preview
    assert '<td class="new">新开康复科</td>' in preview
    assert 'id="import-confirm-form"' in preview

    done = client.post(f"/indicator-imports/{batch.pk}/")
    assert done.status_code == 302
    assert done.headers["Location"] == f"/hospitals/{alxa.h004.pk}/months/2021-07/"
    stored = {v.indicator.code: v for v in IndicatorValue.objects.select_related("indicator")}
    assert stored["O1.1-a"].count == 12
    assert (stored["O2.1-a"].numerator, stored["O2.1-a"].denominator) == (Decimal(120), Decimal(400))
    assert history_of(stored["O1.1-a"]).get().channel == "excel"
    batch.refresh_from_db()
    assert batch.status == IndicatorImport.Status.CONFIRMED
    month = client.get(done.headers["Location"]).content.decode()
    assert "已导入2项指标" in month

    again = client.post(f"/indicator-imports/{batch.pk}/").content.decode()
    assert "该导入已确认，不能重复导入。" in again


def test_errors_are_listed_by_cell_and_there_is_no_confirm(alxa: Alxa, set_clock: SetClock) -> None:
    client = _client(alxa.reporter)
    content = _filled(alxa, client, {("O1.1-a", "D"): -3, ("O2.1-a", "D"): 5, ("O2.1-a", "E"): 0})
    response = client.post(
        f"/hospitals/{alxa.h004.pk}/months/2021-07/import/", {"file": _xlsx(content)}, follow=True
    )
    html = response.content.decode()
    assert "有错误" in html
    assert 'id="import-errors"' in html
    batch = IndicatorImport.objects.get()
    cells = {e["cell"] for e in batch.errors}
    assert len(cells) == 2
    for cell in cells:
        assert f"<strong>{cell}</strong>" in html
    assert 'id="import-confirm-form"' not in html
    refused = client.post(f"/indicator-imports/{batch.pk}/").content.decode()
    assert "该导入有错误，请修改后重新上传。" in refused
    assert not IndicatorValue.objects.exists()


def test_a_file_that_is_not_the_template_is_refused_on_the_form(alxa: Alxa, set_clock: SetClock) -> None:
    client = _client(alxa.reporter)
    url = f"/hospitals/{alxa.h004.pk}/months/2021-07/import/"
    html = client.post(url, {"file": _xlsx(b"not a workbook", "x.xlsx")}).content.decode()
    assert "文件不是Excel工作簿(.xlsx)" in html
    august = indicator_template_build(campaign=alxa.campaign, month=dt.date(2021, 8, 1), hospital=alxa.h004)
    html = client.post(url, {"file": _xlsx(august)}).content.decode()
    assert "该模板是2021-08的，不能导入到2021-07。" in html
    html = client.post(url, {}).content.decode()
    assert "该字段是必填项。" in html
    assert not IndicatorImport.objects.exists()


def test_a_frozen_month_refuses_the_upload_in_chinese(alxa: Alxa, set_clock: SetClock) -> None:
    client = _client(alxa.reporter)
    content = _filled(alxa, client, {("O1.1-a", "D"): 12})
    make_report(alxa, state="approved")
    before = IndicatorValue.objects.count()
    html = client.post(
        f"/hospitals/{alxa.h004.pk}/months/2021-07/import/", {"file": _xlsx(content)}
    ).content.decode()
    assert "2021年07月的月度自查报告" in html
    assert not IndicatorImport.objects.exists()
    assert IndicatorValue.objects.count() == before


def test_another_hospitals_month_and_import_are_404(alxa: Alxa, set_clock: SetClock) -> None:
    client = _client(alxa.reporter)
    h006 = alxa.h006.pk
    assert client.get(f"/hospitals/{h006}/months/2021-07/template/").status_code == 404
    assert client.get(f"/hospitals/{h006}/months/2021-07/import/").status_code == 404
    assert client.get(f"/hospitals/{alxa.h004.pk}/months/2019-07/import/").status_code == 404
    template = indicator_template_build(campaign=alxa.campaign, month=JULY, hospital=alxa.h006)
    batch = indicator_import_create(
        actor=alxa.admin,
        campaign=alxa.campaign,
        month=JULY,
        hospital=alxa.h006,
        data=fill(template, lambda ws, rows: ws.__setitem__(f"D{rows['O1.1-a'][0]}", 3)),
    )
    assert client.get(f"/indicator-imports/{batch.pk}/").status_code == 404
    assert client.post(f"/indicator-imports/{batch.pk}/").status_code == 404
    batch.refresh_from_db()
    assert batch.status == IndicatorImport.Status.PENDING
    assert not IndicatorValue.objects.exists()


def test_upload_bytes_are_read_from_the_request(alxa: Alxa, set_clock: SetClock) -> None:
    """The page reads the upload as the API does (a stream), so a real multipart body round-trips."""
    client = _client(alxa.reporter)
    content = _filled(alxa, client, {("O1.1-a", "D"): 4})
    file = io.BytesIO(content)
    file.name = "upload.xlsx"
    client.post(f"/hospitals/{alxa.h004.pk}/months/2021-07/import/", {"file": file})
    assert IndicatorImport.objects.get().file_name == "upload.xlsx"
