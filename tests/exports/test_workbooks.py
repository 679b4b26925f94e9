"""Every workbook opened with openpyxl and checked against the database: headers, cell types, values,
scope, filters, formula neutralisation, and a query count that does not grow with the rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bench.generator import BENCH_ADMIN, RegionGenerator
from campaign.models import ActionItem, LectureCoverage, LectureSession
from exports.registry import export_kind_get
from exports.writer import write_workbook
from hospitals.models import Person, User
from reporting.bulletins.services import bulletin_build
from reporting.evaluation.services import evaluation_build
from tests.exports.test_writer import formula_cells

HOSTILE = '=HYPERLINK("http://evil","点我")'


def export(code: str, user: Any, path: Path, /, **params: list[str]) -> list[tuple[Any, ...]]:
    write_workbook(path, export_kind_get(code).build(user, params))
    return list(load_workbook(path).active.iter_rows(values_only=True))


def admin() -> User:
    return User.objects.get(username=BENCH_ADMIN)


def user(name: str) -> User:
    return User.objects.select_related("hospital", "org_unit").get(username=name)


@pytest.mark.django_db
def test_lecture_ledger_matches_the_database(region: RegionGenerator, tmp_path: Path) -> None:
    # Issue 15: the officials who supervised are in the ledger (two lectures with them, one with two).
    officials = list(Person.objects.filter(org_unit__isnull=False).order_by("code")[:2])
    first, second = LectureSession.objects.order_by("held_on", "id")[:2]
    first.supervising_officials.set(officials)
    second.supervising_officials.set(officials[:1])
    LectureSession.objects.filter(pk=second.pk).update(supervision_note="盟卫生健康委督导")
    rows = export("lecture_ledger", admin(), tmp_path / "ledger.xlsx")
    assert rows[0] == (
        "宣讲日期", "旗(区)", "组织单位", "宣讲形式", "宣讲题目", "宣讲人", "宣讲人身份",
        "宣讲内容(重点文件·层次)", "应到人数", "实到人数", "出勤率", "线上宣讲",
        "出席指导情况", "出席指导的卫生健康委领导",
    )  # fmt: skip
    lectures = list(
        LectureSession.objects.select_related("hospital__banner", "org_unit", "kind", "speaker").order_by(
            "held_on", "id"
        )
    )
    assert len(rows) - 1 == len(lectures) == 60
    for row, lecture in zip(rows[1:], lectures, strict=True):
        unit = lecture.hospital.banner if lecture.hospital else lecture.org_unit
        assert unit is not None
        organiser = lecture.hospital.name if lecture.hospital else unit.commission_name
        banner = unit.name
        coverage: dict[int, list[str]] = {}
        for c in LectureCoverage.objects.filter(lecture=lecture).order_by("document__number", "layer__order"):
            coverage.setdefault(c.document.number, []).append(c.layer.name)
        content = (["百年党史"] if lecture.party_history else []) + [
            f"文件{n}({'、'.join(v)})" for n, v in coverage.items()
        ]
        assert row == (
            dt.datetime.combine(lecture.held_on, dt.time()),
            banner,
            organiser,
            lecture.kind.name,
            lecture.title,
            lecture.speaker.name,
            lecture.get_speaker_role_display(),
            "；".join(content) or None,
            lecture.attendance_expected,
            lecture.attendance_present,
            pytest.approx(lecture.attendance_rate) if lecture.attendance_rate is not None else None,
            "是" if lecture.is_online else "否",
            lecture.supervision_note or None,
            "、".join(p.name for p in lecture.supervising_officials.order_by("code")) or None,
        )
    ws = load_workbook(tmp_path / "ledger.xlsx").active
    assert ws.freeze_panes == "A2"
    assert ws["A2"].is_date
    assert ws["I2"].data_type == "n"
    assert ws["K2"].number_format == "0.00%"


@pytest.mark.django_db
def test_ledger_scope_filters_and_neutralisation(region: RegionGenerator, tmp_path: Path) -> None:
    hospital = region.hospital_rows[0]
    mine = LectureSession.objects.filter(hospital=hospital).order_by("held_on", "id")
    LectureSession.objects.filter(pk=mine[0].pk).update(title=HOSTILE)

    rows = export("lecture_ledger", user(f"g-{hospital.code.lower()}"), tmp_path / "mine.xlsx")
    assert len(rows) - 1 == mine.count()
    assert {r[2] for r in rows[1:]} == {hospital.name}
    assert f"'{HOSTILE}" in [r[4] for r in rows]
    assert formula_cells(tmp_path / "mine.xlsx") == []

    banner = hospital.banner
    rows = export("lecture_ledger", user(f"g-{banner.code.lower()}"), tmp_path / "banner.xlsx")
    expected = LectureSession.objects.filter(hospital__banner=banner).count() + 1  # + its 集中宣讲
    assert len(rows) - 1 == expected
    assert {r[1] for r in rows[1:]} == {banner.name}

    kind = LectureSession.objects.filter(kind__code="department").first()
    assert kind is not None
    rows = export("lecture_ledger", admin(), tmp_path / "k.xlsx", kind=[str(kind.kind_id)])
    assert {r[3] for r in rows[1:]} == {"科室宣讲"}
    assert len(rows) - 1 == LectureSession.objects.filter(kind__code="department").count()


@pytest.mark.django_db
def test_action_tracker_matches_the_database(region: RegionGenerator, tmp_path: Path) -> None:
    item = ActionItem.objects.order_by("hospital__code", "task__code", "due_on", "id").first()
    assert item is not None
    ActionItem.objects.filter(pk=item.pk).update(description="+cmd|' /C calc'!A0")
    rows = export("action_tracker", admin(), tmp_path / "t.xlsx")
    assert rows[0][:4] == ("旗(区)", "医院", "任务编码", "见行动任务")
    assert rows[0][-3:] == ("状态", "路线图", "最新进展")
    assert len(rows) - 1 == ActionItem.objects.count()
    first = rows[1]
    item.refresh_from_db()
    today = dt.date.today()
    assert first[1] == item.hospital.name
    assert first[2] == item.task.code
    assert first[6] == "'+cmd|' /C calc'!A0"
    assert first[7] == item.responsible.name
    assert first[8] == dt.datetime.combine(item.starts_on, dt.time())
    assert first[9] == dt.datetime.combine(item.due_on, dt.time())
    assert first[10] == {"overdue": "已逾期"}.get(item.status_on(today), item.get_current_status_display())
    steps = list(item.roadmap.order_by("due_on", "id"))
    assert first[11] == "；".join(f"{s.due_on:%Y-%m-%d} {s.title}{' ✓' if s.done_on else ''}" for s in steps)
    latest = item.progress.order_by("-month").first()
    assert latest is not None
    assert first[12].startswith(f"{latest.month:%Y-%m} {latest.get_status_display()}")
    assert formula_cells(tmp_path / "t.xlsx") == []

    reporter = user(f"g-{item.hospital.code.lower()}")
    rows = export("action_tracker", reporter, tmp_path / "r.xlsx")
    assert {r[1] for r in rows[1:]} == {item.hospital.name}


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "queries"), [("lecture_ledger", 3), ("action_tracker", 3)])
def test_export_queries_do_not_grow_with_rows(
    region: RegionGenerator, tmp_path: Path, kind: str, queries: int, django_assert_num_queries: Any
) -> None:
    """The rows' cursor and one cursor per kind of child rows (coverage and officials; roadmap and
    progress)."""
    hospital = region.hospital_rows[0]
    one = user(f"g-{hospital.code.lower()}")
    everyone = admin()
    export_kind = export_kind_get(kind)
    with django_assert_num_queries(queries):
        small = write_workbook(tmp_path / "one.xlsx", export_kind.build(one, {}))
    with django_assert_num_queries(queries):
        large = write_workbook(tmp_path / "all.xlsx", export_kind.build(everyone, {}))
    assert large > small * 3


@pytest.mark.django_db
def test_indicator_table_matches_the_evaluations(region: RegionGenerator, tmp_path: Path) -> None:
    from reporting.indicators.selectors import Period
    from reporting.indicators.targets import indicator_evaluations

    path = tmp_path / "ind.xlsx"
    params = {"period": ["ytd"], "year": ["2021"], "month": ["12"]}
    write_workbook(path, export_kind_get("indicator_table").build(admin(), params))
    wb = load_workbook(path)
    assert wb.sheetnames == ["指标表", "旗(区)汇总", "全部汇总"]
    ws = wb["指标表"]
    header = [c.value for c in ws[1]]
    assert header[5:10] == ["上年同期", "本期", "变化", "目标", "是否达标"]

    from hospitals.models import Hospital, OrgUnit

    table = indicator_evaluations(
        campaign=region.campaign,
        hospitals=Hospital.objects.all(),
        banners=OrgUnit.objects.filter(kind="banner"),
        period=Period.year_to_date(2021, 12),
    )
    rows = list(ws.iter_rows(min_row=2, max_row=len(table.units) + 1))
    assert len(rows) == len(table.units)
    for cells, evaluation in zip(rows, table.units, strict=True):
        indicator = evaluation.indicator
        assert cells[3].value == indicator.code_label  # "O2.1-a（同时计入O5.1）" for the shared one
        assert cells[9].value == {"met": "达标", "not_met": "未达标", "no_data": "无数据"}[evaluation.verdict]
        current = evaluation.current.value
        if current is None:  # a unit without values (the real Alxa banners)
            assert cells[6].value is None
        elif indicator.value_type == "ratio":
            assert cells[6].value == pytest.approx(float(current))
            expected = "0.00%" if indicator.display == "percent" else "0.00"
            assert cells[6].number_format == expected
            change = evaluation.change
            if change is not None:
                assert cells[7].number_format == '0.00"个百分点"'
                assert cells[7].value == pytest.approx(float(change))
        elif indicator.value_type == "count":
            assert cells[6].value == int(current)
            assert cells[6].data_type == "n"
        else:
            assert cells[6].value in ("是", "否")
    assert formula_cells(path) == []

    reporter = user(f"g-{region.hospital_rows[0].code.lower()}")
    write_workbook(tmp_path / "one.xlsx", export_kind_get("indicator_table").build(reporter, params))
    names = {
        r[1] for r in load_workbook(tmp_path / "one.xlsx")["指标表"].iter_rows(min_row=2, values_only=True)
    }
    assert region.hospital_rows[0].name in names
    assert not names & {h.name for h in region.hospital_rows[1:]}


@pytest.mark.django_db
def test_libreoffice_opens_every_workbook(region: RegionGenerator, tmp_path: Path) -> None:
    from exports.registry import export_kinds
    from tests.exports.libreoffice import libreoffice_sheets

    LectureSession.objects.filter(pk=LectureSession.objects.order_by("id")[0].pk).update(title=HOSTILE)
    # The December evaluation and a bulletin exist to be exported.
    evaluation_build(campaign_id=region.campaign.pk, actor=admin())
    bulletin_build(campaign_id=region.campaign.pk, month=dt.date(2021, 7, 1), actor=admin())
    paths = []
    for kind in export_kinds():
        path = tmp_path / f"lo-{kind.code}.xlsx"
        write_workbook(path, kind.build(admin(), {}))
        paths.append(path)
    opened = libreoffice_sheets(paths)
    for path in paths:
        book = load_workbook(path)
        assert sorted(opened[path]) == sorted(book.sheetnames), path.name
        for sheet in book.worksheets:
            read = opened[path][sheet.title]
            titles = [c.value for c in next(sheet.iter_rows(max_row=1))]
            assert read[0] == titles, (path.name, sheet.title)
        assert len(opened[path][book.active.title]) > 1, path.name
    ledger = next(iter(opened[tmp_path / "lo-lecture_ledger.xlsx"].values()))
    assert f"'{HOSTILE}" in [row[4] for row in ledger]
