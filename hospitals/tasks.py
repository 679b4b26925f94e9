"""Tasks of the hospitals app."""

from celery import shared_task
from django.db import connection


@shared_task(name="hospitals.tasks.ping")
def ping(nonce: str) -> dict[str, str | int]:
    """Health check for a deployment: proves a worker takes tasks from the broker and reaches the database.

    Returns the caller's nonce (so the answer is to this call, not an earlier one), the database vendor
    and the number of applied migrations. Reads only: safe to run any number of times.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        (migrations,) = cursor.fetchone() or (0,)
    return {"nonce": nonce, "database": connection.vendor, "migrations": int(migrations)}
