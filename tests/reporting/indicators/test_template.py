"""The Excel round trip (SPEC §9 Import) through the API, and the malicious-upload corpus."""

import datetime as dt
import io
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from openpyxl.worksheet.worksheet import Worksheet

from core.xlsx import read_workbook
from hospitals.audit import history_of
from hospitals.models import Hospital
from reporting.indicators.models import IndicatorImport, IndicatorValue
from reporting.indicators.services import indicator_value_save
from reporting.indicators.template import DATA_SHEET, META_SHEET, indicator_template_build
from tests.conftest import Alxa, client_for

JULY = dt.date(2021, 7, 1)
TEMPLATE_URL = "/api/v1/indicator-imports/template/"
UPLOAD_URL = "/api/v1/indicator-imports/upload/"
# The bound: every file of the corpus is answered within this many seconds.
CORPUS_SECONDS = 2


def download(alxa: Alxa, user: Any, hospital: Hospital, month: str = "2021-07") -> bytes:
    params: dict[str, Any] = {"campaign": alxa.campaign.pk, "hospital": hospital.pk, "month": month}
    response = client_for(user).get(TEMPLATE_URL, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def upload(
    alxa: Alxa, user: Any, content: bytes, *, hospital: Hospital | None = None, month: str = "2021-07"
):
    return client_for(user).post(
        UPLOAD_URL,
        {
            "file": io.BytesIO(content),
            "campaign": alxa.campaign.pk,
            "hospital": (hospital or alxa.h004).pk,
            "month": month,
        },
        format="multipart",
    )


def rows_by_code(ws: Worksheet) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for r in range(5, ws.max_row + 1):
        code = ws[f"A{r}"].value
        if code:
            found.setdefault(str(code), []).append(r)
    return found


def fill(content: bytes, edit: Callable[[Worksheet, dict[str, list[int]]], None]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb[DATA_SHEET]
    edit(ws, rows_by_code(ws))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_template_is_pre_filled_protected_and_validated(alxa: Alxa) -> None:
    indicator_value_save(
        actor=None, channel="system", indicator=alxa.campaign.indicators.get(code="O1.1-a"),
        hospital=alxa.h004, month=JULY, count=4,
    )  # fmt: skip
    indicator_value_save(
        actor=None, channel="system", indicator=alxa.campaign.indicators.get(code="O2.1-a"),
        hospital=alxa.h004, month=dt.date(2020, 7, 1), numerator=20, denominator=100,
    )  # fmt: skip
    wb = openpyxl.load_workbook(io.BytesIO(download(alxa, alxa.reporter, alxa.h004)))
    assert wb.sheetnames == [DATA_SHEET, META_SHEET]
    meta = wb[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    assert [[c.value for c in row] for row in meta.iter_rows(max_col=2)] == [
        ["template", "jjx-indicator-values"],
        ["version", "1"],
        ["campaign", "alxa-2021"],
        ["unit_kind", "hospital"],
        ["unit_code", "H004"],
        ["month", "2021-07"],
    ]
    ws = wb[DATA_SHEET]
    assert ws.protection.sheet
    assert [c.value for c in ws[4]] == [
        "指标编码",
        "指标名称",
        "填报项",
        "分子 / 数量",
        "分母",
        "是否(是/否)",
        "上年同月",
        "情况说明",
    ]
    rows = rows_by_code(ws)
    # Only what H004 (secondary, not city tertiary) reports: no O5.x, no banner-level indicator.
    assert "O5.1-a" not in rows
    assert "O5.2-a" not in rows
    assert "O1.2-b" not in rows
    assert len(rows["O1.2-a"]) == 3  # one row per part
    count_row, ratio_row = rows["O1.1-a"][0], rows["O2.1-a"][0]
    assert ws[f"D{count_row}"].value == 4
    assert ws[f"G{ratio_row}"].value == "20/100 = 20.0%"
    assert not ws[f"D{ratio_row}"].protection.locked
    assert not ws[f"E{ratio_row}"].protection.locked
    assert ws[f"B{ratio_row}"].protection.locked
    assert ws[f"E{count_row}"].protection.locked  # a count has no denominator
    validations = {str(dv.sqref): dv.type for dv in ws.data_validations.dataValidation}
    assert any(f"D{ratio_row}" in ref and kind == "decimal" for ref, kind in validations.items())
    assert any(f"D{count_row}" in ref and kind == "whole" for ref, kind in validations.items())
    assert any(f"F{rows['O1.2-a'][0]}" in ref and kind == "list" for ref, kind in validations.items())


@pytest.mark.django_db
def test_round_trip_download_fill_upload_confirm(alxa: Alxa) -> None:
    template = download(alxa, alxa.reporter, alxa.h004)

    def edit(ws: Worksheet, rows: dict[str, list[int]]) -> None:
        ws[f"D{rows['O2.1-a'][0]}"] = 12345.67
        ws[f"E{rows['O2.1-a'][0]}"] = 98765.43
        ws[f"H{rows['O2.1-a'][0]}"] = "新开康复科"
        ws[f"D{rows['O1.1-a'][0]}"] = 12
        ws[f"D{rows['O2.3-a'][0]}"] = 150  # 医护比: nurses may outnumber physicians
        ws[f"E{rows['O2.3-a'][0]}"] = 100
        for r, answer in zip(rows["O1.2-a"], ["是", "否", "是"], strict=True):
            ws[f"F{r}"] = answer
        ws[f"F{rows['O4.2-a'][0]}"] = "否"

    response = upload(alxa, alxa.reporter, fill(template, edit))
    assert response.status_code == 201, response.content
    dry_run = response.json()
    assert dry_run["status"] == "pending"
    assert dry_run["errors"] == []
    assert not IndicatorValue.objects.exists()  # a dry run writes nothing
    changes = {(c["indicator_code"], c["field"]): (c["old"], c["new"]) for c in dry_run["changes"]}
    assert changes[("O2.1-a", "numerator")] == (None, "12345.67")
    assert changes[("O2.1-a", "denominator")] == (None, "98765.43")
    assert changes[("O1.1-a", "count")] == (None, 12)
    assert changes[("O1.2-a", "answers")] == (None, [True, False, True])
    assert all(c["cell"].startswith(f"{DATA_SHEET}!") for c in dry_run["changes"])

    confirm = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run['id']}/confirm/")
    assert confirm.status_code == 200, confirm.content
    assert confirm.json()["status"] == "confirmed"
    stored = {v.indicator.code: v for v in IndicatorValue.objects.select_related("indicator")}
    assert set(stored) == {"O2.1-a", "O1.1-a", "O2.3-a", "O1.2-a", "O4.2-a"}
    ratio = stored["O2.1-a"]
    assert (ratio.numerator, ratio.denominator) == (Decimal("12345.67"), Decimal("98765.43"))
    assert ratio.explanation == "新开康复科"
    assert stored["O1.1-a"].count == 12
    assert stored["O1.2-a"].answers == [True, False, True]
    assert stored["O4.2-a"].answers == [False]
    assert all(v.hospital == alxa.h004 and v.month == JULY for v in stored.values())
    record = history_of(ratio).get()
    assert (record.channel, record.action, record.actor) == ("excel", "indicator_value_create", alxa.reporter)
    assert record.changes["numerator"] == [None, "12345.67"]

    # Confirming twice writes nothing twice.
    again = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run['id']}/confirm/")
    assert again.status_code == 400
    assert again.json()["code"] == "import_not_pending"

    # A second upload of the re-downloaded template shows old → new for what changed only.
    second = fill(
        download(alxa, alxa.reporter, alxa.h004), lambda ws, rows: ws.__setitem__(f"D{rows['O1.1-a'][0]}", 13)
    )
    changes2 = upload(alxa, alxa.reporter, second).json()["changes"]
    assert [(c["indicator_code"], c["field"], c["old"], c["new"]) for c in changes2] == [
        ("O1.1-a", "count", 12, 13)
    ]


@pytest.mark.django_db
def test_baselines_load_the_same_way(alxa: Alxa) -> None:
    template = download(alxa, alxa.reporter, alxa.h004, month="2020-07")
    assert "上年基线" in str(openpyxl.load_workbook(io.BytesIO(template))[DATA_SHEET]["A1"].value)
    filled = fill(template, lambda ws, rows: ws.__setitem__(f"D{rows['O1.1-a'][0]}", 7))
    dry_run = upload(alxa, alxa.reporter, filled, month="2020-07").json()
    assert (
        client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run['id']}/confirm/").status_code
        == 200
    )
    value = IndicatorValue.objects.get()
    assert value.month == dt.date(2020, 7, 1)
    assert value.is_baseline
    assert value.count == 7


@pytest.mark.django_db
def test_every_error_is_listed_by_cell_and_nothing_is_written(alxa: Alxa) -> None:
    def edit(ws: Worksheet, rows: dict[str, list[int]]) -> None:
        ws[f"D{rows['O2.1-a'][0]}"] = 5
        ws[f"E{rows['O2.1-a'][0]}"] = 0
        ws[f"D{rows['O2.2-a'][0]}"] = 101
        ws[f"E{rows['O2.2-a'][0]}"] = 100
        ws[f"D{rows['O1.1-a'][0]}"] = -3
        ws[f"D{rows['O1.1-b'][0]}"] = "三个"
        ws[f"F{rows['O1.2-a'][1]}"] = "是"  # one part of three answered
        ws[f"F{rows['O4.2-a'][0]}"] = "也许"
        ws[f"D{rows['O2.3-c'][0]}"] = 4  # a correct row among the wrong ones

    response = upload(alxa, alxa.reporter, fill(download(alxa, alxa.reporter, alxa.h004), edit))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "invalid"
    rows = rows_by_code(
        openpyxl.load_workbook(io.BytesIO(download(alxa, alxa.reporter, alxa.h004)))[DATA_SHEET]
    )
    errors = {(e["cell"], e["code"]) for e in body["errors"]}
    assert errors == {
        (f"E{rows['O2.1-a'][0]}", "zero_denominator"),
        (f"D{rows['O2.2-a'][0]}", "numerator_exceeds_denominator"),
        (f"D{rows['O1.1-a'][0]}", "negative"),
        (f"D{rows['O1.1-b'][0]}", "invalid_number"),
        (f"F{rows['O1.2-a'][0]}", "wrong_shape"),
        (f"F{rows['O4.2-a'][0]}", "wrong_shape"),
    }
    assert all(e["sheet"] == DATA_SHEET and e["message"] for e in body["errors"])
    confirm = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{body['id']}/confirm/")
    assert confirm.status_code == 400
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_confirming_after_the_values_changed_is_refused(alxa: Alxa) -> None:
    filled = fill(
        download(alxa, alxa.reporter, alxa.h004), lambda ws, rows: ws.__setitem__(f"D{rows['O1.1-a'][0]}", 9)
    )
    dry_run = upload(alxa, alxa.reporter, filled).json()
    indicator_value_save(
        actor=alxa.reporter, channel="web", indicator=alxa.campaign.indicators.get(code="O1.1-a"),
        hospital=alxa.h004, month=JULY, count=5,
    )  # fmt: skip
    response = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run['id']}/confirm/")
    assert response.status_code == 400
    assert response.json()["code"] == "stale_import"
    assert IndicatorValue.objects.get().count == 5


@pytest.mark.django_db
def test_a_correction_after_a_dry_run_that_showed_no_change_for_it_is_not_written_back(alxa: Alxa) -> None:
    o11a = alxa.campaign.indicators.get(code="O1.1-a")
    indicator_value_save(
        actor=None, channel="system", indicator=o11a, hospital=alxa.h004, month=JULY, count=4
    )
    template = download(alxa, alxa.reporter, alxa.h004)
    rows = rows_by_code(openpyxl.load_workbook(io.BytesIO(template))[DATA_SHEET])
    # The hospital fills another indicator; O1.1-a stays pre-filled with the stored 4.
    filled = fill(template, lambda ws, r: ws.__setitem__(f"D{r['O1.1-b'][0]}", 2))
    dry_run = upload(alxa, alxa.reporter, filled).json()
    assert dry_run["status"] == "pending"
    assert [c["indicator_code"] for c in dry_run["changes"]] == ["O1.1-b"]
    # A reviewer corrects O1.1-a in between.
    indicator_value_save(
        actor=alxa.admin, channel="web", indicator=o11a, hospital=alxa.h004, month=JULY, count=5,
        reason="核对原始记录后更正",
    )  # fmt: skip

    response = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run['id']}/confirm/")

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "stale_import"
    assert f"{DATA_SHEET}!D{rows['O1.1-a'][0]}（O1.1-a 数量：预览时为4，现为5）" in body["message"]
    assert "未导入任何数据" in body["message"]
    assert IndicatorValue.objects.get(indicator=o11a).count == 5
    assert not IndicatorValue.objects.filter(indicator__code="O1.1-b").exists()
    assert [r.channel for r in history_of(IndicatorValue.objects.get(indicator=o11a))] == ["web", "system"]
    assert IndicatorImport.objects.get(pk=dry_run["id"]).status == IndicatorImport.Status.PENDING


@pytest.mark.django_db
def test_a_yes_no_part_changed_after_the_dry_run_is_named_by_its_own_cell(alxa: Alxa) -> None:
    o12a = alxa.campaign.indicators.get(code="O1.2-a")
    indicator_value_save(
        actor=None, channel="system", indicator=o12a, hospital=alxa.h004, month=JULY,
        answers=[True, True, True],
    )  # fmt: skip
    template = download(alxa, alxa.reporter, alxa.h004)
    rows = rows_by_code(openpyxl.load_workbook(io.BytesIO(template))[DATA_SHEET])
    dry_run = upload(alxa, alxa.reporter, fill(template, lambda ws, r: None)).json()
    assert dry_run["status"] == "pending"
    assert dry_run["changes"] == []
    indicator_value_save(
        actor=alxa.admin, channel="web", indicator=o12a, hospital=alxa.h004, month=JULY,
        answers=[True, False, True], reason="更正",
    )  # fmt: skip

    response = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run['id']}/confirm/")

    assert response.status_code == 400
    message = response.json()["message"]
    assert f"{DATA_SHEET}!F{rows['O1.2-a'][1]}（O1.2-a 是否：预览时为是、是、是，现为是、否、是）" in message
    assert f"F{rows['O1.2-a'][0]}" not in message
    assert IndicatorValue.objects.get(indicator=o12a).answers == [True, False, True]


@pytest.mark.django_db
def test_a_value_entered_after_the_dry_run_for_a_row_it_would_create_is_not_overwritten(alxa: Alxa) -> None:
    template = download(alxa, alxa.reporter, alxa.h004)
    rows = rows_by_code(openpyxl.load_workbook(io.BytesIO(template))[DATA_SHEET])
    dry_run = upload(
        alxa, alxa.reporter, fill(template, lambda ws, r: ws.__setitem__(f"D{r['O1.1-a'][0]}", 3))
    ).json()
    indicator_value_save(
        actor=alxa.reporter, channel="web", indicator=alxa.campaign.indicators.get(code="O1.1-a"),
        hospital=alxa.h004, month=JULY, count=3,
    )  # fmt: skip

    response = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run['id']}/confirm/")

    assert response.status_code == 400
    assert (
        f"{DATA_SHEET}!D{rows['O1.1-a'][0]}（O1.1-a 数量：预览时为空，现为3）" in response.json()["message"]
    )
    assert IndicatorValue.objects.count() == 1


@pytest.mark.django_db
def test_a_confirm_with_nothing_changed_since_the_dry_run_writes_every_row(alxa: Alxa) -> None:
    o11a = alxa.campaign.indicators.get(code="O1.1-a")
    indicator_value_save(
        actor=None, channel="system", indicator=o11a, hospital=alxa.h004, month=JULY, count=4
    )
    filled = fill(
        download(alxa, alxa.reporter, alxa.h004), lambda ws, r: ws.__setitem__(f"D{r['O1.1-b'][0]}", 2)
    )
    dry_run = upload(alxa, alxa.reporter, filled).json()

    response = client_for(alxa.reporter).post(f"/api/v1/indicator-imports/{dry_run['id']}/confirm/")

    assert response.status_code == 200, response.content
    assert IndicatorValue.objects.get(indicator=o11a).count == 4
    assert IndicatorValue.objects.get(indicator__code="O1.1-b").count == 2


@pytest.mark.django_db
def test_a_reporter_cannot_download_or_upload_for_another_hospital(alxa: Alxa) -> None:
    params: dict[str, Any] = {"campaign": alxa.campaign.pk, "hospital": alxa.h006.pk, "month": "2021-07"}
    assert client_for(alxa.reporter).get(TEMPLATE_URL, params).status_code == 404
    template = download(alxa, alxa.admin, alxa.h006)
    assert upload(alxa, alxa.reporter, template, hospital=alxa.h006).status_code == 403
    assert not IndicatorImport.objects.exists()


# --- the malicious-upload corpus ----------------------------------------------------------------------


def _rezip(content: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


ENTITY_BOMB = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheets><sheet name="&lol9;" sheetId="1"/></sheets></workbook>
"""


def _entity_bomb(template: bytes, alxa: Alxa) -> bytes:
    return _rezip(template, {"xl/workbook.xml": ENTITY_BOMB})


def _zip_bomb(template: bytes, alxa: Alxa) -> bytes:
    # 60 MB of zeros deflate to ~60 kB: small on the wire, over the 50 MB uncompressed cap.
    return _rezip(template, {}, {"xl/media/padding.bin": bytes(60 * 1024 * 1024)})


def _many_entries(template: bytes, alxa: Alxa) -> bytes:
    return _rezip(template, {}, {f"xl/media/image{n}.png": b"x" for n in range(250)})


def _renamed_binary(template: bytes, alxa: Alxa) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def _not_a_spreadsheet_zip(template: bytes, alxa: Alxa) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        z.writestr("readme.txt", b"hello")
    return out.getvalue()


def _xlsm_with_macros(template: bytes, alxa: Alxa) -> bytes:
    types = zipfile.ZipFile(io.BytesIO(template)).read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    return _rezip(template, {"[Content_Types].xml": types}, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})


def _wrong_template(template: bytes, alxa: Alxa) -> bytes:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "指标编码"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _old_version(template: bytes, alxa: Alxa) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(template))
    wb[META_SHEET]["B2"] = "0"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _other_hospital(template: bytes, alxa: Alxa) -> bytes:
    return indicator_template_build(campaign=alxa.campaign, month=JULY, hospital=alxa.h006)


def _other_month(template: bytes, alxa: Alxa) -> bytes:
    return indicator_template_build(campaign=alxa.campaign, month=dt.date(2021, 8, 1), hospital=alxa.h004)


def _oversized(template: bytes, alxa: Alxa) -> bytes:
    return template + bytes(5 * 1024 * 1024)


CORPUS: dict[str, tuple[Callable[[bytes, Alxa], bytes], str]] = {
    "entity bomb": (_entity_bomb, "unsafe_xml"),
    "zip bomb": (_zip_bomb, "too_large_uncompressed"),
    "too many entries": (_many_entries, "too_many_entries"),
    "renamed binary": (_renamed_binary, "not_xlsx"),
    "zip that is not a workbook": (_not_a_spreadsheet_zip, "not_xlsx"),
    "xlsm with macros": (_xlsm_with_macros, "macro_enabled"),
    "wrong template": (_wrong_template, "wrong_template"),
    "old template version": (_old_version, "wrong_template_version"),
    "other hospital": (_other_hospital, "other_unit"),
    "other month": (_other_month, "other_month"),
    "over the size limit": (_oversized, "file_too_large"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_malicious_corpus_is_refused_quickly_and_writes_nothing(alxa: Alxa, name: str) -> None:
    make, code = CORPUS[name]
    content = make(indicator_template_build(campaign=alxa.campaign, month=JULY, hospital=alxa.h004), alxa)
    started = time.monotonic()
    response = upload(alxa, alxa.admin, content)
    elapsed = time.monotonic() - started
    assert response.status_code == 400, (name, response.content[:300])
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    assert elapsed < CORPUS_SECONDS, f"{name} took {elapsed:.2f} s"
    assert not IndicatorImport.objects.exists()
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_openpyxl_itself_refuses_the_entity_bomb_through_defusedxml(alxa: Alxa) -> None:
    """Defence in depth: even past the DOCTYPE scan, openpyxl's parser refuses the bomb (defusedxml, or
    lxml's amplification limit where lxml is installed, as python-docx brings it)."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML or openpyxl.xml.LXML
    bomb = _entity_bomb(
        indicator_template_build(campaign=alxa.campaign, month=JULY, hospital=alxa.h004), alxa
    )
    started = time.monotonic()
    with pytest.raises(ValidationError) as info:
        read_workbook(bomb)
    assert time.monotonic() - started < CORPUS_SECONDS
    assert info.value.error_dict["file"][0].code == "unsafe_xml"
