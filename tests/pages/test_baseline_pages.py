"""The last-year baseline as one 12-month workbook on the hospital's pages: reached from the month page,
downloaded, uploaded, the dry run previewed with every error by sheet and cell and every change old → new
with its month, confirmed all or nothing, through ``reporting.indicators.template`` as the API."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core import monthlock
from hospitals.models import User
from reporting.indicators.models import IndicatorImport, IndicatorValue
from reporting.indicators.template import baseline_import_create, baseline_template_build
from tests.conftest import Alxa
from tests.reporting.indicators.test_baseline_workbook import count, fill
from tests.reporting.indicators.test_template import download as month_download

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _xlsx(content: bytes, name: str = "2020年基线.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_round_trip_on_the_pages(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    month_page = client.get(f"/hospitals/{alxa.h004.pk}/months/2021-07/").content.decode()
    assert f'href="/hospitals/{alxa.h004.pk}/baseline/"' in month_page
    url = f"/hospitals/{alxa.h004.pk}/baseline/"
    page = client.get(url).content.decode()
    assert "2020年基线 · 12个月一个工作簿" in page
    assert page.count("/ ") >= 12  # a row per month with what is stored
    response = client.get(f"{url}template/")
    assert response["Content-Disposition"] == 'attachment; filename="baseline-H004-2020.xlsx"'
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames[:12] == [
        f"{m}月" for m in range(1, 13)
    ]
    filled = fill(response.content, {"2月": count(6), "11月": count(8)})
    uploaded = client.post(url, {"file": _xlsx(filled)})
    batch = IndicatorImport.objects.get()
    assert uploaded.headers["Location"] == f"/indicator-imports/{batch.pk}/"
    preview = client.get(uploaded.headers["Location"]).content.decode()
    assert "导入预览 · 2020年基线（12个月）" in preview
    assert "<th>月份</th>" in preview
    assert "<td>2020-02</td>" in preview
    assert "2月!D" in preview
    assert "11月!D" in preview
    assert "另有" not in preview  # both rows change: none is "the same as stored"
    assert not IndicatorValue.objects.exists()
    confirmed = client.post(uploaded.headers["Location"], follow=True)
    html = confirmed.content.decode()
    assert confirmed.redirect_chain[-1][0] == url
    assert "已导入2个月共2项基线指标值" in html
    assert sorted(IndicatorValue.objects.values_list("month", "count")) == [
        (dt.date(2020, 2, 1), 6),
        (dt.date(2020, 11, 1), 8),
    ]
    assert "2020年基线" in html.split('id="recent-imports"')[1]


def test_bad_uploads_show_chinese_errors(alxa: Alxa) -> None:
    client = _client(alxa.reporter)
    url = f"/hospitals/{alxa.h004.pk}/baseline/"
    assert "该字段是必填项。" in client.post(url, {}).content.decode()
    single = client.post(
        url, {"file": _xlsx(month_download(alxa, alxa.reporter, alxa.h004, month="2020-07"))}
    )
    assert "单月的模板" in single.content.decode()
    not_excel = client.post(url, {"file": _xlsx(b"not a workbook")})
    assert "不是Excel工作簿" in not_excel.content.decode()
    assert not IndicatorImport.objects.exists()
    bad = fill(baseline_template_build(campaign=alxa.campaign, hospital=alxa.h004), {"4月": count(-3)})
    response = client.post(url, {"file": _xlsx(bad)}, follow=True)
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert "<td>4月</td>" in html
    assert 'id="import-confirm-form"' not in html
    assert not IndicatorValue.objects.exists()


def test_another_hospitals_baseline_is_404(alxa: Alxa) -> None:
    batch = baseline_import_create(
        actor=alxa.admin,
        campaign=alxa.campaign,
        hospital=alxa.h006,
        data=fill(baseline_template_build(campaign=alxa.campaign, hospital=alxa.h006), {"1月": count(3)}),
    )
    client = _client(alxa.reporter)
    assert client.get(f"/hospitals/{alxa.h006.pk}/baseline/").status_code == 404
    assert client.get(f"/hospitals/{alxa.h006.pk}/baseline/template/").status_code == 404
    assert client.post(f"/hospitals/{alxa.h006.pk}/baseline/", {"file": _xlsx(b"x")}).status_code == 404
    assert client.get(f"/indicator-imports/{batch.pk}/").status_code == 404
    assert client.post(f"/indicator-imports/{batch.pk}/").status_code == 404
    assert not IndicatorValue.objects.exists()


@pytest.fixture
def june_locked() -> Iterator[None]:
    def guard(hospital: Any, month: dt.date, *, actor: Any = None, reason: str = "") -> None:
        if month == dt.date(2020, 6, 1):
            raise ValidationError("%(month)s：已锁定。", code="report_locked", params={"month": "2020年06月"})

    monthlock.register_month_guard(guard)
    yield
    monthlock._guards.remove(guard)


def test_a_locked_month_refuses_the_whole_workbook_on_the_page(alxa: Alxa, request: Any) -> None:
    client = _client(alxa.reporter)
    url = f"/hospitals/{alxa.h004.pk}/baseline/"
    content = fill(
        baseline_template_build(campaign=alxa.campaign, hospital=alxa.h004),
        {"1月": count(3), "6月": count(4)},
    )
    client.post(url, {"file": _xlsx(content)})
    batch = IndicatorImport.objects.get()
    request.getfixturevalue("june_locked")
    preview = client.post(url, {"file": _xlsx(content)}, follow=True).content.decode()
    errors = preview.split('id="import-errors"')[1].split("</section>")[0]
    assert "<td>6月</td>" in errors
    assert "2020年06月：已锁定。" in errors
    response = client.post(f"/indicator-imports/{batch.pk}/")
    assert response.status_code == 200, response.headers
    refused = response.content.decode()
    assert "2020年06月：已锁定。" in refused
    assert not IndicatorValue.objects.exists()
    assert IndicatorImport.objects.filter(status="invalid").count() == 1
