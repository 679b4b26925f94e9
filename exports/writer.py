"""The streaming workbook writer: typed columns, frozen headers, formula neutralisation, flat memory.

Contract: ``write_workbook(target, sheets)`` writes one .xlsx with one worksheet per ``Sheet``, each with
a bold frozen header row of Chinese ``Column.header``s, the column widths given, and one row per item
of ``Sheet.rows``, in order. Rows are consumed one at a time and written straight to disk by openpyxl's
write-only mode (no cell objects kept, inline strings instead of a shared-string table), so peak memory
does not grow with the number of rows. Feed it ``queryset_rows`` to read a queryset in batches with a
server-side cursor.

Cell types follow the column: ``DATE``/``DATETIME`` cells are Excel dates (a datetime is shown in
Asia/Shanghai local time), ``INT``/``DECIMAL`` numbers, ``PERCENT`` a fraction shown as a percentage
(0.125 → 12.50%), ``BOOL`` 是/否, ``TEXT`` text. Every text value is neutralised (``neutralise``) so that
nothing a user typed can become a formula, whatever the column.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, NamedTuple
from zipfile import ZIP_DEFLATED, ZipFile

from django.db.models import Case, CharField, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from core import clock

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows fetched per round trip by queryset_rows: large enough that the cursor's round trips cost little,
# small enough that one batch of tuples is a few megabytes at most.
BATCH_ROWS = 2000
# First characters that Excel, LibreOffice or a CSV reader may take as the start of a formula or of a
# DDE payload (OWASP "CSV injection"), plus tab and CR which some readers strip before parsing.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)
ERROR_CODE_SET = frozenset(ERROR_CODES)
# Excel's limit on the characters in one cell (openpyxl truncates to it too).
CELL_TEXT_MAX = 32767
# Excel's sheet names are at most 31 characters and may not contain these.
SHEET_TITLE_MAX = 31
SHEET_TITLE_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)


def neutralise(text: str) -> str:
    """Make user text safe to put in a cell: never a formula, an error code or an illegal XML character.

    Control characters that XML cannot carry (NUL and friends) are removed. Text that then starts with
    = + - @, a tab or a CR, or that spells an Excel error code such as ``#N/A``, gets a leading
    apostrophe: both Excel and LibreOffice show it as plain text starting with ``'``, it survives a copy,
    a paste and a conversion to CSV (where a ``quotePrefix`` style would be lost), and the reader sees
    that the value was defused. Text that began with a removed control character is prefixed too.
    """
    if text.isprintable() and text[:1] not in FORMULA_TRIGGER_SET and text not in ERROR_CODE_SET:
        return text[:CELL_TEXT_MAX]  # the common case, decided by C string methods alone
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", text)[:CELL_TEXT_MAX]
    if cleaned != text and text[:1] != cleaned[:1]:
        return "'" + cleaned
    if cleaned.startswith(FORMULA_TRIGGERS) or cleaned in ERROR_CODES:
        return "'" + cleaned
    return cleaned


class Styled(NamedTuple):
    """A value with its own number format, for columns whose rows differ (an indicator table's figures:
    a percentage in one row, a count in the next). ``writer.Styled(0.62, "0.00%")``."""

    value: Any
    number_format: str


class ColumnType(enum.Enum):
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"


DEFAULT_FORMATS: dict[ColumnType, str | None] = {
    ColumnType.TEXT: None,
    ColumnType.INT: None,  # General shows integers as they are, and costs no style per cell
    ColumnType.DECIMAL: "0.00",
    ColumnType.PERCENT: "0.00%",
    ColumnType.DATE: "yyyy-mm-dd",
    ColumnType.DATETIME: "yyyy-mm-dd hh:mm",
    ColumnType.BOOL: None,
}
DEFAULT_WIDTHS = {
    ColumnType.TEXT: 20,
    ColumnType.INT: 10,
    ColumnType.DECIMAL: 12,
    ColumnType.PERCENT: 10,
    ColumnType.DATE: 12,
    ColumnType.DATETIME: 17,
    ColumnType.BOOL: 8,
}


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header, where its value comes from and how it is typed.

    ``source`` is the ``values_list`` lookup that ``queryset_rows`` reads (an annotation name works);
    ``choices`` maps stored values to labels (a ``TextChoices`` enum's ``dict(X.choices)``).
    """

    header: str
    source: str = ""
    type: ColumnType = ColumnType.TEXT
    width: float | None = None
    number_format: str | None = None
    choices: dict[Any, str] | None = None

    @property
    def effective_width(self) -> float:
        return self.width if self.width is not None else DEFAULT_WIDTHS[self.type]

    @property
    def effective_format(self) -> str | None:
        return self.number_format or DEFAULT_FORMATS[self.type]


TEXT, INT, DECIMAL, PERCENT, DATE, DATETIME, BOOL = (
    ColumnType.TEXT,
    ColumnType.INT,
    ColumnType.DECIMAL,
    ColumnType.PERCENT,
    ColumnType.DATE,
    ColumnType.DATETIME,
    ColumnType.BOOL,
)


@dataclass
class Sheet:
    """One worksheet: a title, its columns and its rows (any iterable of sequences, consumed once).

    ``count`` is the number of rows when known in advance (a queryset's ``count()``): it decides whether
    an export runs in the request or as a task, and is the ``rows_total`` of its progress.
    """

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    count: Callable[[], int] | None = None
    notes: Sequence[str] = field(default_factory=tuple)

    def row_count(self) -> int:
        if self.count is not None:
            return self.count()
        if isinstance(self.rows, Sequence):
            return len(self.rows)
        return 0


def queryset_rows(
    queryset: QuerySet[Any],
    columns: Sequence[Column],
    *,
    chunk_size: int = BATCH_ROWS,
    batch_hook: Callable[[list[tuple[Any, ...]]], Iterable[Sequence[Any]]] | None = None,
    extra_fields: Sequence[str] = (),
) -> Iterator[Sequence[Any]]:
    """Rows of ``queryset.values_list(*sources, *extra_fields)``, read ``chunk_size`` at a time.

    On PostgreSQL ``iterator(chunk_size=…)`` is a server-side cursor, so memory holds one batch at most.
    ``batch_hook`` receives each batch (a list of tuples) and returns the rows to write: use it to add
    many-to-many values with ONE query per batch (the number of queries then grows with batches, never
    with rows), and to drop the ``extra_fields`` it used. The tuples hold the columns that have a
    ``source``, in order, then ``extra_fields``; the hook puts the source-less columns' values in their
    places. Columns with ``choices`` get their labels.
    """
    sources = []
    labels: dict[str, Any] = {}
    for index, column in enumerate(c for c in columns if c.source):
        if column.choices:
            # The database writes the label: no Python pass over every row to look it up.
            name = f"_label_{index}"
            whens = [
                When(**{column.source: key}, then=Value(str(label))) for key, label in column.choices.items()
            ]
            labels[name] = Case(*whens, default=Cast(column.source, CharField()), output_field=CharField())
            sources.append(name)
        else:
            sources.append(column.source)
    if labels:
        queryset = queryset.annotate(**labels)
    iterator = queryset.values_list(*sources, *extra_fields).iterator(chunk_size=chunk_size)
    if batch_hook is None:
        yield from iterator
        return
    batch: list[tuple[Any, ...]] = []
    for row in iterator:
        batch.append(row)
        if len(batch) >= chunk_size:
            yield from batch_hook(batch)
            batch = []
    if batch:
        yield from batch_hook(batch)


class ChildRows:
    """Many-to-one children (a lecture's coverage, an item's roadmap) read alongside their parents.

    ``children`` is read with ONE extra server-side cursor, ordered exactly like the parents
    (``parent_order`` are the parent queryset's ``order_by`` fields, ending with ``id``), so a batch hook
    can ``take(parent_id)`` each parent's children in turn: two queries for any number of rows, and no
    more than one batch in memory.
    """

    def __init__(
        self,
        children: QuerySet[Any],
        *,
        parent_field: str,
        parent_order: Sequence[str],
        fields: Sequence[str],
        child_order: Sequence[str] = (),
        chunk_size: int = BATCH_ROWS,
    ) -> None:
        order = [
            f"{parent_field}_id" if name in ("id", "pk") else f"{parent_field}__{name}"
            for name in parent_order
        ]
        self.stream = (
            children.order_by(*order, *child_order)
            .values_list(f"{parent_field}_id", *fields)
            .iterator(chunk_size=chunk_size)
        )
        self.head: tuple[Any, ...] | None = None
        self.started = False

    def take(self, parent_id: Any) -> list[tuple[Any, ...]]:
        if not self.started:
            self.head, self.started = next(self.stream, None), True
        found = []
        while self.head is not None and self.head[0] == parent_id:
            found.append(self.head[1:])
            self.head = next(self.stream, None)
        return found


def _converter(column: Column) -> Callable[[Any], Any] | None:
    if column.type is ColumnType.DATETIME:
        return _local_naive
    if column.type is ColumnType.BOOL:
        return _yes_no
    if column.type is ColumnType.PERCENT or column.type is ColumnType.DECIMAL:
        return _number
    return None


def _local_naive(value: Any) -> Any:
    # Excel has no time zones: write the wall-clock time in Asia/Shanghai.
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _yes_no(value: Any) -> Any:
    if value is True:
        return "是"
    if value is False:
        return "否"
    return value


def _number(value: Any) -> Any:
    # Decimals are written as floats: Excel stores doubles anyway, and float formatting is faster.
    if isinstance(value, Decimal):
        return float(value)
    return value


class SheetWriter:
    """Turns rows into write-only cells, one reusable cell per column.

    openpyxl's ``append`` re-infers every value's type (``Cell._bind_value``) and makes a new cell for
    every styled one. Our columns know their types, so each column keeps one cell (its number format set
    once) whose value and type are set directly, and the worksheet's row generator is replaced by one
    that just numbers those cells: openpyxl still serialises every cell (write-only mode, pinned
    version), it only stops guessing. A value of an unexpected type takes openpyxl's own path.
    """

    def __init__(self, ws: Any, columns: Sequence[Column]) -> None:
        self.ws = ws
        self.width = len(columns)
        self.converters = [(i, conv) for i, c in enumerate(columns) if (conv := _converter(c)) is not None]
        self.cells: list[WriteOnlyCell] = []
        self.dated: list[bool] = []
        self.styled: dict[tuple[int, str], WriteOnlyCell] = {}
        for index, column in enumerate(columns, start=1):
            cell = WriteOnlyCell(ws)
            cell.column = index
            fmt = column.effective_format
            if fmt is not None:
                cell.number_format = fmt
            self.cells.append(cell)
            self.dated.append(column.type in (ColumnType.DATE, ColumnType.DATETIME))
        # openpyxl calls this per appended row; ours numbers the prepared cells (see the class docstring).
        ws._values_to_row = self._number_cells

    def _styled_cell(self, index: int, number_format: str) -> WriteOnlyCell:
        cell = self.styled.get((index, number_format))
        if cell is None:
            cell = WriteOnlyCell(self.ws)
            cell.column = index + 1
            cell.number_format = number_format
            self.styled[(index, number_format)] = cell
        return cell

    @staticmethod
    def _number_cells(cells: list[Any], row_idx: int) -> Iterator[Any]:
        for cell in cells:
            cell.row = row_idx
            yield cell

    def header(self, columns: Sequence[Column]) -> None:
        cells = []
        for index, column in enumerate(columns, start=1):
            cell = WriteOnlyCell(self.ws, value=neutralise(column.header))
            cell.column = index
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = HEADER_ALIGNMENT
            cells.append(cell)
        self.ws.append(cells)

    def values(self, row: Sequence[Any]) -> list[Any]:
        """The cell values of a row: text neutralised, datetimes local, booleans 是/否, decimals floats."""
        out = list(row[: self.width])
        for i, value in enumerate(out):
            if type(value) is str:
                out[i] = neutralise(value)
        for i, conv in self.converters:
            if out[i] is not None:
                out[i] = conv(out[i])
        return out

    def row(self, row: Sequence[Any]) -> None:
        cells = []
        for i, value in enumerate(self.values(row)):
            if value is None:
                continue
            kind = type(value)
            cell = self.cells[i]
            if kind is Styled:
                cell = self._styled_cell(i, value.number_format)
                value = value.value
                if value is None:
                    continue
                kind = type(value)
                if kind is Decimal:
                    value, kind = float(value), float
                elif kind is str:
                    value = neutralise(value)
            if kind is str:
                cell.data_type = "s"
            elif kind is int or kind is float or kind is Decimal:
                cell.data_type = "n"
            elif kind is bool:
                cell.data_type = "b"
            elif (kind is dt.date or kind is dt.datetime) and (self.dated[i] or cell is not self.cells[i]):
                cell.data_type = "d"
            else:
                cell = WriteOnlyCell(self.ws, value=value)
                cell.column = i + 1
                cells.append(cell)
                continue
            cell._value = value
            cells.append(cell)
        self.ws.append(cells)


# Rows between two progress callbacks: one UPDATE of the job row per this many rows.
PROGRESS_EVERY = 2000


def write_workbook(
    target: str | os.PathLike[str] | IO[bytes],
    sheets: Iterable[Sheet],
    *,
    progress: Callable[[int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> int:
    """Write ``sheets`` to ``target`` (a path or a binary file) and return the number of data rows.

    ``progress(rows_done)`` is called every ``progress_every`` rows and once at the end.
    """
    workbook = Workbook(write_only=True)
    done = 0
    seen_titles: set[str] = set()
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title, seen_titles))
        for index, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.effective_width
        ws.freeze_panes = "A2"
        writer = SheetWriter(ws, sheet.columns)
        writer.header(sheet.columns)
        for values in sheet.rows:
            writer.row(values)
            done += 1
            if progress is not None and done % progress_every == 0:
                progress(done)
        for note in sheet.notes:
            ws.append([])
            writer.row([note])
    if not workbook.worksheets:
        workbook.create_sheet("空")
    save_workbook(workbook, target)
    if progress is not None:
        progress(done)
    return done


def save_workbook(workbook: Workbook, target: str | os.PathLike[str] | IO[bytes]) -> None:
    """``workbook.save(target)`` with the file's 创建时间 and 修改时间 (its core properties, shown by Excel
    and LibreOffice) on the one clock: openpyxl stamps the real time. Properties are in UTC."""
    moment = clock.now().astimezone(dt.UTC).replace(tzinfo=None)
    workbook.properties.created = workbook.properties.modified = moment
    ExcelWriter(workbook, ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True)).save()


def _sheet_title(title: str, seen: set[str]) -> str:
    base = (title.translate(SHEET_TITLE_FORBIDDEN).strip("'") or "Sheet")[:SHEET_TITLE_MAX]
    candidate, n = base, 2
    while candidate in seen:
        suffix = f"({n})"
        candidate, n = base[: SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
    seen.add(candidate)
    return candidate
