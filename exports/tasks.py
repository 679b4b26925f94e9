"""Thin tasks: ids in, a service call, safe to run twice (STYLE habit 4)."""

from __future__ import annotations

from celery import shared_task

from exports.jobs import export_job_run, export_jobs_expire

# An export is stopped (and its job marked failed) before the broker's visibility timeout
# (settings.BROKER_VISIBILITY_TIMEOUT, 300 s) would hand it to a second worker while it still runs.
EXPORT_TIME_LIMIT_S = 240


@shared_task(
    name="exports.tasks.run_export_job",
    soft_time_limit=EXPORT_TIME_LIMIT_S - 10,
    time_limit=EXPORT_TIME_LIMIT_S,
)
def run_export_job(job_id: int) -> str:
    return export_job_run(job_id=job_id).status


@shared_task(name="exports.tasks.delete_expired_exports")
def delete_expired_exports() -> int:
    return export_jobs_expire()
