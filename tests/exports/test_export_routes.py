"""Every way to ask for a workbook — a list's ``export/`` action, the generic /api/v1/exports/, an admin
changelist action and a page link — gives the rows its list shows, in the caller's scope; the December
evaluation and the bulletin are export kinds like the ledgers."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from campaign.models import LectureSession, ProgressStatus
from campaign.services import lecture_create
from exports.models import ExportJob
from reporting.bulletins.services import bulletin_build, bulletin_publish
from reporting.evaluation.models import BannerEvaluation, Evaluation
from reporting.evaluation.services import evaluation_build, evaluation_publish
from tests.campaign.conftest import enter_on, full_coverage, h004_action_item, kind, lecture_data, person
from tests.conftest import Alxa, client_for, streamed
from tests.exports.test_writer import formula_cells

pytestmark = pytest.mark.django_db
HOSTILE = "=1+2"


def workbook(response: Any) -> Any:
    content = streamed(response)
    return load_workbook(BytesIO(content))


def rows_of(response: Any) -> list[tuple[Any, ...]]:
    return list(workbook(response).active.iter_rows(values_only=True))


def _lectures(alxa: Alxa) -> None:
    """Two lectures of H004 (one a department lecture) and one of H006."""
    lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa, coverage=full_coverage(alxa)))
    lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa, "department", title=HOSTILE))
    lecture_create(
        actor=alxa.admin,
        channel="web",
        data=lecture_data(alxa, hospital=alxa.h006, speaker=person("H006-P01"), title="右旗宣讲"),
    )


# --- the list APIs' export/ action ------------------------------------------------------------------


def test_lecture_export_applies_the_list_filters_and_scope(alxa: Alxa) -> None:
    _lectures(alxa)
    reporter = client_for(alxa.reporter)
    rows = rows_of(reporter.get("/api/v1/lectures/export/"))
    assert rows[0][:5] == ("宣讲日期", "旗(区)", "组织单位", "宣讲形式", "宣讲题目")
    assert sorted(r[4] for r in rows[1:]) == sorted(["推动公立医院高质量发展", "'" + HOSTILE])
    assert {r[2] for r in rows[1:]} == {"阿拉善左旗人民医院"}

    department = kind(alxa, "department").pk
    listed = reporter.get("/api/v1/lectures/", {"kind": department}).json()
    rows = rows_of(reporter.get("/api/v1/lectures/export/", {"kind": department}))
    assert listed["count"] == len(rows) - 1 == 1
    assert rows[1][3] == "科室宣讲"

    # Another hospital's id is a valid filter that finds nothing in the reporter's scope.
    assert rows_of(reporter.get("/api/v1/lectures/export/", {"hospital": alxa.h006.pk}))[1:] == []
    league = rows_of(
        client_for(alxa.league_reviewer).get("/api/v1/lectures/export/", {"hospital": alxa.h006.pk})
    )
    assert [r[4] for r in league[1:]] == ["右旗宣讲"]


def test_a_bad_filter_is_a_400_with_the_field_named(alxa: Alxa) -> None:
    response = client_for(alxa.reporter).get("/api/v1/lectures/export/", {"held_after": "七月"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert "held_after" in body["errors"]
    assert (
        client_for(alxa.reporter).get("/api/v1/action-items/export/", {"status": "later"}).status_code == 400
    )


@pytest.mark.parametrize(
    "params",
    [
        # schemathesis: a quarter no date can hold was an OverflowError, a 500
        {"year": "362880", "period": "quarter", "quarter": "3749414182792689876992"},
        {"year": "1", "period": "month", "month": "7"},
    ],
)
def test_an_indicator_table_period_no_date_can_hold_is_a_400(alxa: Alxa, params: dict[str, str]) -> None:
    response = client_for(alxa.league_reviewer).get("/api/v1/indicator-evaluations/export/", params)
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_period",
        "message": "期间参数有误：period=month|quarter|ytd，配合 year、month 或 quarter。",
        "errors": {"period": ["期间参数有误：period=month|quarter|ytd，配合 year、month 或 quarter。"]},
    }
    assert not ExportJob.objects.exists()


def test_action_export_follows_the_status_filter(alxa: Alxa) -> None:
    september = dt.date(2021, 9, 30)
    h004_action_item(alxa, title="已完成项", due_on=september, current_status=ProgressStatus.DONE)
    h004_action_item(alxa, title="逾期项", due_on=september)
    client = client_for(alxa.banner_reviewer)
    rows = rows_of(client.get("/api/v1/action-items/export/", {"status": "overdue"}))
    assert [(r[5], r[10]) for r in rows[1:]] == [("逾期项", "已逾期")]
    rows = rows_of(client.get("/api/v1/action-items/export/"))
    assert sorted(r[5] for r in rows[1:]) == ["已完成项", "逾期项"]


def test_hospital_export_follows_the_banner_filter(alxa: Alxa) -> None:
    rows = rows_of(
        client_for(alxa.league_reviewer).get("/api/v1/hospitals/export/", {"banner": alxa.youqi.pk})
    )
    listed = client_for(alxa.league_reviewer).get("/api/v1/hospitals/", {"banner": alxa.youqi.pk}).json()
    assert sorted(r[0] for r in rows[1:]) == sorted(h["code"] for h in listed["results"])
    assert {r[2] for r in rows[1:]} == {"阿拉善右旗"}


# --- the December evaluation and the bulletin as workbooks -------------------------------------------


def _evaluate(alxa: Alxa) -> None:
    """As in tests/reporting/test_evaluation.py: H004 meets 1 of its 6 lecture milestones, covers the four
    documents in all layers and has one action item, done."""
    enter_on(dt.date(2021, 7, 10))  # on the lectures' day: entered late, they would meet no milestone
    lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa, coverage=full_coverage(alxa)))
    president = lecture_data(alxa, speaker=person("H004-P02"), title="院长讲医改")
    lecture_create(actor=alxa.reporter, channel="web", data=president)
    h004_action_item(alxa, current_status=ProgressStatus.DONE)
    enter_on(dt.date(2021, 12, 20))
    evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)


def test_evaluation_workbook_matches_the_stored_scores(alxa: Alxa) -> None:
    _evaluate(alxa)
    response = client_for(alxa.league_reviewer).get(
        "/api/v1/evaluations/export/", {"campaign": alxa.campaign.pk}
    )
    book = workbook(response)
    sheet = book.active
    assert sheet.title == "年终评估"
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "活动", "排名", "旗(区)", "机构编码", "医院", "讲医改得分", "见行动得分", "出成效得分",
        "绩效考核得分", "总分", "拟表彰", "讲医改时间节点达标", "讲医改时间节点数", "讲医改时间节点达标率",
        "四个层次讲全的重点文件", "重点文件数", "行动项", "已完成", "已逾期", "无路线图", "行动项完成率",
        "按时报送月数", "应报送月数", "指标达标", "指标未达标", "指标无数据", "指标达标率", "全国绩效考核",
        "自治区绩效考核", "评估时间", "发布时间",
    )  # fmt: skip
    assert book.sheetnames == ["年终评估", "旗(区)评估"]
    stored = list(Evaluation.objects.select_related("hospital__banner").order_by("rank", "hospital__code"))
    assert len(rows) - 1 == len(stored) == 10
    for row, e in zip(rows[1:], stored, strict=True):
        d = e.details
        applicable = d["outcome"]["met"] + d["outcome"]["not_met"] + d["outcome"]["no_data"]
        assert row == (
            alxa.campaign.name, e.rank, e.hospital.banner.name, e.hospital.code, e.hospital.name,
            float(e.lecture_score), float(e.action_score), float(e.outcome_score), None, float(e.total_score),
            "是" if e.proposed_commendation else "否",
            d["lecture"]["milestones_met"], d["lecture"]["milestones"],
            pytest.approx(d["lecture"]["milestones_met"] / d["lecture"]["milestones"]),
            d["lecture"]["documents_all_layers"], d["lecture"]["documents"],
            d["action"]["items"], d["action"]["done"], d["action"]["overdue"], d["action"]["without_roadmap"],
            pytest.approx(d["action"]["done"] / d["action"]["items"]) if d["action"]["items"] else None,
            d["action"]["reports_on_time"], d["action"]["report_months"],
            d["outcome"]["met"], d["outcome"]["not_met"], d["outcome"]["no_data"],
            pytest.approx(d["outcome"]["met"] / applicable) if applicable else None,
            None, None,  # no 绩效考核 result imported
            row[-2], None,  # a draft: not published
        )  # fmt: skip
    first = stored[0]
    assert (first.hospital, rows[1][12], rows[1][13]) == (alxa.h004, 6, pytest.approx(1 / 6))
    assert rows[1][19] == 1  # entered before the roadmap rule, without one
    assert rows[1][20] == 1.0  # its one action item is done
    assert sheet["N2"].number_format == "0.00%"
    assert sheet["F2"].data_type == "n"
    assert sheet["AD2"].is_date
    banners = list(book["旗(区)评估"].iter_rows(values_only=True))
    assert banners[0][:7] == (
        "活动", "排名", "单位编码", "旗(区)", "所属医院平均分", "旗(区)工作得分", "总分",
    )  # fmt: skip
    # Every banner of the league (the three development zones included), ranked as stored.
    stored_banners = list(BannerEvaluation.objects.order_by("rank", "banner__code"))
    assert len(stored_banners) == 6
    assert [(r[1], r[3], r[6]) for r in banners[1:]] == [
        (b.rank, b.banner.name, float(b.total_score)) for b in stored_banners
    ]

    # A draft is the league's: a reporter's export has no row until it is published.
    assert rows_of(client_for(alxa.reporter).get("/api/v1/evaluations/export/"))[1:] == []
    evaluation_publish(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)

    # A reporter exports its own row only; a filter narrows like the list's.
    mine = rows_of(client_for(alxa.reporter).get("/api/v1/evaluations/export/"))
    assert [r[4] for r in mine[1:]] == ["阿拉善左旗人民医院"]
    banner = rows_of(
        client_for(alxa.admin).get("/api/v1/evaluations/export/", {"hospital__banner": alxa.youqi.pk})
    )
    assert {r[2] for r in banner[1:]} == {"阿拉善右旗"}
    assert len(banner) - 1 == Evaluation.objects.filter(hospital__banner=alxa.youqi).count()


def test_bulletin_exports_for_whoever_may_read_it(alxa: Alxa) -> None:
    bulletin = bulletin_build(
        campaign_id=alxa.campaign.pk, month=dt.date(2021, 7, 1), actor=alxa.league_reviewer
    )
    body = {"kind": "bulletin", "params": {"bulletin": [str(bulletin.pk)]}}
    response = client_for(alxa.league_reviewer).post("/api/v1/exports/", body, format="json")
    assert response.status_code == 200
    book = workbook(response)
    assert book.sheetnames == [s["title"][:31] for s in bulletin.data["sections"]]
    ranking = book[book.sheetnames[-1]]
    assert [c.value for c in ranking[1]] == ["排名", "旗(区)", "医院", "得分"]
    assert ranking.max_row - 1 == 10

    # A draft is the league's alone; once published every role of the league reads it.
    refused = client_for(alxa.reporter).post("/api/v1/exports/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["message"] == "没有可导出的月度通报。"
    bulletin_publish(bulletin_id=bulletin.pk, actor=alxa.league_reviewer)
    assert client_for(alxa.reporter).post("/api/v1/exports/", body, format="json").status_code == 200
    bad = client_for(alxa.reporter).post(
        "/api/v1/exports/", {**body, "params": {"bulletin": ["x"]}}, format="json"
    )
    assert bad.status_code == 400


# --- the admin's changelist action --------------------------------------------------------------------


def test_admin_exports_the_selected_lectures(alxa: Alxa) -> None:
    _lectures(alxa)
    client = Client()
    client.force_login(alxa.admin)
    chosen = list(
        LectureSession.objects.filter(hospital=alxa.h004).order_by("id").values_list("pk", flat=True)
    )
    response = client.post(
        "/admin/campaign/lecturesession/",
        {"action": "export_lecture_ledger", "_selected_action": [str(pk) for pk in chosen]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = rows_of(response)
    assert len(rows) - 1 == 2
    assert {r[2] for r in rows[1:]} == {"阿拉善左旗人民医院"}

    evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    ids = Evaluation.objects.filter(hospital__banner=alxa.zuoqi).values_list("pk", flat=True)
    response = client.post(
        "/admin/reporting/evaluation/",
        {"action": "export_evaluation", "_selected_action": [str(i) for i in ids]},
    )
    assert {r[2] for r in rows_of(response)[1:]} == {"阿拉善左旗"}


# --- the pages ----------------------------------------------------------------------------------------


def test_page_link_exports_the_hospitals_lectures(alxa: Alxa, tmp_path: Any) -> None:
    _lectures(alxa)
    client = Client()
    client.force_login(alxa.reporter)
    page = client.get(f"/hospitals/{alxa.h004.pk}/lectures/")
    assert f'href="/exports/lecture_ledger/?hospital={alxa.h004.pk}"' in page.content.decode()
    response = client.get("/exports/lecture_ledger/", {"hospital": alxa.h004.pk})
    assert response.status_code == 200
    content = streamed(response)
    (tmp_path / "page.xlsx").write_bytes(content)
    assert formula_cells(tmp_path / "page.xlsx") == []
    rows = list(load_workbook(tmp_path / "page.xlsx").active.iter_rows(values_only=True))
    assert len(rows) - 1 == 2
    # Outside the scope: nothing, not an error.
    assert rows_of(client.get("/exports/lecture_ledger/", {"hospital": alxa.h006.pk}))[1:] == []


def test_page_export_refusals_are_explained(alxa: Alxa) -> None:
    client = Client()
    client.force_login(alxa.reporter)
    response = client.get("/exports/lecture_ledger/", {"held_after": "七月"})
    assert response.status_code == 400
    assert "held_after：" in response.content.decode()
    response = client.get("/exports/no_such_kind/")
    assert response.status_code == 400
    assert "没有这种导出类型：no_such_kind" in response.content.decode()
    assert Client().get("/exports/lecture_ledger/").status_code == 302  # to the login page


def test_large_page_export_becomes_a_job_with_a_progress_page(
    alxa: Alxa, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EXPORT_ASYNC_ROW_THRESHOLD = 0
    client = Client()
    client.force_login(alxa.banner_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/exports/hospital_roster/")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/jobs/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page
    assert f"/exports/jobs/{job.pk}/download/" in page
    rows = rows_of(client.get(f"/exports/jobs/{job.pk}/download/"))
    assert {r[2] for r in rows[1:]} == {"阿拉善左旗"}
    assert "医院名册" in client.get("/exports/jobs/").content.decode()

    # Someone else's job is not found; an expired one is gone.
    other = Client()
    other.force_login(alxa.reporter)
    assert other.get(f"/exports/jobs/{job.pk}/").status_code == 404
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED)
    gone = client.get(f"/exports/jobs/{job.pk}/download/")
    assert gone.status_code == 410
    assert "该导出文件已过期" in gone.content.decode()
