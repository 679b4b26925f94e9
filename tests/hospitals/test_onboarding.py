"""The onboarding workbook (SPEC §11, issue 16 item 1): dry run with every error by sheet and cell, every
change old → new, all-or-nothing confirm with history, idempotent second load, the league's scope."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from hospitals.audit import history_of
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
from hospitals.onboarding import (
    FIRST_ROW,
    SHEETS,
    Confirmed,
    onboarding_import_confirm,
    onboarding_import_create,
    onboarding_workbook_build,
)
from tests.conftest import Alxa, client_for
from tests.factories import UserFactory
from tests.leagues import load_second_league

pytestmark = pytest.mark.django_db

# A new hospital of 左旗 with its leaders, two departments, an alliance with H004 and a reporter.
NEW_ROWS: dict[str, list[list[Any]]] = {
    "医院": [
        ["H011", "阿拉善左旗第二人民医院", "152921", "二级", "综合", "否", 180],
        ["H012", "阿拉善右旗中医医院", "152922", "二级", "中医/蒙医", "否", 90],
    ],
    "科室": [["H011", "内科", "H011-P03"], ["H011", "外科", ""]],
    "人员": [
        ["H011-P01", "巴特尔", "H011", "", "党委书记", "bater@example.com"],
        ["H011-P02", "其其格", "H011", "", "院长", ""],
        ["H011-P03", "乌兰", "H011", "", "内科主任", ""],
    ],
    "职务": [
        ["H011-P01", "党委书记", "H011", "", dt.date(2020, 1, 1), None],
        ["H011-P02", "院长", "H011", "", "2019-03-01", None],
    ],
    "医联体": [["CC-ZQ2", "阿拉善左旗第二医共体", "医共体", "152921", "H011", "H011、H005"]],
    "账号": [["h011", "第二人民医院填报员", "医院填报员", "H011", "", "h011@example.com", "是"]],
}


def fill(book: bytes, rows: Mapping[str, Sequence[Sequence[Any]]], *, replace: bool = False) -> bytes:
    """The workbook with ``rows`` appended to its sheets (or, with ``replace``, instead of theirs)."""
    wb = openpyxl.load_workbook(io.BytesIO(book))
    for title, values in rows.items():
        ws = wb[title]
        if replace and ws.max_row >= FIRST_ROW:
            ws.delete_rows(FIRST_ROW, ws.max_row)
        start = FIRST_ROW if replace else max(ws.max_row + 1, FIRST_ROW)
        for r, row in enumerate(values, start=start):
            for c, value in enumerate(row, start=1):
                ws.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def league_admin(league: OrgUnit, username: str = "alxa-admin") -> User:
    """A league admin (``hospitals.people``: an admin-role account bound to its league)."""
    return UserFactory.create(username=username, role=Role.ADMIN, hospital=None, org_unit=league)


@pytest.fixture
def clerk(alxa: Alxa) -> User:
    return league_admin(alxa.league)


def upload(alxa: Alxa, data: bytes, user: User | None = None) -> OnboardingImport:
    actor = user or User.objects.get(username="alxa-admin")
    return onboarding_import_create(actor=actor, league=alxa.league, data=data, file_name="入驻.xlsx")


def confirm(batch: OnboardingImport, user: User | None = None) -> Confirmed:
    return onboarding_import_confirm(actor=user or User.objects.get(username="alxa-admin"), batch=batch)


def empty_book(alxa: Alxa) -> bytes:
    return onboarding_workbook_build(actor=alxa.admin, league=alxa.league, filled=False)


def full_book(alxa: Alxa) -> bytes:
    return onboarding_workbook_build(actor=alxa.admin, league=alxa.league, filled=True)


def errors_at(batch: OnboardingImport) -> dict[str, str]:
    return {f"{e['sheet']}!{e['cell']}": e["code"] for e in batch.errors}


def test_the_empty_workbook_has_a_sheet_per_kind_and_the_leagues_units(alxa: Alxa, clerk: User) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(empty_book(alxa)))
    assert wb.sheetnames[:7] == ["说明", "医院", "科室", "人员", "职务", "医联体", "账号"]
    assert [c.value for c in wb["医院"][1]] == [c.header for c in SHEETS[0].columns]
    assert wb["医院"].max_row == 1
    units = [row[0] for row in wb["单位编码"].iter_rows(min_row=2, values_only=True)]
    assert units[:4] == ["152900", "152921", "152922", "152923"]
    assert len(units) == 7  # the league, its three banners and three development zones


def test_a_league_onboards_a_hospital_with_its_people_posts_alliance_and_account(
    alxa: Alxa, clerk: User
) -> None:
    batch = upload(alxa, fill(empty_book(alxa), NEW_ROWS))
    assert batch.errors == []
    assert batch.status == OnboardingImport.Status.PENDING
    assert batch.summary["医院"] == {"create": 2, "update": 0, "same": 0}
    assert batch.summary["账号"] == {"create": 1, "update": 0, "same": 0}
    hospital_change = next(c for c in batch.changes if c["key"] == "H011")
    assert hospital_change["action"] == "create"
    assert hospital_change["fields"]["banner"] == [None, "152921"]
    assert hospital_change["fields"]["staff_count"] == [None, 180]
    assert not Hospital.objects.filter(code="H011").exists()  # the dry run writes nothing

    done = confirm(batch)

    h011 = Hospital.objects.get(code="H011")
    assert (h011.banner.code, h011.level, h011.staff_count) == ("152921", "secondary", 180)
    assert not h011.is_sample
    assert Hospital.objects.get(code="H012").type == Hospital.Type.TCM
    president, secretary = (h011.leader_on(role, dt.date(2021, 6, 1)) for role in Post.HOSPITAL_ROLES[::-1])
    assert president is not None
    assert secretary is not None
    assert (president.code, secretary.email) == ("H011-P02", "bater@example.com")
    assert Department.objects.get(hospital=h011, name="内科").head == Person.objects.get(code="H011-P03")
    assert Department.objects.get(hospital=h011, name="外科").head is None
    alliance = MedicalAlliance.objects.get(code="CC-ZQ2")
    assert (alliance.assessed_by.code, alliance.lead_hospital.code) == ("152921", "H011")
    assert sorted(alliance.members.values_list("code", flat=True)) == ["H005", "H011"]
    [(account, password)] = done.accounts
    user = User.objects.get(username="h011")
    assert (account.pk, user.role, user.hospital_id, user.must_change_password) == (
        user.pk, Role.HOSPITAL_REPORTER, h011.pk, True,
    )  # fmt: skip
    assert user.password.startswith("pbkdf2_sha256_onetime$")
    assert check_password(password, user.password)
    assert password not in str(OnboardingImport.objects.get(pk=batch.pk).__dict__)  # never stored
    [record] = history_of(h011)
    assert (record.action, record.channel, record.actor) == ("create", "excel", clerk)
    assert record.changes["name"] == [None, "阿拉善左旗第二人民医院"]
    assert history_of(user).get().changes["role"] == [None, "hospital_reporter"]
    batch.refresh_from_db()
    assert batch.status == OnboardingImport.Status.CONFIRMED
    assert history_of(batch).get().action == "onboarding_confirm"


def test_loading_the_same_workbook_twice_changes_nothing(alxa: Alxa, clerk: User) -> None:
    data = fill(empty_book(alxa), NEW_ROWS)
    confirm(upload(alxa, data))
    records = ChangeRecord.objects.count()
    second = upload(alxa, data)
    assert (second.status, second.errors, second.changes) == (OnboardingImport.Status.PENDING, [], [])
    assert second.summary["医院"] == {"create": 0, "update": 0, "same": 2}
    assert second.summary["职务"] == {"create": 0, "update": 0, "same": 2}
    done = confirm(second)
    assert done.accounts == []
    assert ChangeRecord.objects.count() == records + 1  # only the confirm's own row
    assert Hospital.objects.filter(code__in=["H011", "H012"]).count() == 2


def test_the_pre_filled_workbook_loads_back_with_no_change(alxa: Alxa, clerk: User) -> None:
    book = full_book(alxa)
    wb = openpyxl.load_workbook(io.BytesIO(book))
    assert wb["医院"].max_row == 1 + Hospital.objects.count()
    assert wb["医院"]["A2"].value == "H001"
    batch = upload(alxa, book)
    assert batch.errors == []
    assert batch.changes == []
    assert batch.summary["医院"]["same"] == 10
    assert batch.summary["账号"]["same"] == 3  # league, zuoqi, h004; the admin is not the league's


def test_a_changed_cell_is_one_update_old_to_new_with_history(alxa: Alxa, clerk: User) -> None:
    book = full_book(alxa)
    wb = openpyxl.load_workbook(io.BytesIO(book))
    row = next(r for r in wb["医院"].iter_rows(min_row=2) if r[0].value == "H004")
    row[6].value = 470
    out = io.BytesIO()
    wb.save(out)
    batch = upload(alxa, out.getvalue())
    assert batch.changes == [
        {
            "sheet": "医院", "row": row[0].row, "key": "H004", "label": "阿拉善左旗人民医院",
            "action": "update", "fields": {"staff_count": [460, 470]},
        }
    ]  # fmt: skip
    confirm(batch)
    alxa.h004.refresh_from_db()
    assert alxa.h004.staff_count == 470
    assert history_of(alxa.h004).get().changes == {"staff_count": [460, 470]}


def test_every_error_is_named_by_sheet_and_cell(alxa: Alxa, clerk: User) -> None:
    load_second_league()
    rows: dict[str, list[list[Any]]] = {
        "医院": [
            ["H 013", "坏编码医院", "152921", "二级", "综合", "否", 10],  # bad code
            ["H014", "未知旗医院", "159999", "二级", "综合", "否", 10],  # unknown banner
            ["H015", "包头的旗", "150221", "二级", "综合", "否", 10],  # another league's banner
            ["H016", "重复一", "152921", "二级", "综合", "否", 10],
            ["H016", "重复二", "152921", "二级", "综合", "否", 10],  # duplicate row
            ["BT01", "包头的医院", "152921", "二级", "综合", "否", 10],  # another league's hospital
            ["H017", "等级有误", "152921", "四级", "综合", "否", 10],  # not a level
        ],
        "职务": [["H004-P09", "院长", "H004", "", "2018-01-01", None]],  # overlaps 马斯琴 and his own
        "账号": [
            ["boss", "管理员", "系统管理员", "", "", "", "是"],  # bad role
            ["h0x", "未知角色", "主任", "H004", "", "", "是"],  # unknown role
            ["h004b", "邮箱有误", "医院填报员", "H004", "", "not-an-address", "是"],
        ],
    }
    batch = upload(alxa, fill(empty_book(alxa), rows))
    assert batch.status == OnboardingImport.Status.INVALID
    found = errors_at(batch)
    assert found["医院!A2"] == "invalid"
    assert found["医院!C3"] == "unknown_unit"
    assert found["医院!C4"] == "other_league"
    assert found["医院!A6"] == "duplicate_row"
    assert found["医院!A7"] == "other_league"
    assert found["医院!D8"] == "invalid"
    assert found["职务!E2"] == "overlapping_posts"
    assert found["账号!C2"] == "bad_role"
    assert found["账号!C3"] == "invalid"
    assert found["账号!F4"] == "invalid_email"
    messages = {f"{e['sheet']}!{e['cell']}": e["message"] for e in batch.errors}
    assert "包头市" in messages["医院!C4"]
    assert "与第5行重复" in messages["医院!A6"]
    assert "重叠" in messages["职务!E2"]
    assert "系统管理员" in messages["账号!C2"]
    with pytest.raises(ValidationError) as refused:
        confirm(batch)
    assert refused.value.code == "import_not_pending"
    assert not Hospital.objects.filter(code__in=["H016", "H017"]).exists()


def test_a_new_post_overlapping_a_stored_one_is_an_error_until_the_predecessor_leaves(
    alxa: Alxa, clerk: User
) -> None:
    rows: dict[str, list[list[Any]]] = {
        "人员": [["H004-P10", "新院长", "H004", "", "院长", ""]],
        "职务": [["H004-P10", "院长", "H004", "", "2021-09-01", None]],
    }
    batch = upload(alxa, fill(empty_book(alxa), rows))
    assert errors_at(batch) == {"职务!E2": "overlapping_posts"}
    president = Post.objects.get(hospital=alxa.h004, role="president", end_on__isnull=True)
    rows["职务"].append([president.person.code, "院长", "H004", "", president.start_on, dt.date(2021, 8, 31)])
    batch = upload(alxa, fill(empty_book(alxa), rows))
    assert batch.errors == []
    confirm(batch)
    assert alxa.h004.leader_on(Post.Role.PRESIDENT, dt.date(2021, 9, 1)) == Person.objects.get(
        code="H004-P10"
    )
    assert alxa.h004.leader_on(Post.Role.PRESIDENT, dt.date(2021, 8, 31)) == president.person


def test_references_must_be_of_the_league(alxa: Alxa, clerk: User) -> None:
    second = load_second_league()
    rows = {
        "科室": [["BT01", "内科", ""], ["H004", "儿科", "H001-P03"]],  # another league; not H004's staff
        "医联体": [["MG-X", "跨盟集团", "医疗集团", "152900", "H001", "H001、BT02"]],
        "账号": [["bt9", "包头审核员", "旗(区)审核员", "", second.banner.code, "", "是"]],
    }
    found = errors_at(upload(alxa, fill(empty_book(alxa), rows)))
    assert found == {
        "科室!A2": "other_league",
        "科室!C3": "head_not_staff",
        "医联体!F2": "other_league",
        "账号!E2": "other_league",
    }


def test_a_dry_run_that_no_longer_holds_is_refused_and_writes_nothing(alxa: Alxa, clerk: User) -> None:
    batch = upload(alxa, fill(empty_book(alxa), NEW_ROWS))
    Hospital.objects.create(code="H011", name="抢先建的", banner=alxa.zuoqi, level="secondary")
    with pytest.raises(ValidationError) as refused:
        confirm(batch)
    assert refused.value.code == "stale_import"
    assert not Person.objects.filter(code__startswith="H011").exists()
    assert not User.objects.filter(username="h011").exists()


def test_the_confirm_is_all_or_nothing(alxa: Alxa, clerk: User, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = upload(alxa, fill(empty_book(alxa), NEW_ROWS))

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the history could not be written")

    monkeypatch.setattr(ChangeRecord.objects, "bulk_create", fail)  # the last write of the confirm
    with pytest.raises(RuntimeError):
        confirm(batch)
    assert not Hospital.objects.filter(code__in=["H011", "H012"]).exists()
    assert not Person.objects.filter(code__startswith="H011").exists()
    assert not MedicalAlliance.objects.filter(code="CC-ZQ2").exists()
    assert not User.objects.filter(username="h011").exists()
    batch.refresh_from_db()
    assert batch.status == OnboardingImport.Status.PENDING


def test_only_the_leagues_own_reviewer_or_an_admin_onboards_it(alxa: Alxa, clerk: User) -> None:
    second = load_second_league()
    data = fill(empty_book(alxa), NEW_ROWS)
    theirs_admin = league_admin(second.league, "baotou-admin")
    for user in (alxa.league_reviewer, alxa.banner_reviewer, alxa.reporter, theirs_admin):
        with pytest.raises(PermissionDenied):
            upload(alxa, data, user)
        with pytest.raises(PermissionDenied):
            onboarding_workbook_build(actor=user, league=alxa.league, filled=True)
    assert upload(alxa, data, alxa.admin).status == OnboardingImport.Status.PENDING
    # Another league's workbook is refused as a whole.
    theirs = onboarding_workbook_build(actor=theirs_admin, league=second.league, filled=False)
    with pytest.raises(ValidationError) as refused:
        upload(alxa, theirs)
    assert refused.value.error_dict["file"][0].code == "other_league"


def test_a_file_that_is_not_the_workbook_is_refused_as_a_whole(alxa: Alxa, clerk: User) -> None:
    with pytest.raises(ValidationError) as refused:
        upload(alxa, b"PK\x03\x04 not really a zip")
    assert refused.value.error_dict["file"][0].code == "not_xlsx"
    wb = openpyxl.Workbook()
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ValidationError) as refused:
        upload(alxa, out.getvalue())
    assert refused.value.error_dict["file"][0].code == "wrong_template"
    assert not OnboardingImport.objects.exists()


def test_the_api_dry_runs_and_confirms_and_gives_the_passwords_once(alxa: Alxa, clerk: User) -> None:
    api = client_for(clerk)
    book = api.get("/api/v1/onboarding-imports/workbook/", {"league": str(alxa.league.pk)})
    assert book.status_code == 200
    data = fill(book.content, NEW_ROWS)
    answer = api.post(
        "/api/v1/onboarding-imports/upload/",
        {"league": alxa.league.pk, "file": io.BytesIO(data)},
        format="multipart",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["status"], body["errors"]) == ("pending", [])
    assert body["summary"]["人员"] == {"create": 3, "update": 0, "same": 0}
    confirmed = api.post(f"/api/v1/onboarding-imports/{body['id']}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed["Cache-Control"] == "no-store"
    [account] = confirmed.json()["accounts"]
    assert account["username"] == "h011"
    assert check_password(account["one_time_password"], User.objects.get(username="h011").password)
    detail = api.get(f"/api/v1/onboarding-imports/{body['id']}/").json()
    assert detail["status"] == "confirmed"
    assert account["one_time_password"] not in str(detail)
    again = api.post(f"/api/v1/onboarding-imports/{body['id']}/confirm/")
    assert (again.status_code, again.json()["code"]) == (400, "import_not_pending")
    assert (
        client_for(alxa.league_reviewer).get(f"/api/v1/onboarding-imports/{body['id']}/").status_code == 404
    )


def test_the_admin_lists_the_uploads_read_only_with_a_link_to_their_page(alxa: Alxa, clerk: User) -> None:
    batch = upload(alxa, fill(empty_book(alxa), NEW_ROWS))
    client = Client()
    client.force_login(alxa.admin)
    page = client.get("/admin/hospitals/onboardingimport/").content.decode()
    assert f'href="/hospitals/onboarding/imports/{batch.pk}/">预览与确认</a>' in page
    assert client.get("/admin/hospitals/onboardingimport/add/").status_code == 403
