"""The onboarding workbook (SPEC §11): a league's hospitals, departments, people and their posts,
alliances and accounts in one Excel workbook — download it empty or pre-filled, fill it offline, upload
it, read the dry run, confirm.

Contract:

- ``onboarding_workbook_build`` makes the workbook of one league: a sheet per kind of row (医院, 科室,
  人员, 职务, 医联体, 账号), a reference sheet of the league's units and a hidden sheet naming the
  template, its version and the league. Pre-filled, it holds every row the league has; loading it back
  unchanged changes nothing.
- ``onboarding_import_create`` inspects the upload as a zip before openpyxl reads it
  (``core.xlsx.inspect_xlsx``), checks that it is our workbook for that league, and stores the dry run:
  every error by sheet and A1 cell, every row it would create or change with each field old → new.
  Rows are keyed by their codes (hospital, person, alliance codes, user names; a department by its
  hospital and name, a post by person, role, organisation and start date), so a second load of the same
  workbook finds every row as it is and changes nothing. Nothing is deleted: a row missing from the
  workbook stays as it is (people leave through their posts' end dates).
- ``onboarding_import_confirm`` plans the stored rows again against the database, refuses (nothing
  written) when that plan is no longer the one the dry run showed, and otherwise writes everything in
  one transaction, in bulk (a fixed number of queries per kind of row, whatever the number of
  hospitals), with a history row per created or changed row (channel "excel"). New accounts get a
  one-time password each; the confirm returns them, once, and keeps only their hashes.

Who: a league's own reviewer (role 盟审核员 whose unit is the league) or an admin; every code the workbook
names must be of that league (its banners, hospitals, people, alliances and accounts): another league's
is an error of its cell.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core import clock
from core.refusals import Refusals
from core.xlsx import cell_text, inspect_xlsx, read_meta, read_workbook, refuse, write_meta
from exports.writer import neutralise, save_workbook
from hospitals.accounts import account_new
from hospitals.audit import record_change
from hospitals.models import (
    ChangeRecord,
    Department,
    Hospital,
    MedicalAlliance,
    OnboardingImport,
    OrgUnit,
    Person,
    Post,
    Role,
    User,
)
from hospitals.people import SINGLE_HOLDER_ROLES, PersonData, user_manages_accounts
from hospitals.people import _check_person as check_person
from hospitals.people import _clean as clean_person
from hospitals.selectors import AnyUser

TEMPLATE_ID = "jjx-onboarding"
# Bump when the layout changes: an old file is then refused instead of being read wrongly.
TEMPLATE_VERSION = "1"
HEADER_ROW = 1
FIRST_ROW = HEADER_ROW + 1
YES, NO = "是", "否"
# Codes are typed by hand and end up in URLs and file names: letters, digits, "-" and "_".
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
# Members of an alliance in one cell: separated by 、 , ， ; ； or spaces.
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")
HEADER_FILL = PatternFill("solid", fgColor="EEEEEE")
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
# The roles a league may give in its workbook: everything but 系统管理员 (an admin sees every league).
ACCOUNT_ROLES = {
    Role.HOSPITAL_REPORTER.label: Role.HOSPITAL_REPORTER.value,
    Role.BANNER_REVIEWER.label: Role.BANNER_REVIEWER.value,
    Role.LEAGUE_REVIEWER.label: Role.LEAGUE_REVIEWER.value,
}


# ------------------------------------------------------------------------------------------ layout


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the row's field it fills, its header and how its cells are read."""

    key: str
    header: str
    kind: str = "text"  # text | code | choice | bool | int | date | codes
    required: bool = False
    width: int = 14
    max_length: int = 100
    choices: Mapping[str, str] = field(default_factory=dict)  # label in the cell → stored value
    offered: tuple[str, ...] = ()  # the labels Excel's list offers, when not every accepted one
    default: Any = None  # what an empty cell means


@dataclass(frozen=True)
class SheetSpec:
    key: str  # the rows' key in the stored dry run ("hospitals")
    title: str  # the sheet's name ("医院")
    entity: str  # what one row is, in words
    columns: tuple[Column, ...]
    note: str

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def letter(self, key: str) -> str:
        return get_column_letter(next(i for i, c in enumerate(self.columns, start=1) if c.key == key))


ROLES = {label: value for value, label in Role.choices}
LEVELS = {label: value for value, label in Hospital.Level.choices}
TYPES = {label: value for value, label in Hospital.Type.choices}
POST_ROLES = {label: value for value, label in Post.Role.choices}
ALLIANCE_KINDS = {label: value for value, label in MedicalAlliance.Kind.choices}

HOSPITALS = SheetSpec(
    "hospitals",
    "医院",
    "医院",
    (
        Column("code", "机构编码", "code", required=True, width=12),
        Column("name", "医院名称", required=True, width=30),
        Column("banner", "所属旗(区)编码", "code", required=True, width=16),
        Column("level", "等级", "choice", required=True, width=8, choices=LEVELS),
        Column("type", "类别", "choice", width=12, choices=TYPES, default=Hospital.Type.GENERAL),
        Column("is_city_tertiary", "城市三级医院", "bool", width=14, default=False),
        Column("staff_count", "在职职工数", "int", width=12, default=0),
    ),
    "每行一家医院；机构编码是医院的唯一标识，已有的医院按编码更新。所属旗(区)见“单位编码”表。",
)
DEPARTMENTS = SheetSpec(
    "departments",
    "科室",
    "科室",
    (
        Column("hospital", "机构编码", "code", required=True, width=12),
        Column("name", "科室名称", required=True, width=20, max_length=50),
        Column("head", "科室主任(人员编码)", "code", width=20),
    ),
    "每行一个科室，按“机构编码+科室名称”识别；科室主任填本院人员的人员编码。",
)
PEOPLE = SheetSpec(
    "people",
    "人员",
    "人员",
    (
        Column("code", "人员编码", "code", required=True, width=14),
        Column("name", "姓名", required=True, width=12, max_length=50),
        Column("hospital", "所在医院(机构编码)", "code", width=18),
        Column("org_unit", "所在卫生健康委(单位编码)", "code", width=22),
        Column("title", "职务名称", width=20),
        Column("email", "电子邮箱", width=26, max_length=254),
        Column("phone", "联系电话", width=16, max_length=30),
    ),
    "每行一人，按人员编码识别；所在医院与所在卫生健康委二选一。",
)
POSTS = SheetSpec(
    "posts",
    "职务",
    "任职",
    (
        Column("person", "人员编码", "code", required=True, width=14),
        Column("role", "职务", "choice", required=True, width=22, choices=POST_ROLES),
        Column("hospital", "医院(机构编码)", "code", width=16),
        Column("org_unit", "卫生健康委(单位编码)", "code", width=20),
        Column("start_on", "任职日期", "date", required=True, width=12),
        Column("end_on", "离任日期", "date", width=12),
    ),
    "每行一段任职，按“人员+职务+单位+任职日期”识别；书记、院长填医院，卫生健康委负责人填单位；"
    "同一单位同一职务的任期不能重叠，离任请填离任日期。",
)
ALLIANCES = SheetSpec(
    "alliances",
    "医联体",
    "医联体",
    (
        Column("code", "编码", "code", required=True, width=12),
        Column("name", "名称", required=True, width=24),
        Column("kind", "类型", "choice", required=True, width=10, choices=ALLIANCE_KINDS),
        Column("assessed_by", "考核单位(单位编码)", "code", required=True, width=18),
        Column("lead_hospital", "牵头医院(机构编码)", "code", required=True, width=18),
        Column("members", "成员医院(机构编码，用、分隔)", "codes", required=True, width=36, max_length=2000),
    ),
    "每行一个医联体，按编码识别；医疗集团由盟考核，医共体由旗(区)考核；成员医院须含牵头医院。",
)
ACCOUNTS = SheetSpec(
    "accounts",
    "账号",
    "账号",
    (
        Column("username", "用户名", required=True, width=14, max_length=150),
        Column("first_name", "姓名", width=16, max_length=150),
        # Every role is read, so that 系统管理员 is refused by name (bad_role); the list offers the three.
        Column(
            "role", "角色", "choice", required=True, width=14, choices=ROLES, offered=tuple(ACCOUNT_ROLES)
        ),
        Column("hospital", "所属医院(机构编码)", "code", width=18),
        Column("org_unit", "所属单位(单位编码)", "code", width=18),
        Column("email", "电子邮箱", width=26, max_length=254),
        Column("is_active", "启用", "bool", width=8, default=True),
    ),
    "每行一个账号，按用户名识别；医院填报员填所属医院，旗(区)审核员填旗(区)编码，盟审核员填盟编码。"
    "新账号在确认导入后获得一次性初始密码(只显示一次)，首次登录须修改。",
)
SHEETS: tuple[SheetSpec, ...] = (HOSPITALS, DEPARTMENTS, PEOPLE, POSTS, ALLIANCES, ACCOUNTS)
UNITS_SHEET = "单位编码"
README_SHEET = "说明"

# Field names as the dry run and the history show them.
FIELD_LABELS = {
    "name": "名称",
    "banner": "所属旗(区)",
    "level": "等级",
    "type": "类别",
    "is_city_tertiary": "城市三级医院",
    "staff_count": "在职职工数",
    "head": "科室主任",
    "hospital": "医院",
    "org_unit": "单位",
    "title": "职务名称",
    "email": "电子邮箱",
    "phone": "联系电话",
    "person": "人员",
    "role": "职务/角色",
    "start_on": "任职日期",
    "end_on": "离任日期",
    "kind": "类型",
    "assessed_by": "考核单位",
    "lead_hospital": "牵头医院",
    "members": "成员医院",
    "first_name": "姓名",
    "is_active": "启用",
}
VALUE_LABELS: dict[str, dict[Any, str]] = {
    "level": dict(Hospital.Level.choices),
    "type": dict(Hospital.Type.choices),
    "kind": dict(MedicalAlliance.Kind.choices),
    "role": {**dict(Post.Role.choices), **dict(Role.choices)},
}


def shown(field_name: str, value: Any) -> str:
    """A stored value as the dry run shows it: labels for choices, 是/否, codes joined with 、, 空."""
    if value is None or value == "" or value == []:
        return "空"
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return VALUE_LABELS.get(field_name, {}).get(value, str(value))


# ------------------------------------------------------------------------------------------- access


def onboarding_league_for(user: AnyUser) -> OrgUnit | None:
    """The league a user onboards without choosing: a league admin's own (None for anyone else)."""
    if isinstance(user, User) and user.role == Role.ADMIN and user.org_unit is not None:
        return user.org_unit if user.org_unit.kind == OrgUnit.Kind.LEAGUE else None
    return None


def may_onboard(user: AnyUser, league: OrgUnit) -> bool:
    """Onboarding makes hospitals, people and accounts: the work of whoever manages the league's
    accounts (``hospitals.people.user_manages_accounts``: a system admin, or that league's admin);
    reviewers manage none."""
    return league.kind == OrgUnit.Kind.LEAGUE and user_manages_accounts(user, org_unit=league)


def user_onboards(user: AnyUser) -> bool:
    """Whether the user onboards some league (the menu's 入驻导入): a league admin or a system admin."""
    return onboarding_league_for(user) is not None or user_manages_accounts(user)


def require_may_onboard(user: AnyUser, league: OrgUnit) -> None:
    if not may_onboard(user, league):
        raise PermissionDenied("只有系统管理员或本盟管理员可以导入入驻工作簿。")


def onboarding_imports_visible_to(user: AnyUser) -> models.QuerySet[OnboardingImport]:
    """The uploads of the leagues the user may onboard, newest first."""
    qs = OnboardingImport.objects.select_related("league", "uploaded_by").order_by("-uploaded_at", "-id")
    if not isinstance(user, User) or not user.is_active:
        return qs.none()
    league = onboarding_league_for(user)
    if league is not None:
        return qs.filter(league=league)
    return qs if user_manages_accounts(user) else qs.none()


# ------------------------------------------------------------------------------------------ download


def _league_rows(league: OrgUnit) -> dict[str, list[list[Any]]]:
    """Every row the league has, sheet by sheet, as the cells of the workbook. Six queries."""
    path = league.path
    in_league = Q(hospital__banner__path__startswith=path) | Q(org_unit__path__startswith=path)
    hospitals = list(
        Hospital.objects.filter(banner__path__startswith=path)
        .select_related("banner")
        .order_by("banner__path", "code")
    )
    departments = (
        Department.objects.filter(hospital__banner__path__startswith=path)
        .select_related("hospital", "head")
        .order_by("hospital__code", "name")
    )
    people = Person.objects.filter(in_league).select_related("hospital", "org_unit").order_by("code")
    posts = (
        Post.objects.filter(in_league)
        .select_related("person", "hospital", "org_unit")
        .order_by("hospital__code", "org_unit__code", "role", "start_on", "person__code")
    )
    alliances = (
        MedicalAlliance.objects.filter(assessed_by__path__startswith=path)
        .select_related("assessed_by", "lead_hospital")
        .prefetch_related("members")
        .order_by("code")
    )
    accounts = (
        User.objects.filter(in_league)
        .exclude(role=Role.ADMIN)
        .select_related("hospital", "org_unit")
        .order_by("username")
    )

    def code(obj: Any) -> str:
        return obj.code if obj is not None else ""

    def day(value: dt.date | None) -> Any:
        return value if value is not None else ""

    return {
        "hospitals": [
            [
                h.code,
                h.name,
                h.banner.code,
                h.get_level_display(),
                h.get_type_display(),
                YES if h.is_city_tertiary else NO,
                h.staff_count,
            ]
            for h in hospitals
        ],
        "departments": [[d.hospital.code, d.name, code(d.head)] for d in departments],
        "people": [
            [p.code, p.name, code(p.hospital), code(p.org_unit), p.title, p.email, p.phone] for p in people
        ],
        "posts": [
            [
                p.person.code,
                p.get_role_display(),
                code(p.hospital),
                code(p.org_unit),
                p.start_on,
                day(p.end_on),
            ]
            for p in posts
        ],
        "alliances": [
            [
                a.code,
                a.name,
                a.get_kind_display(),
                a.assessed_by.code,
                a.lead_hospital.code,
                "、".join(sorted(m.code for m in a.members.all())),
            ]
            for a in alliances
        ],
        "accounts": [
            [
                u.username,
                u.first_name,
                u.get_role_display(),
                code(u.hospital),
                code(u.org_unit),
                u.email,
                YES if u.is_active else NO,
            ]
            for u in accounts
        ],
    }


def onboarding_workbook_build(*, actor: AnyUser, league: OrgUnit, filled: bool) -> bytes:
    """The league's onboarding workbook as xlsx bytes: empty (headers, lists, the units' codes) or
    pre-filled with every row the league has."""
    require_may_onboard(actor, league)
    units = list(OrgUnit.objects.filter(path__startswith=league.path).order_by("path"))
    rows = _league_rows(league) if filled else {}
    wb = openpyxl.Workbook()
    readme = wb.active
    assert isinstance(readme, Worksheet)
    readme.title = README_SHEET
    readme["A1"] = f"{league.name} 入驻工作簿"
    readme["A1"].font = Font(bold=True, size=14)
    readme["A2"] = (
        "填写后在“入驻导入”页上传：先显示预览(每个错误所在的工作表和单元格、每项变更的原值和新值)，"
        "确认后全部写入(任何一项有误则全部不写入)。同一工作簿导入两次，第二次不会有任何变更。"
    )
    readme["A3"] = (
        "黄色表头为必填列；编码只能由字母、数字、连字符(-)和下划线(_)组成。表中没有的行保持不变，不会被删除。"
    )
    for r, spec in enumerate(SHEETS, start=5):
        readme.cell(row=r, column=1, value=spec.title).font = Font(bold=True)
        readme.cell(row=r, column=2, value=spec.note)
    readme.column_dimensions["A"].width = 12
    readme.column_dimensions["B"].width = 120
    for spec in SHEETS:
        _write_sheet(wb.create_sheet(spec.title), spec, rows.get(spec.key, []))
    ref = wb.create_sheet(UNITS_SHEET)
    for col, (header, width) in enumerate([("单位编码", 14), ("名称", 24), ("层级", 10)], start=1):
        cell = ref.cell(row=HEADER_ROW, column=col, value=header)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        ref.column_dimensions[get_column_letter(col)].width = width
    for r, unit in enumerate(units, start=FIRST_ROW):
        ref.cell(row=r, column=1, value=unit.code)
        ref.cell(row=r, column=2, value=unit.name)
        ref.cell(row=r, column=3, value=unit.get_kind_display())
    ref.protection.sheet = True
    write_meta(wb, [("template", TEMPLATE_ID), ("version", TEMPLATE_VERSION), ("league", league.code)])
    out = io.BytesIO()
    save_workbook(wb, out)
    return out.getvalue()


def _write_sheet(ws: Worksheet, spec: SheetSpec, rows: Sequence[Sequence[Any]]) -> None:
    for col, column in enumerate(spec.columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = column.width
        cells = f"{letter}{FIRST_ROW}:{letter}{FIRST_ROW + max(len(rows), 500) + 500}"
        if column.kind in ("choice", "bool"):
            options = list(column.offered or column.choices) if column.kind == "choice" else [YES, NO]
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(options) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="请选择",
                error="请从列表中选择：" + "、".join(options),
            )
            dv.add(cells)
            ws.add_data_validation(dv)
        elif column.kind == "date":
            for r in range(FIRST_ROW, FIRST_ROW + len(rows)):
                ws.cell(row=r, column=col).number_format = "yyyy-mm-dd"
    for r, values in enumerate(rows, start=FIRST_ROW):
        for col, value in enumerate(values, start=1):
            ws.cell(row=r, column=col, value=neutralise(value) if isinstance(value, str) else value)
    ws.freeze_panes = f"A{FIRST_ROW}"


# ------------------------------------------------------------------------------------------- parsing


class Problems:
    """The dry run's errors, each at its sheet and A1 cell."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, spec: SheetSpec, row: int, key: str | None, message: str, code: str) -> None:
        cell = f"{spec.letter(key) if key else 'A'}{row}"
        self.items.append({"sheet": spec.title, "cell": cell, "code": code, "message": message})

    def sheet(self, title: str, cell: str, message: str, code: str) -> None:
        self.items.append({"sheet": title, "cell": cell, "code": code, "message": message})


def _date_cell(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    return dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def _read_cell(column: Column, value: Any) -> tuple[Any, str | None]:
    """(the stored value, or an error message) for one cell; JSON values only (dates as ISO text)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return column.default, (f"{column.header}不能为空。" if column.required else None)
    if column.kind == "text":
        text = str(value) if isinstance(value, str) else cell_text(value)
        if len(text) > column.max_length:
            return None, f"{column.header}不能超过{column.max_length}个字。"
        return text, None
    if column.kind == "code":
        text = cell_text(value)
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))  # a numeric code typed into a number cell (152921.0)
        if not CODE_RE.match(text):
            return None, f"{column.header}“{text}”有误：只能由字母、数字、连字符和下划线组成，最长32位。"
        return text, None
    if column.kind == "choice":
        text = cell_text(value)
        by_value = {v: v for v in column.choices.values()}
        if text in column.choices:
            return column.choices[text], None
        if text in by_value:
            return text, None
        return (
            None,
            f"{column.header}“{text}”不是可选值(可选：{'、'.join(column.offered or column.choices)})。",
        )
    if column.kind == "bool":
        if isinstance(value, bool):
            return value, None
        text = cell_text(value).upper()
        answer = {YES: True, NO: False, "Y": True, "N": False, "TRUE": True, "FALSE": False}.get(text)
        if answer is None:
            return None, f"{column.header}请填“是”或“否”。"
        return answer, None
    if column.kind == "int":
        if isinstance(value, bool):
            return None, f"{column.header}须为不小于0的整数。"
        try:
            number = (
                int(value)
                if isinstance(value, int | float) and float(value).is_integer()
                else int(str(value))
            )
        except ValueError:
            return None, f"{column.header}须为不小于0的整数。"
        if number < 0 or number > 2**31 - 1:
            return None, f"{column.header}须为不小于0的整数。"
        return number, None
    if column.kind == "date":
        day = _date_cell(value)
        if day is None:
            return None, f"{column.header}须为日期(如2021-06-01)。"
        return day.isoformat(), None
    # codes: a list in one cell
    text = cell_text(value)
    if len(text) > column.max_length:
        return None, f"{column.header}不能超过{column.max_length}个字。"
    codes = [c for c in LIST_SEPARATORS.split(text) if c]
    bad = [c for c in codes if not CODE_RE.match(c)]
    if bad:
        return None, f"{column.header}中的编码“{bad[0]}”有误：只能由字母、数字、连字符和下划线组成。"
    return sorted(set(codes)), None


def _parse(wb: openpyxl.Workbook, problems: Problems) -> dict[str, list[dict[str, Any]]]:
    """Every non-empty row of every sheet as {field: value, "_row": n}; a row with a bad cell is kept
    with "_bad" (its codes still count as named, so that other sheets' references to it do not fail too)."""
    parsed: dict[str, list[dict[str, Any]]] = {}
    for spec in SHEETS:
        ws = wb[spec.title]
        headers = [
            cell_text(v)
            for v in next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True), ())
        ]
        expected = [c.header for c in spec.columns]
        if headers[: len(expected)] != expected:
            raise refuse(
                f"工作表“{spec.title}”的表头与模板不符(应为：{'、'.join(expected)})，请重新下载工作簿。",
                "wrong_template",
            )
        rows = parsed[spec.key] = []
        width = len(spec.columns)
        for r, values in enumerate(
            ws.iter_rows(min_row=FIRST_ROW, max_col=width, values_only=True), start=FIRST_ROW
        ):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            row: dict[str, Any] = {"_row": r}
            for column, value in zip(spec.columns, values, strict=False):
                row[column.key], message = _read_cell(column, value)
                if message:
                    problems.add(spec, r, column.key, message, "invalid")
                    row["_bad"] = True
            for column in spec.columns[len(values) :]:
                row[column.key] = column.default
            rows.append(row)
    return parsed


def _check_meta(wb: openpyxl.Workbook, league: OrgUnit) -> None:
    meta = read_meta(wb, rows=3)
    if meta is None or meta.get("template") != TEMPLATE_ID:
        raise refuse("这不是本系统下载的入驻工作簿，请先在“入驻导入”页下载工作簿再填写。", "wrong_template")
    if meta.get("version") != TEMPLATE_VERSION:
        raise refuse(f"工作簿版本({meta.get('version')})已停用，请重新下载工作簿。", "wrong_template_version")
    if meta.get("league") != league.code:
        raise refuse(
            f"该工作簿属于其他盟(市)({meta.get('league')})，不能导入到{league.name}。", "other_league"
        )
    missing = [spec.title for spec in SHEETS if spec.title not in wb.sheetnames]
    if missing:
        raise refuse(f"工作簿缺少工作表：{'、'.join(missing)}，请重新下载工作簿。", "wrong_template")


# ------------------------------------------------------------------------------------------ planning


@dataclass
class Plan:
    """What confirming would do: the errors, the changes as old → new, the counts, and the objects to
    write (created ones unsaved, changed ones with their changed fields)."""

    errors: list[dict[str, str]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    creates: dict[type[models.Model], list[models.Model]] = field(default_factory=lambda: defaultdict(list))
    updates: dict[type[models.Model], list[tuple[models.Model, list[str]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    history: list[tuple[models.Model, str, dict[str, list[Any]]]] = field(default_factory=list)
    members: list[tuple[MedicalAlliance, list[Hospital]]] = field(default_factory=list)


def _code(obj: Any) -> str | None:
    return obj.code if obj is not None else None


def _periods_overlap(a: tuple[str, str | None], b: tuple[str, str | None]) -> bool:
    """Two posts' [start, end] (ISO dates, end None = still held) share a day."""
    return a[0] <= (b[1] or "9999-12-31") and b[0] <= (a[1] or "9999-12-31")


class _Planner:
    """Compares the parsed rows with the league's rows, read in bulk (a fixed number of queries)."""

    def __init__(self, league: OrgUnit, rows: Mapping[str, list[dict[str, Any]]], problems: Problems) -> None:
        self.league, self.rows, self.problems = league, rows, problems
        self.plan = Plan()
        path = league.path
        named = self._named_codes()
        # The league's units, the units the workbook names and every league (to name another league).
        self.units = {
            u.code: u
            for u in OrgUnit.objects.filter(
                Q(path__startswith=path) | Q(code__in=named["units"]) | Q(kind=OrgUnit.Kind.LEAGUE)
            )
        }
        self.hospitals = {
            h.code: h
            for h in Hospital.objects.filter(
                Q(code__in=named["hospitals"]) | Q(banner__path__startswith=path)
            ).select_related("banner")
        }
        self.people = {
            p.code: p
            for p in Person.objects.filter(code__in=named["people"]).select_related(
                "hospital__banner", "org_unit"
            )
        }
        self.departments = {
            (d.hospital.code, d.name): d
            for d in Department.objects.filter(hospital__code__in=named["hospitals"]).select_related(
                "hospital", "head"
            )
        }
        self.posts = list(
            Post.objects.filter(
                Q(hospital__code__in=named["hospitals"]) | Q(org_unit__code__in=named["units"])
            ).select_related("person", "hospital", "org_unit")
        )
        self.alliances = {
            a.code: a
            for a in MedicalAlliance.objects.filter(code__in=named["alliances"])
            .select_related("assessed_by", "lead_hospital__banner")
            .prefetch_related("members")
        }
        self.users = {
            u.username: u
            for u in User.objects.filter(username__in=named["users"]).select_related(
                "hospital__banner", "org_unit"
            )
        }
        # What the workbook leaves each row as, by code: filled in as the sheets are planned.
        self.final_hospital: dict[str, Hospital] = {}
        self.final_person: dict[str, Person] = {}

    def _named_codes(self) -> dict[str, set[str]]:
        rows = self.rows
        named: dict[str, set[str]] = defaultdict(set)

        def add(kind: str, value: Any) -> None:
            if isinstance(value, list):
                named[kind].update(value)
            elif value:
                named[kind].add(value)

        for r in rows.get("hospitals", []):
            add("hospitals", r["code"])
            add("units", r["banner"])
        for r in rows.get("departments", []):
            add("hospitals", r["hospital"])
            add("people", r["head"])
        for r in rows.get("people", []):
            add("people", r["code"])
            add("hospitals", r["hospital"])
            add("units", r["org_unit"])
        for r in rows.get("posts", []):
            add("people", r["person"])
            add("hospitals", r["hospital"])
            add("units", r["org_unit"])
        for r in rows.get("alliances", []):
            add("alliances", r["code"])
            add("units", r["assessed_by"])
            add("hospitals", r["lead_hospital"])
            add("hospitals", r["members"])
        for r in rows.get("accounts", []):
            add("users", r["username"])
            add("hospitals", r["hospital"])
            add("units", r["org_unit"])
        return named

    # -- helpers -------------------------------------------------------------------------------

    def in_league(self, unit: OrgUnit | None) -> bool:
        return unit is not None and unit.path.startswith(self.league.path)

    def hospital_in_league(self, hospital: Hospital) -> bool:
        return hospital.banner.path.startswith(self.league.path)

    def other_league_name(self, unit: OrgUnit | None) -> str:
        """The league a unit outside this one belongs to, in words (for the error message)."""
        if unit is None:
            return "其他盟(市)"
        league = next(
            (
                u
                for u in self.units.values()
                if u.kind == OrgUnit.Kind.LEAGUE and unit.path.startswith(u.path)
            ),
            None,
        )
        return league.name if league is not None else "其他单位"

    def unit_ref(
        self, spec: SheetSpec, row: dict[str, Any], key: str, *, kinds: Iterable[str]
    ) -> OrgUnit | None:
        """The league's unit a cell names, or an error at the cell (unknown, another league's, wrong kind)."""
        code = row[key]
        unit = self.units.get(code)
        label = spec.column(key).header
        if unit is None:
            self.problems.add(spec, row["_row"], key, f"{label}“{code}”不存在。", "unknown_unit")
            return None
        if not self.in_league(unit):
            self.problems.add(
                spec,
                row["_row"],
                key,
                f"{label}“{code}”({unit.name})属于{self.other_league_name(unit)}，不属于{self.league.name}，"
                "不能导入。",
                "other_league",
            )
            return None
        if unit.kind not in kinds:
            names = "、".join(OrgUnit.Kind(k).label for k in kinds)
            self.problems.add(
                spec,
                row["_row"],
                key,
                f"{label}“{code}”是{unit.get_kind_display()}，此处须为{names}。",
                "wrong_kind",
            )
            return None
        return unit

    def hospital_ref(
        self, spec: SheetSpec, row: dict[str, Any], key: str, code: str | None = None
    ) -> Hospital | None:
        """The hospital a cell names: one of this workbook's or one the league has; else an error."""
        code = code if code is not None else row[key]
        label = spec.column(key).header
        if code in self.final_hospital:
            return self.final_hospital[code]
        if code in self.bad_codes["hospitals"]:
            return None  # its own row is in error already
        hospital = self.hospitals.get(code)
        if hospital is None:
            self.problems.add(
                spec, row["_row"], key, f"{label}中的医院“{code}”不存在(不在医院表中)。", "unknown_hospital"
            )
            return None
        if not self.hospital_in_league(hospital):
            self.problems.add(
                spec,
                row["_row"],
                key,
                f"医院“{code}”({hospital.name})属于{self.other_league_name(hospital.banner)}，"
                f"不属于{self.league.name}，不能导入。",
                "other_league",
            )
            return None
        return hospital

    def person_ref(self, spec: SheetSpec, row: dict[str, Any], key: str) -> Person | None:
        code = row[key]
        if code in self.final_person:
            return self.final_person[code]
        if code in self.bad_codes["people"]:
            return None
        person = self.people.get(code)
        if person is None:
            self.problems.add(spec, row["_row"], key, f"人员“{code}”不存在(不在人员表中)。", "unknown_person")
            return None
        if not self.person_in_league(person):
            self.problems.add(
                spec, row["_row"], key, f"人员“{code}”属于其他盟(市)，不能导入。", "other_league"
            )
            return None
        return person

    def person_in_league(self, person: Person) -> bool:
        if person.hospital is not None:
            return self.hospital_in_league(person.hospital)
        return person.org_unit is None or self.in_league(person.org_unit)

    def duplicates(
        self, spec: SheetSpec, key_of: Callable[[dict[str, Any]], Any], what: str
    ) -> list[dict[str, Any]]:
        """The sheet's rows without a bad cell, each key once: a repeated key is an error of its row."""
        first: dict[Any, int] = {}
        kept = []
        for row in self.rows.get(spec.key, []):
            if row.get("_bad"):
                continue
            key = key_of(row)
            if key in first:
                self.problems.add(
                    spec, row["_row"], spec.columns[0].key, f"{what}与第{first[key]}行重复。", "duplicate_row"
                )
                continue
            first[key] = row["_row"]
            kept.append(row)
        return kept

    def record(
        self,
        spec: SheetSpec,
        row: dict[str, Any],
        obj: models.Model,
        old: dict[str, Any] | None,
        new: dict[str, Any],
        key: str,
        label: str,
    ) -> None:
        """Count the row and, when it creates or changes something, keep the change and what to write."""
        counts = self.plan.summary.setdefault(spec.title, {"create": 0, "update": 0, "same": 0})
        if old is None:
            fields = {f: [None, v] for f, v in new.items() if v not in (None, "", [])}
            action = "create"
            self.plan.creates[type(obj)].append(obj)
        else:
            fields = {f: [old.get(f), v] for f, v in new.items() if old.get(f) != v}
            if not fields:
                counts["same"] += 1
                return
            action = "update"
            self.plan.updates[type(obj)].append((obj, [f for f in fields if f != "members"]))
        counts[action] += 1
        self.plan.changes.append(
            {
                "sheet": spec.title,
                "row": row["_row"],
                "key": key,
                "label": label,
                "action": action,
                "fields": fields,
            }
        )
        self.plan.history.append((obj, action, fields))

    # -- sheets --------------------------------------------------------------------------------

    def run(self) -> Plan:
        self.bad_codes = {
            "hospitals": {r["code"] for r in self.rows.get("hospitals", []) if r.get("_bad") and r["code"]},
            "people": {r["code"] for r in self.rows.get("people", []) if r.get("_bad") and r["code"]},
        }
        self.plan_hospitals()
        self.plan_people()
        self.plan_departments()
        self.plan_posts()
        self.plan_alliances()
        self.plan_accounts()
        for spec in SHEETS:
            self.plan.summary.setdefault(spec.title, {"create": 0, "update": 0, "same": 0})
        return self.plan

    def plan_hospitals(self) -> None:
        spec = HOSPITALS
        for row in self.duplicates(spec, lambda r: r["code"], "机构编码"):
            self.bad_codes["hospitals"].add(row["code"])  # until the row passes (below)
            r = row["_row"]
            existing = self.hospitals.get(row["code"])
            if existing is not None and not self.hospital_in_league(existing):
                self.problems.add(
                    spec,
                    r,
                    "code",
                    f"机构编码“{row['code']}”已是{self.other_league_name(existing.banner)}的医院"
                    f"({existing.name})，不能导入到{self.league.name}。",
                    "other_league",
                )
                continue
            banner = self.unit_ref(spec, row, "banner", kinds=[OrgUnit.Kind.BANNER])
            if row["is_city_tertiary"] and row["level"] != Hospital.Level.TERTIARY:
                self.problems.add(
                    spec, r, "is_city_tertiary", "城市三级医院必须是三级医院。", "city_tertiary_is_tertiary"
                )
                banner = None
            if banner is None:
                continue
            new = {
                "name": row["name"],
                "banner": banner.code,
                "level": row["level"],
                "type": row["type"],
                "is_city_tertiary": row["is_city_tertiary"],
                "staff_count": row["staff_count"],
            }
            hospital = existing or Hospital(code=row["code"])
            old = None
            if existing is not None:
                old = {
                    "name": existing.name,
                    "banner": existing.banner.code,
                    "level": existing.level,
                    "type": existing.type,
                    "is_city_tertiary": existing.is_city_tertiary,
                    "staff_count": existing.staff_count,
                }
            hospital.name, hospital.banner = row["name"], banner
            hospital.level, hospital.type = row["level"], row["type"]
            hospital.is_city_tertiary, hospital.staff_count = row["is_city_tertiary"], row["staff_count"]
            self.final_hospital[row["code"]] = hospital
            self.bad_codes["hospitals"].discard(row["code"])
            self.record(spec, row, hospital, old, new, row["code"], row["name"])

    def plan_people(self) -> None:
        spec = PEOPLE
        for row in self.duplicates(spec, lambda r: r["code"], "人员编码"):
            self.bad_codes["people"].add(row["code"])  # until the row passes (below)
            r = row["_row"]
            existing = self.people.get(row["code"])
            if existing is not None and not self.person_in_league(existing):
                self.problems.add(
                    spec, r, "code", f"人员编码“{row['code']}”已被其他盟(市)的人员使用。", "other_league"
                )
                continue
            if bool(row["hospital"]) == bool(row["org_unit"]):
                self.problems.add(
                    spec, r, "hospital", "所在医院与所在卫生健康委须填且只填其一。", "one_organisation"
                )
                continue
            hospital = unit = None
            if row["hospital"]:
                hospital = self.hospital_ref(spec, row, "hospital")
                if hospital is None:
                    continue
            else:
                unit = self.unit_ref(spec, row, "org_unit", kinds=[OrgUnit.Kind.LEAGUE, OrgUnit.Kind.BANNER])
                if unit is None:
                    continue
            # The people services' own rules and normalisation (an e-mail address is kept in lower case).
            data = clean_person(
                PersonData(
                    name=row["name"] or "",
                    title=row["title"] or "",
                    email=row["email"] or "",
                    phone=row["phone"] or "",
                )
            )
            refusals = Refusals()
            check_person(refusals, data)
            if self.refused(spec, row, refusals):
                continue
            new = {
                "name": data.name,
                "hospital": row["hospital"],
                "org_unit": row["org_unit"],
                "title": data.title,
                "email": data.email,
                "phone": data.phone,
            }
            old = None
            if existing is not None:
                old = {
                    "name": existing.name,
                    "hospital": _code(existing.hospital),
                    "org_unit": _code(existing.org_unit),
                    "title": existing.title,
                    "email": existing.email,
                    "phone": existing.phone,
                }
            person = existing or Person(code=row["code"])
            person.name, person.hospital, person.org_unit = data.name, hospital, unit
            person.title, person.email, person.phone = data.title, data.email, data.phone
            self.final_person[row["code"]] = person
            self.bad_codes["people"].discard(row["code"])
            self.record(spec, row, person, old, new, row["code"], row["name"])

    def refused(self, spec: SheetSpec, row: dict[str, Any], refusals: Refusals) -> bool:
        """Put a shared check's refusals at the cells of their fields; True when there were any."""
        try:
            refusals.raise_if_any()
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                key = name if any(c.key == name for c in spec.columns) else None
                for one in errors:
                    self.problems.add(spec, row["_row"], key, one.messages[0], one.code or "invalid")
            return True
        return False

    def email_ok(self, spec: SheetSpec, row: dict[str, Any]) -> bool:
        try:
            validate_email(row["email"])
        except ValidationError:
            self.problems.add(
                spec, row["_row"], "email", f"电子邮箱“{row['email']}”格式不正确。", "invalid_email"
            )
            return False
        return True

    def person_hospital_code(self, person: Person) -> str | None:
        return person.hospital.code if person.hospital is not None else None

    def plan_departments(self) -> None:
        spec = DEPARTMENTS
        for row in self.duplicates(spec, lambda r: (r["hospital"], r["name"]), "同一医院的科室名称"):
            hospital = self.hospital_ref(spec, row, "hospital")
            if hospital is None:
                continue
            head = None
            if row["head"]:
                head = self.person_ref(spec, row, "head")
                if head is None:
                    continue
                if self.person_hospital_code(head) != row["hospital"]:
                    self.problems.add(
                        spec,
                        row["_row"],
                        "head",
                        f"科室主任“{row['head']}”({head.name})不是该院人员。",
                        "head_not_staff",
                    )
                    continue
            existing = self.departments.get((row["hospital"], row["name"]))
            # The key fields too, so that a created row shows what it is; a stored one has them already.
            key_fields = {"hospital": row["hospital"], "name": row["name"]}
            new = {**key_fields, "head": row["head"]}
            old = {**key_fields, "head": _code(existing.head)} if existing is not None else None
            department = existing or Department(hospital=hospital, name=row["name"])
            department.head = head
            self.record(spec, row, department, old, new, f"{row['hospital']} {row['name']}", row["name"])

    def plan_posts(self) -> None:
        spec = POSTS
        # Every post of each (organisation, role) the sheet names, the stored ones first: (start, end) by key.
        held: dict[tuple[str, str, str], dict[tuple[str, str], tuple[str, str | None, int | None]]] = (
            defaultdict(dict)
        )
        for post in self.posts:
            org = (
                ("h", post.hospital.code)
                if post.hospital is not None
                else ("u", post.org_unit.code if post.org_unit else "")
            )
            key = (*org, post.role)
            held[key][(post.person.code, post.start_on.isoformat())] = (
                post.start_on.isoformat(),
                post.end_on.isoformat() if post.end_on else None,
                None,
            )
        stored = {
            (p.person.code, p.role, _code(p.hospital), _code(p.org_unit), p.start_on.isoformat()): p
            for p in self.posts
        }
        rows = self.duplicates(
            spec,
            lambda r: (r["person"], r["role"], r["hospital"], r["org_unit"], r["start_on"]),
            "同一人同一职务同一任职日期",
        )
        for row in rows:
            r = row["_row"]
            hospital_role = row["role"] in Post.HOSPITAL_ROLES
            if hospital_role and (not row["hospital"] or row["org_unit"]):
                self.problems.add(
                    spec,
                    r,
                    "hospital",
                    "党委书记、院长须填医院(机构编码)，不填卫生健康委。",
                    "post_organisation",
                )
                continue
            if not hospital_role and (not row["org_unit"] or row["hospital"]):
                self.problems.add(
                    spec,
                    r,
                    "org_unit",
                    "卫生健康委负责人须填卫生健康委(单位编码)，不填医院。",
                    "post_organisation",
                )
                continue
            if row["end_on"] and row["end_on"] < row["start_on"]:
                self.problems.add(spec, r, "end_on", "离任日期不能早于任职日期。", "post_dates_ordered")
                continue
            person = self.person_ref(spec, row, "person")
            if person is None:
                continue
            if hospital_role:
                org_obj: Any = self.hospital_ref(spec, row, "hospital")
            else:
                org_obj = self.unit_ref(
                    spec, row, "org_unit", kinds=[OrgUnit.Kind.LEAGUE, OrgUnit.Kind.BANNER]
                )
            if org_obj is None:
                continue
            belongs = _code(person.hospital) if hospital_role else _code(person.org_unit)
            if belongs != (row["hospital"] if hospital_role else row["org_unit"]):
                where = "该院" if hospital_role else "该卫生健康委"
                self.problems.add(
                    spec,
                    r,
                    "person",
                    f"{person.name}({row['person']})不是{where}的人员，不能担任该职务。",
                    "person_other_organisation",
                )
                continue
            org_key = ("h", row["hospital"]) if hospital_role else ("u", row["org_unit"])
            key = (*org_key, row["role"])
            held[key][(row["person"], row["start_on"])] = (row["start_on"], row["end_on"], r)
            existing = stored.get(
                (row["person"], row["role"], row["hospital"], row["org_unit"], row["start_on"])
            )
            key_fields = {
                "person": row["person"],
                "role": row["role"],
                "hospital": row["hospital"],
                "org_unit": row["org_unit"],
                "start_on": row["start_on"],
            }
            new = {**key_fields, "end_on": row["end_on"]}
            old = (
                {**key_fields, "end_on": existing.end_on.isoformat() if existing.end_on else None}
                if existing is not None
                else None
            )
            post = existing or Post(
                person=person,
                role=row["role"],
                start_on=dt.date.fromisoformat(row["start_on"]),
                hospital=org_obj if hospital_role else None,
                org_unit=None if hospital_role else org_obj,
            )
            post.end_on = dt.date.fromisoformat(row["end_on"]) if row["end_on"] else None
            label = (
                f"{POST_ROLES_BY_VALUE[row['role']]} {row['hospital'] or row['org_unit']} {row['start_on']}"
            )
            self.record(spec, row, post, old, new, f"{row['person']} {label}", person.name)
        self.check_overlaps(held)

    def check_overlaps(
        self,
        held: Mapping[tuple[str, str, str], Mapping[tuple[str, str], tuple[str, str | None, int | None]]],
    ) -> None:
        """Two posts of a single-holder role (``hospitals.people.SINGLE_HOLDER_ROLES``) in one
        organisation may not share a day (a hospital has one president at a time), the people services'
        rule; the error is at each workbook row that takes part in an overlap."""
        for (_, org_code, role), periods in held.items():
            if role not in SINGLE_HOLDER_ROLES:  # a commission may have several 分管领导
                continue
            items = sorted(periods.items(), key=lambda item: item[1][0])
            for i, ((person_a, _), a) in enumerate(items):
                for (person_b, _), b in items[i + 1 :]:
                    if not _periods_overlap(a[:2], b[:2]):
                        continue
                    for period, (other, other_period) in ((a, (person_b, b)), (b, (person_a, a))):
                        if period[2] is None:
                            continue  # a stored post: the workbook row beside it carries the error
                        self.problems.add(
                            POSTS,
                            period[2],
                            "start_on",
                            f"{org_code}的{POST_ROLES_BY_VALUE[role]}任期与{other}"
                            f"({other_period[0]}至{other_period[1] or '今'})重叠；"
                            "同一时间只能有一人任该职务，前任请填离任日期。",
                            "overlapping_posts",
                        )

    def plan_alliances(self) -> None:
        spec = ALLIANCES
        for row in self.duplicates(spec, lambda r: r["code"], "医联体编码"):
            r = row["_row"]
            existing = self.alliances.get(row["code"])
            if existing is not None and not self.in_league(existing.assessed_by):
                self.problems.add(
                    spec, r, "code", f"医联体编码“{row['code']}”已被其他盟(市)使用。", "other_league"
                )
                continue
            medical_group = row["kind"] == MedicalAlliance.Kind.MEDICAL_GROUP
            kinds = [OrgUnit.Kind.LEAGUE] if medical_group else [OrgUnit.Kind.BANNER]
            assessor = self.unit_ref(spec, row, "assessed_by", kinds=kinds)
            lead = self.hospital_ref(spec, row, "lead_hospital")
            members = [self.hospital_ref(spec, row, "members", code) for code in row["members"]]
            if assessor is None or lead is None or any(m is None for m in members):
                continue
            if row["lead_hospital"] not in row["members"]:
                self.problems.add(
                    spec, r, "members", f"成员医院须包含牵头医院“{row['lead_hospital']}”。", "lead_not_member"
                )
                continue
            new = {
                "name": row["name"],
                "kind": row["kind"],
                "assessed_by": assessor.code,
                "lead_hospital": row["lead_hospital"],
                "members": row["members"],
            }
            old = None
            if existing is not None:
                old = {
                    "name": existing.name,
                    "kind": existing.kind,
                    "assessed_by": existing.assessed_by.code,
                    "lead_hospital": existing.lead_hospital.code,
                    "members": sorted(m.code for m in existing.members.all()),
                }
            alliance = existing or MedicalAlliance(code=row["code"])
            alliance.name, alliance.kind, alliance.assessed_by, alliance.lead_hospital = (
                row["name"],
                row["kind"],
                assessor,
                lead,
            )
            if old is None or old["members"] != row["members"]:
                self.plan.members.append((alliance, [m for m in members if m is not None]))
            self.record(spec, row, alliance, old, new, row["code"], row["name"])

    def plan_accounts(self) -> None:
        spec = ACCOUNTS
        validator = UnicodeUsernameValidator()
        for row in self.duplicates(spec, lambda r: r["username"], "用户名"):
            r = row["_row"]
            try:
                validator(row["username"])
            except ValidationError:
                self.problems.add(
                    spec,
                    r,
                    "username",
                    f"用户名“{row['username']}”只能包含字母、数字和 @/./+/-/_。",
                    "invalid_username",
                )
                continue
            existing = self.users.get(row["username"])
            if existing is not None and (
                existing.role == Role.ADMIN or existing.is_superuser or not self.user_in_league(existing)
            ):
                self.problems.add(
                    spec, r, "username", f"用户名“{row['username']}”已被其他单位的账号使用。", "other_league"
                )
                continue
            role = row["role"]
            hospital = unit = None
            if role == Role.HOSPITAL_REPORTER:
                if not row["hospital"] or row["org_unit"]:
                    self.problems.add(
                        spec, r, "hospital", "医院填报员须填所属医院，不填所属单位。", "role_scope"
                    )
                    continue
                hospital = self.hospital_ref(spec, row, "hospital")
                if hospital is None:
                    continue
            elif role in (Role.BANNER_REVIEWER, Role.LEAGUE_REVIEWER):
                if not row["org_unit"] or row["hospital"]:
                    self.problems.add(spec, r, "org_unit", "审核员须填所属单位，不填所属医院。", "role_scope")
                    continue
                kind = OrgUnit.Kind.BANNER if role == Role.BANNER_REVIEWER else OrgUnit.Kind.LEAGUE
                unit = self.unit_ref(spec, row, "org_unit", kinds=[kind])
                if unit is None:
                    continue
            else:  # 系统管理员: an admin sees every league, so no league's workbook makes one
                self.problems.add(
                    spec,
                    r,
                    "role",
                    f"盟的工作簿不能创建或修改{Role(role).label}账号(可选：{'、'.join(ACCOUNT_ROLES)})。",
                    "bad_role",
                )
                continue
            if row["email"] and not self.email_ok(spec, row):
                continue
            new = {
                "first_name": row["first_name"] or "",
                "role": role,
                "hospital": row["hospital"],
                "org_unit": row["org_unit"],
                "email": row["email"] or "",
                "is_active": row["is_active"],
            }
            old = None
            if existing is not None:
                old = {
                    "first_name": existing.first_name,
                    "role": existing.role,
                    "hospital": _code(existing.hospital),
                    "org_unit": _code(existing.org_unit),
                    "email": existing.email,
                    "is_active": existing.is_active,
                }
                user = existing
                user.first_name, user.role, user.hospital, user.org_unit = (
                    new["first_name"],
                    role,
                    hospital,
                    unit,
                )
                user.email, user.is_active = new["email"], row["is_active"]
            else:  # its one-time password is made when the confirm writes it (``_apply``)
                user = User(
                    username=row["username"],
                    role=role,
                    hospital=hospital,
                    org_unit=unit,
                    first_name=new["first_name"],
                    email=new["email"],
                    is_active=row["is_active"],
                    must_change_password=True,
                )
            self.record(spec, row, user, old, new, row["username"], row["first_name"] or row["username"])

    def user_in_league(self, user: User) -> bool:
        if user.hospital is not None:
            return self.hospital_in_league(user.hospital)
        return self.in_league(user.org_unit)


POST_ROLES_BY_VALUE = dict(Post.Role.choices)


def onboarding_plan(
    league: OrgUnit, rows: Mapping[str, list[dict[str, Any]]], problems: Problems | None = None
) -> Plan:
    """The dry run of parsed rows against the database now (reads only)."""
    problems = problems or Problems()
    plan = _Planner(league, rows, problems).run()
    plan.errors = problems.items
    return plan


# ------------------------------------------------------------------------------------------ dry run


def onboarding_import_create(
    *, actor: AnyUser, league: OrgUnit, data: bytes, file_name: str = ""
) -> OnboardingImport:
    """Dry-run an uploaded workbook of ``league`` and store it: "invalid" with every error by sheet and
    cell, or "pending" with every change. A file refused as a whole raises ``ValidationError`` (on
    ``file``) and stores nothing."""
    require_may_onboard(actor, league)
    inspect_xlsx(data, what="入驻工作簿")
    wb = read_workbook(data)
    _check_meta(wb, league)
    problems = Problems()
    rows = _parse(wb, problems)
    if not any(rows.values()):
        problems.sheet(HOSPITALS.title, f"A{FIRST_ROW}", "工作簿中没有任何数据行。", "empty")
    plan = onboarding_plan(league, rows, problems)
    return OnboardingImport.objects.create(
        league=league,
        status=OnboardingImport.Status.INVALID if plan.errors else OnboardingImport.Status.PENDING,
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        rows=rows,
        errors=plan.errors,
        changes=plan.changes,
        summary=plan.summary,
        uploaded_by=actor if isinstance(actor, User) else None,
    )


# ------------------------------------------------------------------------------------------ confirm


@dataclass
class Confirmed:
    batch: OnboardingImport
    accounts: list[tuple[User, str]]  # the new accounts and their one-time passwords, shown once


@transaction.atomic
def onboarding_import_confirm(*, actor: AnyUser, batch: OnboardingImport) -> Confirmed:
    """Write a pending dry run, all or nothing, in bulk, with channel "excel" in every history row."""
    batch = OnboardingImport.objects.select_for_update().select_related("league").get(pk=batch.pk)
    require_may_onboard(actor, batch.league)
    if batch.status != OnboardingImport.Status.PENDING:
        message = "该导入有错误，请修改后重新上传。" if batch.errors else "该导入已确认，不能重复导入。"
        raise ValidationError(message, code="import_not_pending")
    # One confirm of a league at a time: the league's row is the lock.
    OrgUnit.objects.select_for_update().filter(pk=batch.league_id).exists()
    plan = onboarding_plan(batch.league, batch.rows)
    if plan.errors or plan.changes != batch.changes:
        where = "；".join(f"{e['sheet']}!{e['cell']} {e['message']}" for e in plan.errors[:5])
        raise ValidationError(
            "预览之后数据已被修改，本次导入与预览不再一致，未导入任何数据；请重新下载工作簿或重新上传。"
            + (f"（{where}）" if where else ""),
            code="stale_import",
        )
    passwords = _apply(plan, actor=actor, reason=f"入驻工作簿 #{batch.pk} {batch.file_name}")
    batch.status = OnboardingImport.Status.CONFIRMED
    batch.confirmed_at = clock.now()
    batch.save(update_fields=["status", "confirmed_at"])
    record_change(
        batch,
        action="onboarding_confirm",
        actor=actor if isinstance(actor, User) else None,
        channel=ChangeRecord.Channel.EXCEL,
        changes={"status": [OnboardingImport.Status.PENDING, OnboardingImport.Status.CONFIRMED]},
    )
    return Confirmed(batch, passwords)


# The order of the writes: a row is written after the rows it points at.
WRITE_ORDER: tuple[type[models.Model], ...] = (Hospital, Person, Department, Post, MedicalAlliance, User)


def _apply(plan: Plan, *, actor: AnyUser, reason: str) -> list[tuple[User, str]]:
    """Create and update in bulk, model by model, then the alliances' members and the history rows."""
    passwords: list[tuple[User, str]] = []
    for model in WRITE_ORDER:
        created = plan.creates.get(model, [])
        if model is User:
            for user in created:
                assert isinstance(user, User)
                user_password = _fresh_password(user)
                passwords.append((user, user_password))
        # bulk_create and bulk_update take a parent's id from the parent object, saved just before.
        if created:
            model._default_manager.bulk_create(created)
        changed = [(obj, names) for obj, names in plan.updates.get(model, []) if names]
        if changed:
            fields = sorted({_attname(model, f) for _, names in changed for f in names})
            model._default_manager.bulk_update([obj for obj, _ in changed], fields)
    if plan.members:
        through = MedicalAlliance.members.through
        ids = [alliance.pk for alliance, _ in plan.members]
        through.objects.filter(medicalalliance_id__in=ids).delete()
        through.objects.bulk_create(
            [
                through(medicalalliance_id=a.pk, hospital_id=h.pk)
                for a, hospitals in plan.members
                for h in hospitals
            ]
        )
    author = actor if isinstance(actor, User) else None
    types = ContentType.objects.get_for_models(*WRITE_ORDER, for_concrete_models=True)
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                content_type=types[type(obj)],
                object_id=str(obj.pk),
                action=action,
                actor=author,
                channel=ChangeRecord.Channel.EXCEL,
                changes=changes,
                reason=reason,
            )
            for obj, action, changes in plan.history
        ]
    )
    return passwords


def _fresh_password(user: User) -> str:
    """A one-time password for a new account of the workbook (the planned one is never kept)."""
    fresh, password = account_new(
        username=user.username, role=user.role, hospital=user.hospital, org_unit=user.org_unit
    )
    user.password = fresh.password
    return password


def _attname(model: type[models.Model], name: str) -> str:
    """The column a planned field writes: a foreign key's ``<name>_id``, the rest as named."""
    column = model._meta.get_field(name)
    assert isinstance(column, models.Field)
    return column.attname
