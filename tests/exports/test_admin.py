from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from exports.models import ExportJob
from hospitals.models import Hospital
from tests.conftest import Alxa

CHANGELIST = "admin:hospitals_hospital_changelist"


def run_action(user: Any, ids: list[int]) -> Any:
    client = Client()
    client.force_login(user)
    return client.post(
        reverse(CHANGELIST), {"action": "export_hospital_roster", "_selected_action": ids}, follow=True
    )


@pytest.mark.django_db
def test_admin_action_exports_the_selected_rows(alxa: Alxa) -> None:
    response = run_action(alxa.admin, [alxa.h001.pk, alxa.h006.pk])
    assert response.status_code == 200
    rows = list(
        load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert [r[0] for r in rows[1:]] == ["H001", "H006"]


@pytest.mark.django_db
def test_admin_action_queues_a_job_above_the_threshold(
    alxa: Alxa, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EXPORT_ASYNC_ROW_THRESHOLD = 1
    ids = list(Hospital.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(alxa.admin, ids)
    assert "已转为后台导出" in response.content.decode()
    job = ExportJob.objects.get()
    assert (job.status, job.rows_done) == ("done", len(ids))
    client = Client()
    client.force_login(alxa.admin)
    assert client.get(reverse("admin:exports_exportjob_changelist")).status_code == 200
