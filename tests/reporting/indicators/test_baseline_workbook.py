"""The last-year baseline as one workbook of 12 months (issue 14): downloaded pre-filled, uploaded, dry-run
with every error by sheet and cell and every change old → new with its month, confirmed all or nothing,
through the API; the month lock is asked for every month."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from openpyxl.worksheet.worksheet import Worksheet

from core import monthlock
from hospitals.audit import history_of
from hospitals.models import Hospital
from reporting.indicators.models import IndicatorImport, IndicatorValue
from reporting.indicators.services import indicator_value_save
from reporting.indicators.template import META_SHEET, baseline_template_build
from tests.campaign.conftest import hospital
from tests.conftest import Alxa, client_for
from tests.reporting.indicators.test_template import download as month_download
from tests.reporting.indicators.test_template import rows_by_code

pytestmark = pytest.mark.django_db
TEMPLATE_URL = "/api/v1/indicator-imports/baseline-template/"
UPLOAD_URL = "/api/v1/indicator-imports/baseline-upload/"
MARCH = dt.date(2020, 3, 1)
SHEETS = [f"{m}月" for m in range(1, 13)]


def download(alxa: Alxa, user: Any, hospital: Hospital | None = None) -> bytes:
    params = {"campaign": alxa.campaign.pk, "hospital": (hospital or alxa.h004).pk}
    response = client_for(user).get(TEMPLATE_URL, params)
    assert response.status_code == 200, response.content
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="baseline-{(hospital or alxa.h004).code}-2020.xlsx"'
    )
    return response.content


def upload(alxa: Alxa, user: Any, content: bytes, hospital: Hospital | None = None) -> Any:
    return client_for(user).post(
        UPLOAD_URL,
        {"file": io.BytesIO(content), "campaign": alxa.campaign.pk, "hospital": (hospital or alxa.h004).pk},
        format="multipart",
    )


def fill(content: bytes, edits: dict[str, Callable[[Worksheet, dict[str, list[int]]], None]]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    for sheet, edit in edits.items():
        ws = wb[sheet]
        edit(ws, rows_by_code(ws))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def count(value: int, code: str = "O1.1-a") -> Callable[[Worksheet, dict[str, list[int]]], None]:
    return lambda ws, rows: ws.__setitem__(f"D{rows[code][0]}", value)


def test_the_workbook_has_a_protected_sheet_per_month_pre_filled(alxa: Alxa) -> None:
    indicator = alxa.campaign.indicators.get(code="O1.1-a")
    indicator_value_save(
        actor=alxa.reporter, channel="web", indicator=indicator, month=MARCH, hospital=alxa.h004, count=4
    )
    wb = openpyxl.load_workbook(io.BytesIO(download(alxa, alxa.reporter)))
    assert wb.sheetnames == [*SHEETS, META_SHEET]
    assert wb[META_SHEET].sheet_state == "veryHidden"
    meta = {
        wb[META_SHEET].cell(row=r, column=1).value: wb[META_SHEET].cell(row=r, column=2).value
        for r in range(1, 7)
    }
    assert meta == {
        "template": "jjx-indicator-baseline",
        "version": "1",
        "campaign": alxa.campaign.code,
        "unit_kind": "hospital",
        "unit_code": "H004",
        "year": "2020",
    }
    march = wb["3月"]
    assert march["A1"].value == "阿拉善左旗人民医院 2020年3月 出成效指标上年基线填报表"
    assert march.protection.sheet
    row = rows_by_code(march)["O1.1-a"][0]
    assert march[f"D{row}"].value == 4
    assert not march[f"D{row}"].protection.locked
    assert wb["4月"][f"D{rows_by_code(wb['4月'])['O1.1-a'][0]}"].value is None


def test_round_trip_twelve_months_in_one_upload(alxa: Alxa) -> None:
    indicator = alxa.campaign.indicators.get(code="O1.1-a")
    indicator_value_save(
        actor=alxa.reporter, channel="web", indicator=indicator, month=MARCH, hospital=alxa.h004, count=4
    )
    content = fill(
        download(alxa, alxa.reporter),
        {
            "1月": count(7),
            "3月": count(9),
            "12月": lambda ws, rows: ws.__setitem__(f"F{rows['O4.2-a'][0]}", "是"),
        },
    )
    response = upload(alxa, alxa.reporter, content)
    assert response.status_code == 201, response.content
    dry_run = response.json()
    assert (dry_run["kind"], dry_run["status"], dry_run["errors"], dry_run["month"]) == (
        "baseline",
        "pending",
        [],
        "2020-01-01",
    )
    changes = sorted(
        (c["month"], c["cell"].split("!")[0], c["indicator_code"], c["old"], c["new"])
        for c in dry_run["changes"]
    )
    assert changes == [
        ("2020-01", "1月", "O1.1-a", None, 7),
        ("2020-03", "3月", "O1.1-a", 4, 9),
        ("2020-12", "12月", "O4.2-a", None, [True]),
    ]
    assert IndicatorValue.objects.count() == 1  # the dry run writes nothing
    confirm = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run['id']}/confirm/")
    assert confirm.status_code == 200, confirm.content
    stored = {(v.month, v.indicator.code): v for v in IndicatorValue.objects.select_related("indicator")}
    assert stored[(dt.date(2020, 1, 1), "O1.1-a")].count == 7
    assert stored[(MARCH, "O1.1-a")].count == 9
    assert stored[(dt.date(2020, 12, 1), "O4.2-a")].answers == [True]
    # The untouched March value kept; every written one recorded with the Excel channel and the import.
    record = history_of(stored[(MARCH, "O1.1-a")]).filter(channel="excel").get()
    assert record.changes["count"] == [4, 9]
    assert record.reason.startswith(f"Excel导入 #{dry_run['id']}")


def test_every_error_is_named_by_sheet_and_cell_and_nothing_is_written(alxa: Alxa) -> None:
    content = fill(
        download(alxa, alxa.reporter),
        {"1月": count(7), "2月": count(-1), "5月": count("十二")},  # type: ignore[arg-type]
    )
    dry_run = upload(alxa, alxa.reporter, content).json()
    assert dry_run["status"] == "invalid"
    wb = openpyxl.load_workbook(io.BytesIO(content))
    feb_row = rows_by_code(wb["2月"])["O1.1-a"][0]
    may_row = rows_by_code(wb["5月"])["O1.1-a"][0]
    where = sorted((e["sheet"], e["cell"]) for e in dry_run["errors"])
    assert where == [("2月", f"D{feb_row}"), ("5月", f"D{may_row}")]
    assert all(e["message"] for e in dry_run["errors"])
    refused = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run['id']}/confirm/")
    assert refused.status_code == 400
    assert refused.json()["code"] == "import_not_pending"
    assert not IndicatorValue.objects.exists()


def test_a_correction_after_the_dry_run_refuses_all_twelve_months(alxa: Alxa) -> None:
    dry_run = upload(
        alxa, alxa.reporter, fill(download(alxa, alxa.reporter), {"1月": count(7), "3月": count(9)})
    ).json()
    indicator = alxa.campaign.indicators.get(code="O1.1-a")
    indicator_value_save(
        actor=alxa.reporter, channel="web", indicator=indicator, month=MARCH, hospital=alxa.h004, count=5
    )
    refused = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run['id']}/confirm/")
    assert refused.status_code == 400
    assert refused.json()["code"] == "stale_import"
    assert "3月!D" in refused.json()["message"]
    assert list(IndicatorValue.objects.values_list("month", "count")) == [(MARCH, 5)]  # January not written


@pytest.fixture
def march_locked() -> Iterator[None]:
    """A month guard that refuses March 2020 (no baseline month has a report, so none is locked by one:
    this shows the importer asks the month lock for each of its months)."""

    def guard(hospital: Any, month: dt.date, *, actor: Any = None, reason: str = "") -> None:
        if month == MARCH:
            raise ValidationError("2020年03月已锁定。", code="report_locked")

    monthlock.register_month_guard(guard)
    yield
    monthlock._guards.remove(guard)


def test_a_locked_month_is_an_error_of_its_sheet_and_refuses_the_confirm(alxa: Alxa, request: Any) -> None:
    content = fill(download(alxa, alxa.reporter), {"1月": count(7), "3月": count(9)})
    dry_run = upload(alxa, alxa.reporter, content).json()
    request.getfixturevalue("march_locked")
    refused = upload(alxa, alxa.reporter, content).json()
    assert refused["status"] == "invalid"
    assert [(e["sheet"], e["cell"], e["message"]) for e in refused["errors"]] == [
        ("3月", "A1", "2020年03月已锁定。")
    ]
    # A month the workbook leaves empty is not written, so its lock does not matter.
    january_only = upload(alxa, alxa.reporter, fill(download(alxa, alxa.reporter), {"1月": count(7)})).json()
    assert (january_only["status"], january_only["errors"]) == ("pending", [])
    confirm = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run['id']}/confirm/")
    assert confirm.status_code == 400
    assert confirm.json()["message"] == "2020年03月已锁定。"
    assert not IndicatorValue.objects.exists()
    assert IndicatorImport.objects.get(pk=dry_run["id"]).status == "pending"


def test_wrong_files_are_refused_whole(alxa: Alxa) -> None:
    month = upload(alxa, alxa.reporter, month_download(alxa, alxa.reporter, alxa.h004, month="2020-07"))
    assert month.status_code == 400
    assert "单月的模板" in month.json()["errors"]["file"][0]
    other = baseline_template_build(campaign=alxa.campaign, hospital=hospital("H005"))
    assert "其他单位(H005)" in upload(alxa, alxa.reporter, other).json()["errors"]["file"][0]
    wb = openpyxl.load_workbook(io.BytesIO(download(alxa, alxa.reporter)))
    del wb["7月"]
    out = io.BytesIO()
    wb.save(out)
    assert "缺少工作表：7月" in upload(alxa, alxa.reporter, out.getvalue()).json()["errors"]["file"][0]
    assert not IndicatorImport.objects.exists()


def test_another_hospital_is_refused(alxa: Alxa) -> None:
    params = {"campaign": alxa.campaign.pk, "hospital": alxa.h006.pk}
    assert client_for(alxa.reporter).get(TEMPLATE_URL, params).status_code == 404
    content = baseline_template_build(campaign=alxa.campaign, hospital=alxa.h006)
    assert upload(alxa, alxa.reporter, content, hospital=alxa.h006).status_code == 403
    assert not IndicatorImport.objects.exists()
