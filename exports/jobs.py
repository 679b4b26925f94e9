"""The work of an export job (run by ``exports.tasks``): plan the sheets for the requester, write the file
with progress, store it, and expire old files."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage

from core import clock
from exports.models import ExportJob
from exports.registry import AnyUser, ExportKind, Params, export_kind_get
from exports.writer import Sheet, write_workbook

logger = logging.getLogger(__name__)


def export_plan(kind: ExportKind, user: AnyUser, params: Params) -> tuple[list[Sheet], int]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("请先登录。")
    if not kind.allowed(user):
        raise PermissionDenied(f"您无权导出{kind.title}。")
    sheets = list(kind.build(user, params))
    return sheets, sum(sheet.row_count() for sheet in sheets)


def export_job_run(*, job_id: int) -> ExportJob:
    """Build the file of a queued job. Safe to run twice: a finished, failed or expired job is left as it
    is; a job left RUNNING by a worker that died is built again from the start.

    Not one transaction: ``rows_done`` must be visible to the poller while the file is written.

    Every time of a job reads the one clock (``core.clock``), bookkeeping included: the requester sees
    ``created_at``, ``finished_at`` and ``expires_at`` (API, 我的导出, the job page), so on a fixed clock
    they must not show the real date beside the clock's; ``started_at`` follows so the times stay ordered
    (``export_times_ordered``). In production the clock is real time (a fixed clock is refused there); on
    a demo's fixed clock a file's expiry never comes, which is what "24 hours after now" means there.
    """
    job = ExportJob.objects.select_related("requested_by__hospital", "requested_by__org_unit").get(pk=job_id)
    if job.status not in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING):
        return job
    now = clock.now()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, started_at=now, rows_done=0)
    try:
        kind = export_kind_get(job.kind)
        sheets, total = export_plan(kind, job.requested_by, job.params)
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

        with tempfile.TemporaryFile(suffix=".xlsx") as handle:
            rows = write_workbook(handle, sheets, progress=progress)
            handle.seek(0)
            name = default_storage.save(f"exports/{now:%Y/%m}/{job.kind}-{job.pk}.xlsx", File(handle))
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        finished = clock.now()
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=_error_text(exc),
            finished_at=finished,
            expires_at=finished + dt.timedelta(hours=settings.EXPORT_FILE_TTL_HOURS),
        )
        job.refresh_from_db()
        return job
    finished = clock.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        file=name,
        rows_done=rows,
        rows_total=max(total, rows),
        finished_at=finished,
        expires_at=finished + dt.timedelta(hours=settings.EXPORT_FILE_TTL_HOURS),
    )
    job.refresh_from_db()
    return job


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or "无权导出。"
    return "导出失败，请稍后重试或联系管理员。"


def export_jobs_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of jobs past ``expires_at`` and mark them expired; returns how many. Idempotent."""
    now = now or clock.now()
    count = 0
    due = ExportJob.objects.filter(expires_at__lte=now).exclude(status=ExportJob.Status.EXPIRED)
    for job in due.only("pk", "file", "status"):
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
        count += 1
    return count
