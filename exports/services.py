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
import logging
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from hospitals.models import Role, User
from hospitals.selectors import AnyUser

from exports.models import ExportJob
from exports.registry import ExportKind, Params, export_kind_get
from exports.writer import Sheet, write_workbook

logger = logging.getLogger(__name__)

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
    if not isinstance(user, User):
        return ""
    if user.is_superuser or user.role == Role.ADMIN:
        return "全部"
    if user.role == Role.HOSPITAL_REPORTER and user.hospital is not None:
        return user.hospital.name
    if user.org_unit is not None:
        return user.org_unit.name
    return ""


def export_filename(kind: ExportKind, user: AnyUser, at: dt.datetime | None = None) -> str:
    moment = timezone.localtime(at or timezone.now())
    scope = scope_label(user)
    parts = [kind.title, scope, f"{moment:%Y%m%d-%H%M}"]
    return "_".join(p for p in parts if p) + ".xlsx"


def _plan(kind: ExportKind, user: AnyUser, params: Params) -> tuple[list[Sheet], int]:
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied("请先登录。")
    if not kind.allowed(user):
        raise PermissionDenied(f"您无权导出{kind.title}。")
    sheets = list(kind.build(user, params))
    return sheets, sum(sheet.row_count() for sheet in sheets)


def export_start(*, actor: AnyUser, kind: str, params: Params, force_async: bool = False) -> ExportOutcome:
    """Export ``kind`` for ``actor`` with the list filters ``params``; see the module docstring."""
    export_kind = export_kind_get(kind)
    sheets, total = _plan(export_kind, actor, params)
    filename = export_filename(export_kind, actor)
    if total <= settings.EXPORT_ASYNC_ROW_THRESHOLD and not force_async:
        handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - handed to the response, which closes it
        rows = write_workbook(handle, sheets)
        handle.seek(0)
        return ExportOutcome(filename=filename, rows=rows, file=handle)
    assert isinstance(actor, User)
    job = export_job_create(actor=actor, kind=export_kind, params=params, rows_total=total, filename=filename)
    return ExportOutcome(filename=filename, rows=total, job=job)


@transaction.atomic
def export_job_create(
    *, actor: User, kind: ExportKind, params: Params, rows_total: int, filename: str
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
    from exports.tasks import run_export_job

    transaction.on_commit(lambda: run_export_job.delay(job.pk))
    return job


def export_job_run(*, job_id: int) -> ExportJob:
    """Build the file of a queued job. Safe to run twice: a finished, failed or expired job is left as it
    is; a job left RUNNING by a worker that died is built again from the start.

    Not one transaction: ``rows_done`` must be visible to the poller while the file is written.
    """
    job = ExportJob.objects.select_related("requested_by__hospital", "requested_by__org_unit").get(pk=job_id)
    if job.status not in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING):
        return job
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, started_at=now, rows_done=0)
    try:
        kind = export_kind_get(job.kind)
        sheets, total = _plan(kind, job.requested_by, job.params)
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

        with tempfile.TemporaryFile(suffix=".xlsx") as handle:
            rows = write_workbook(handle, sheets, progress=progress)
            handle.seek(0)
            name = default_storage.save(f"exports/{now:%Y/%m}/{job.kind}-{job.pk}.xlsx", File(handle))
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        finished = timezone.now()
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=_error_text(exc),
            finished_at=finished,
            expires_at=finished + dt.timedelta(hours=settings.EXPORT_FILE_TTL_HOURS),
        )
        job.refresh_from_db()
        return job
    finished = timezone.now()
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
    now = now or timezone.now()
    count = 0
    due = ExportJob.objects.filter(expires_at__lte=now).exclude(status=ExportJob.Status.EXPIRED)
    for job in due.only("pk", "file", "status"):
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
        count += 1
    return count


def export_job_file(*, actor: AnyUser, job: ExportJob) -> IO[Any]:
    """The finished file of ``job`` for download; the caller found ``job`` in ``export_jobs_for(actor)``."""
    if job.status == ExportJob.Status.EXPIRED or (job.expires_at and job.expires_at <= timezone.now()):
        raise ValidationError("该导出文件已过期，请重新导出。", code="export_expired")
    if job.status != ExportJob.Status.DONE:
        raise ValidationError(
            "导出文件尚未生成（%(p)s%%）。", code="export_not_ready", params={"p": job.percent}
        )
    return job.file.open("rb")
