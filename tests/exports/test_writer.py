import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from exports.writer import (
    BOOL,
    DATE,
    DATETIME,
    DECIMAL,
    INT,
    PERCENT,
    Column,
    Sheet,
    neutralise,
    write_workbook,
)
from tests.exports.libreoffice import libreoffice_sheets

COLUMNS = [
    Column("名称", width=25),
    Column("日期", type=DATE),
    Column("时间", type=DATETIME),
    Column("人数", type=INT),
    Column("金额", type=DECIMAL),
    Column("比例", type=PERCENT),
    Column("是否", type=BOOL),
]
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOSTILE = [
    '=HYPERLINK("http://x","点我")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\x00=1+1",
    "#N/A",
    "=",
]


def formula_cells(path: Path) -> list[str]:
    wb = load_workbook(path)
    return [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_cells_are_typed_and_the_header_frozen(tmp_path: Path) -> None:
    path = tmp_path / "typed.xlsx"
    when = dt.datetime(2021, 7, 1, 1, 30, tzinfo=dt.UTC)  # 09:30 in Shanghai
    rows = [("院内宣讲", dt.date(2021, 7, 1), when, 120, Decimal("12.50"), 0.125, True), [None] * 7]
    assert write_workbook(path, [Sheet("台账", COLUMNS, rows)]) == 2

    ws = load_workbook(path)["台账"]
    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS]
    assert ws[1][0].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == 25
    assert ws.column_dimensions["B"].width == 12
    name, day, moment, count, amount, share, flag = ws[2]
    assert name.value == "院内宣讲"
    assert (day.value, day.is_date, day.number_format) == (dt.datetime(2021, 7, 1), True, "yyyy-mm-dd")
    assert (moment.value, moment.is_date) == (dt.datetime(2021, 7, 1, 9, 30), True)
    assert (count.value, count.data_type) == (120, "n")
    assert (amount.value, amount.number_format) == (12.5, "0.00")
    assert (share.value, share.number_format) == (0.125, "0.00%")
    assert flag.value == "是"
    assert all(c.value is None for c in ws[3])


def test_user_text_never_becomes_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "hostile.xlsx"
    rows = [(text, None, None, None, None, None, None) for text in HOSTILE]
    write_workbook(path, [Sheet("注入", [Column("=标题"), *COLUMNS[1:]], rows)])

    assert formula_cells(path) == []
    ws = load_workbook(path).active
    assert ws["A1"].value == "'=标题"
    # A CR comes back as a line feed through the standard library's parser and as itself through lxml
    # (which openpyxl uses when it is installed): either way it is text after the apostrophe.
    values = [str(ws.cell(row=i, column=1).value).replace("\r", "\n") for i in range(2, len(HOSTILE) + 2)]
    assert values == [
        '\'=HYPERLINK("http://x","点我")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1:A2)",
        "'\t=1+1",
        "'\n=1+1",
        "'=1+1",
        "'#N/A",
        "'=",
    ]
    assert all(ws.cell(row=i, column=1).data_type == "s" for i in range(2, len(HOSTILE) + 2))


@pytest.mark.parametrize(
    ("text", "safe"),
    [("普通文字", "普通文字"), ("a=b", "a=b"), ("3-2", "3-2"), ("", ""), ("x\x07y", "xy"), ("\x01-1", "'-1")],
)
def test_neutralise_leaves_ordinary_text_alone(text: str, safe: str) -> None:
    assert neutralise(text) == safe


def test_several_sheets_with_safe_unique_titles(tmp_path: Path) -> None:
    path = tmp_path / "multi.xlsx"
    sheets = [
        Sheet("一、宣讲情况", COLUMNS[:1], [("a",)]),
        Sheet("二、任务/进度[汇总]", COLUMNS[:1], [("b",)]),
        Sheet("一、宣讲情况", COLUMNS[:1], [("c",)], notes=["注：数据截至月底。"]),
    ]
    assert write_workbook(path, sheets) == 3
    wb = load_workbook(path)
    assert wb.sheetnames == ["一、宣讲情况", "二、任务_进度_汇总_", "一、宣讲情况(2)"]
    assert wb["一、宣讲情况(2)"]["A4"].value == "注：数据截至月底。"
    assert all(ws.freeze_panes == "A2" for ws in wb.worksheets)


def test_progress_is_reported_in_steps_and_at_the_end(tmp_path: Path) -> None:
    seen: list[int] = []
    rows = [(str(i),) for i in range(5)]
    write_workbook(
        tmp_path / "p.xlsx", [Sheet("s", COLUMNS[:1], rows)], progress=seen.append, progress_every=2
    )
    assert seen == [2, 4, 5]


def test_libreoffice_opens_the_workbook_and_shows_neutralised_text(tmp_path: Path) -> None:
    path = tmp_path / "lo-writer.xlsx"
    rows = [(HOSTILE[0], dt.date(2021, 8, 31), None, 7, Decimal("1.5"), 0.25, False)]
    write_workbook(path, [Sheet("台账", COLUMNS, rows), Sheet("第二页", COLUMNS[:1], [("x",)])])

    sheets = libreoffice_sheets([path])[path]
    assert set(sheets) == {"台账", "第二页"}
    header, row = sheets["台账"]
    assert header == [c.header for c in COLUMNS]
    assert row[0].startswith("'=HYPERLINK")
    assert row[1] == "2021-08-31"
    assert row[3] == "7"
    assert row[5] == "25.00%"
    assert row[6] == "否"


def test_unexpected_types_and_per_row_formats(tmp_path: Path) -> None:
    from exports.writer import Styled

    path = tmp_path / "mixed.xlsx"
    columns = [Column("值"), Column("数", type=INT)]
    rows = [
        (Styled(0.5, "0.00%"), dt.date(2021, 1, 2)),  # a date in a number column keeps a date format
        (Styled(Decimal("3"), "#,##0"), Decimal("2.5")),
        (Styled("=1+1", "@"), True),
        (dt.time(9, 30), None),
    ]
    write_workbook(path, [Sheet("s", columns, rows)])
    ws = load_workbook(path).active
    assert (ws["A2"].value, ws["A2"].number_format) == (0.5, "0.00%")
    assert ws["B2"].is_date
    assert (ws["A3"].value, ws["A3"].number_format) == (3, "#,##0")
    assert ws["B3"].value == 2.5
    assert ws["A4"].value == "'=1+1"
    assert ws["B4"].value is True
    assert ws["A5"].value == dt.time(9, 30)
    assert formula_cells(path) == []
