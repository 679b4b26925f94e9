"""Export jobs: sync below the threshold, a task with progress above it, download, scope, expiry."""

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from exports.jobs import export_job_run, export_jobs_expire
from exports.models import ExportJob
from exports.tasks import delete_expired_exports, run_export_job
from tests.api.openapi import assert_documented
from tests.conftest import Alxa, client_for, streamed
from tests.factories import UserFactory


def rows_of(content: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))


@pytest.mark.django_db
def test_small_export_answers_the_file_at_once(alxa: Alxa) -> None:
    response = client_for(alxa.banner_reviewer).post(
        "/api/v1/exports/", {"kind": "hospital_roster", "params": {}}, format="json"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert_documented(response)  # an .xlsx, once documented as application/json (schemathesis)
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(streamed(response))
    assert rows[0][:3] == ("机构编码", "医院名称", "所属旗(区)")
    assert {r[2] for r in rows[1:]} == {"阿拉善左旗"}
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_large_export_runs_as_a_job_with_progress(
    alxa: Alxa, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EXPORT_ASYNC_ROW_THRESHOLD = 2
    client = client_for(alxa.league_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/exports/", {"kind": "hospital_roster", "params": {}}, format="json")
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert response["Location"] == f"/api/v1/exports/{job_id}/"

    job = client.get(f"/api/v1/exports/{job_id}/").json()
    total = alxa.league.children.count() and job["rows_total"]
    assert job["status"] == "done"
    assert job["rows_done"] == total == 10
    assert job["percent"] == 100
    assert job["scope"] == "阿拉善盟"
    expires = dt.datetime.fromisoformat(job["expires_at"])
    assert dt.timedelta(hours=23) < expires - timezone.now() <= dt.timedelta(hours=24)

    download = client.get(job["download_url"])
    assert download.status_code == 200
    assert len(rows_of(streamed(download))) == 11


@pytest.mark.django_db
def test_job_records_progress_while_it_writes(alxa: Alxa, monkeypatch: pytest.MonkeyPatch) -> None:
    from exports import writer

    monkeypatch.setattr(writer, "PROGRESS_EVERY", 3)
    monkeypatch.setattr(writer.write_workbook, "__kwdefaults__", {"progress": None, "progress_every": 3})
    seen: list[int] = []
    original = ExportJob.objects.filter

    def spy(*args: Any, **kwargs: Any) -> Any:
        qs = original(*args, **kwargs)
        real_update = qs.update

        def update(**values: Any) -> int:
            if set(values) == {"rows_done"}:
                seen.append(values["rows_done"])
            return real_update(**values)

        qs.update = update  # type: ignore[method-assign]
        return qs

    job = ExportJob.objects.create(kind="hospital_roster", requested_by=alxa.admin)
    monkeypatch.setattr(ExportJob.objects, "filter", spy)
    export_job_run(job_id=job.pk)
    assert seen == [3, 6, 9, 10]


@pytest.mark.django_db
def test_running_the_task_twice_builds_one_file(alxa: Alxa) -> None:
    job = ExportJob.objects.create(kind="hospital_roster", requested_by=alxa.reporter)
    assert run_export_job(job.pk) == "done"
    first = ExportJob.objects.get(pk=job.pk)
    assert run_export_job(job.pk) == "done"
    again = ExportJob.objects.get(pk=job.pk)
    assert (again.file.name, again.finished_at) == (first.file.name, first.finished_at)
    assert again.rows_total == again.rows_done == 1  # a reporter's scope is one hospital


@pytest.mark.django_db
def test_a_failed_job_says_why(alxa: Alxa) -> None:
    job = ExportJob.objects.create(kind="no_such_export", requested_by=alxa.admin)
    assert run_export_job(job.pk) == "failed"
    job.refresh_from_db()
    assert "没有这种导出类型" in job.error
    assert job.expires_at is not None


@pytest.mark.django_db
def test_jobs_are_seen_and_downloaded_by_their_requester_only(alxa: Alxa) -> None:
    job = ExportJob.objects.create(kind="hospital_roster", requested_by=alxa.banner_reviewer)
    export_job_run(job_id=job.pk)
    other = UserFactory.create(role="banner_reviewer", hospital=None, org_unit=alxa.zuoqi)
    for user in (other, alxa.reporter, alxa.league_reviewer):
        client = client_for(user)
        assert client.get(f"/api/v1/exports/{job.pk}/").status_code == 404
        assert client.get(f"/api/v1/exports/{job.pk}/download/").status_code == 404
        assert client.get("/api/v1/exports/").json()["results"] == []
    assert client_for(alxa.banner_reviewer).get(f"/api/v1/exports/{job.pk}/download/").status_code == 200
    assert client_for(alxa.admin).get(f"/api/v1/exports/{job.pk}/").status_code == 200


@pytest.mark.django_db
def test_expired_files_are_deleted_and_refused(alxa: Alxa) -> None:
    job = ExportJob.objects.create(kind="hospital_roster", requested_by=alxa.banner_reviewer)
    job = export_job_run(job_id=job.pk)
    storage = job.file.storage
    name = job.file.name
    assert name
    assert storage.exists(name)
    assert export_jobs_expire(now=timezone.now() + dt.timedelta(hours=23)) == 0

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert delete_expired_exports() == 1
    assert delete_expired_exports() == 0
    assert not storage.exists(name)
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("expired", "")
    response = client_for(alxa.banner_reviewer).get(f"/api/v1/exports/{job.pk}/download/")
    assert response.status_code == 410
    assert response.json() == {
        "code": "export_expired",
        "message": "该导出文件已过期，请重新导出。",
        "errors": {},
    }
    assert_documented(response)  # 409 and 410 were not documented (schemathesis)


@pytest.mark.django_db
def test_a_pending_job_is_not_downloadable_yet(alxa: Alxa) -> None:
    job = ExportJob.objects.create(
        kind="hospital_roster", requested_by=alxa.reporter, rows_total=4, rows_done=1
    )
    response = client_for(alxa.reporter).get(f"/api/v1/exports/{job.pk}/download/")
    assert response.status_code == 409
    assert response.json() == {
        "code": "export_not_ready",
        "message": "导出文件尚未生成（25%）。",
        "errors": {},
    }
    assert_documented(response)
    assert client_for(alxa.reporter).get(f"/api/v1/exports/{job.pk}/").json()["percent"] == 25


@pytest.mark.django_db
def test_too_many_running_jobs_are_refused(alxa: Alxa, settings: Any) -> None:
    settings.EXPORT_ASYNC_ROW_THRESHOLD = 0
    for _ in range(3):
        ExportJob.objects.create(kind="hospital_roster", requested_by=alxa.admin)
    response = client_for(alxa.admin).post("/api/v1/exports/", {"kind": "hospital_roster"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_exports"


@pytest.mark.django_db
def test_bad_kind_and_bad_filters_are_refused(alxa: Alxa) -> None:
    client = client_for(alxa.admin)
    response = client.post("/api/v1/exports/", {"kind": "nope"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "unknown_export")
    response = client.post(
        "/api/v1/exports/", {"kind": "hospital_roster", "params": {"level": "quaternary"}}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_filter")
    assert "level" in response.json()["errors"]


@pytest.mark.django_db
def test_kinds_are_listed(alxa: Alxa) -> None:
    kinds = client_for(alxa.reporter).get("/api/v1/exports/kinds/").json()
    assert {"code": "hospital_roster", "title": "医院名册"} in kinds


@pytest.mark.django_db
def test_anonymous_users_export_nothing(api: Any) -> None:
    assert api.post("/api/v1/exports/", {"kind": "hospital_roster"}, format="json").status_code == 401
