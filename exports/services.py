"""Running exports: in the request when small, as a Celery task with progress when large.

``export_start`` counts the rows first: up to ``settings.EXPORT_ASYNC_ROW_THRESHOLD`` it writes the
workbook at once into an anonymous temporary file; above it, it records an ``ExportJob`` and queues
``exports.tasks.run_export_job`` after the commit. The task calls ``export_job_run``, which
writes the file in steps of ``PROGRESS_EVERY`` rows (updating ``rows_done``), stores it through Django's
default storage, and sets ``expires_at`` ``settings.EXPORT_FILE_TTL_HOURS`` ahead; ``export_jobs_expire``
deletes the files whose time has come (run hourly by beat).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import clock
from exports.jobs import export_plan
from exports.models import ExportJob
from exports.registry import AnyUser, ExportKind, Params, export_kind_get
from exports.tasks import run_export_job
from exports.writer import write_workbook

# A clerk who clicks "export" five times should not occupy five workers.
MAX_ACTIVE_JOBS_PER_USER = 3


@dataclass
class ExportOutcome:
    """Either a finished file (``file``, to be streamed and closed) or a queued ``job`` to poll."""

    filename: str
    rows: int
    file: IO[bytes] | None = None
    job: ExportJob | None = None


def scope_label(user: AnyUser) -> str:
    """The requester's scope in words (the account's ``scope_name``), for file names and the job list."""
    return str(getattr(user, "scope_name", "") or "")


def export_filename(kind: ExportKind, user: AnyUser, at: dt.datetime | None = None) -> str:
    moment = timezone.localtime(at or clock.now())
    scope = scope_label(user)
    parts = [kind.title, scope, f"{moment:%Y%m%d-%H%M}"]
    return "_".join(p for p in parts if p) + ".xlsx"


def export_start(*, actor: AnyUser, kind: str, params: Params, force_async: bool = False) -> ExportOutcome:
    """Export ``kind`` for ``actor`` with the list filters ``params``; see the module docstring."""
    export_kind = export_kind_get(kind)
    sheets, total = export_plan(export_kind, actor, params)
    filename = export_filename(export_kind, actor)
    if total <= settings.EXPORT_ASYNC_ROW_THRESHOLD and not force_async:
        handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - handed to the response, which closes it
        rows = write_workbook(handle, sheets)
        handle.seek(0)
        return ExportOutcome(filename=filename, rows=rows, file=handle)
    job = export_job_create(actor=actor, kind=export_kind, params=params, rows_total=total, filename=filename)
    return ExportOutcome(filename=filename, rows=total, job=job)


@transaction.atomic
def export_job_create(
    *, actor: AnyUser, kind: ExportKind, params: Params, rows_total: int, filename: str
) -> ExportJob:
    active = ExportJob.objects.filter(
        requested_by=actor, status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING]
    ).count()
    if active >= MAX_ACTIVE_JOBS_PER_USER:
        raise ValidationError(
            "您已有%(n)s个导出任务正在进行，请等其完成后再导出。",
            code="too_many_exports",
            params={"n": active},
        )
    job = ExportJob.objects.create(
        kind=kind.code,
        params=params,
        requested_by=actor,
        scope=scope_label(actor),
        rows_total=rows_total,
        filename=filename,
    )
    transaction.on_commit(lambda: run_export_job.delay(job.pk))
    return job


def export_job_file(*, actor: AnyUser, job: ExportJob) -> IO[Any]:
    """The finished file of ``job`` for download; the caller found ``job`` in ``export_jobs_for(actor)``."""
    if job.status == ExportJob.Status.EXPIRED or (job.expires_at and job.expires_at <= clock.now()):
        raise ValidationError("该导出文件已过期，请重新导出。", code="export_expired")
    if job.status != ExportJob.Status.DONE:
        raise ValidationError(
            "导出文件尚未生成（%(p)s%%）。", code="export_not_ready", params={"p": job.percent}
        )
    return job.file.open("rb")
