"""Table versions, and results cached for as long as the tables they were read from do not change.

Every statement that writes to a watched table (insert, update, delete, truncate; through the ORM, a bulk
insert, raw SQL or the admin alike) gives that table a new version: a database trigger writes
``core_tableversion`` (``name`` = the table, ``version`` = a new number) in the writer's transaction.
On PostgreSQL the number comes from a sequence, so a version is never used twice, not even after a
rollback; on the embedded SQLite of ``make run`` it is a 63-bit random number. A reader reads the
versions of the tables a result depends on in one query, before the result, and keys the cache with
them: a write that commits changes the key, so a cached result is never one that differs from what the
live computation would give now (the tests compare both). The version row is locked by the writing
transaction until it commits, so concurrent writers of one watched table queue on it for that long
(docs/decisions.md).

``watch`` is called by the apps for the tables whose readers are cached; ``install_triggers`` runs after
every ``migrate``. ``cached`` is the cache itself; ``cached_count`` a queryset's count under the
versions of every table its SQL reads (live when one of them is not watched).
"""

from __future__ import annotations

import contextvars
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Model, QuerySet

T = TypeVar("T")
TABLE = "core_tableversion"
SEQUENCE = "core_tableversion_seq"
TIMEOUT = 24 * 3600  # a result whose tables stay unchanged for a day is read again anyway
_WATCHED: set[str] = set()
_TABLES_IN_SQL = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')
# The table sets that the running cached_reads calls are collecting: a cached result used inside one of
# them (read from the cache without a query on its tables) adds its tables to each.
_READING: contextvars.ContextVar[tuple[set[str], ...]] = contextvars.ContextVar(
    "core_versions_reading", default=()
)


def watch(*models: type[Model]) -> None:
    """Give these models' tables (and their many-to-many tables) versions."""
    for model in models:
        _WATCHED.add(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through is not None:
                _WATCHED.add(through._meta.db_table)


def watched() -> frozenset[str]:
    return frozenset(_WATCHED)


def install_triggers(using: Any = None, **kwargs: Any) -> None:
    """Create (or replace) the triggers of every watched table that exists. Idempotent (post_migrate)."""
    from django.db import connections

    conn = connections[using or "default"]
    with conn.cursor() as cursor:
        existing = set(conn.introspection.table_names(cursor))
        if TABLE not in existing:
            return
        tables = sorted(t for t in _WATCHED if t in existing)
        if conn.vendor == "postgresql":
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION core_bump_table_version() RETURNS trigger AS $$
                BEGIN
                    INSERT INTO {TABLE} (name, version) VALUES (TG_TABLE_NAME, nextval('{SEQUENCE}'))
                    ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version;
                    RETURN NULL;
                END $$ LANGUAGE plpgsql
                """
            )
            for table in tables:
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER core_table_version AFTER INSERT OR UPDATE OR DELETE "
                    f'OR TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION core_bump_table_version()'
                )
        elif conn.vendor == "sqlite":
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f'CREATE TRIGGER IF NOT EXISTS "core_version_{table}_{event.lower()}" AFTER {event} '
                        f'ON "{table}" BEGIN INSERT OR REPLACE INTO {TABLE} (name, version) '
                        f"VALUES ('{table}', abs(random())); END"
                    )


def table_versions(tables: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """The current version of each table (0 for a table never written since the triggers). One query."""
    names = sorted(set(tables))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, version FROM {TABLE} WHERE name IN ({', '.join(['%s'] * len(names))})", names
        )
        found = dict(cursor.fetchall())
    return tuple((name, found.get(name, 0)) for name in names)


def tables_of(sql: str) -> set[str]:
    """The tables a compiled query reads (Django quotes every table name it writes in FROM and JOIN)."""
    return set(_TABLES_IN_SQL.findall(sql))


def _key(name: str, parts: Sequence[Any], versions: Any) -> str:
    digest = hashlib.sha256(repr((connection.settings_dict["NAME"], parts, versions)).encode()).hexdigest()
    return f"jjx:versioned:{name}:{digest}"


def cached(name: str, parts: Sequence[Any], tables: Iterable[str], compute: Callable[[], T]) -> T:
    """``compute()``, or its result stored under ``parts`` and the current versions of ``tables``.

    ``parts`` must name everything else the result depends on (the viewer's scope as SQL, the period…);
    every table in ``tables`` must be watched (a programming error otherwise).
    """
    tables = set(tables)
    unwatched = tables - _WATCHED
    if unwatched:
        raise ValueError(f"not watched: {', '.join(sorted(unwatched))}")
    for reads in _READING.get():  # an enclosing cached_reads depends on these tables too, hit or not
        reads.update(tables)
    key = _key(name, parts, table_versions(tables))
    found = cache.get(key)
    if found is not None:
        return found
    result = compute()
    cache.set(key, result, TIMEOUT)
    return result


def query_parts(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    """A queryset as (SQL, parameters): an unambiguous cache key part (``("", ())`` for one that can
    match nothing, such as ``.none()``, which has no SQL)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return "", ()
    return sql, tuple(params)


def cached_count(queryset: QuerySet[Any]) -> int:
    """``queryset.count()``, kept while every table its SQL reads is unchanged; live otherwise."""
    queryset = queryset.select_related(None).prefetch_related(None).order_by()  # what COUNT reads
    sql, params = query_parts(queryset)
    tables = tables_of(sql)
    if not tables or not tables <= _WATCHED:
        return queryset.count()
    return cached("count", (sql, params), tables, queryset.count)


def cached_rows(queryset: QuerySet[Any]) -> list[Any]:
    """``list(queryset)`` (rows of ``values()`` or ``values_list()``), kept while every table its SQL reads
    is unchanged; live otherwise."""
    sql, params = query_parts(queryset)
    tables = tables_of(sql)
    if not tables or not tables <= _WATCHED:
        return list(queryset)
    return cached("rows", (sql, params), tables, lambda: list(queryset))


def cached_reads(name: str, parts: Sequence[Any], compute: Callable[[], T]) -> T:
    """``compute()`` kept under the versions of the tables it reads, found by watching its queries.

    The first call runs ``compute`` and notes the tables its SQL read; when all of them are watched, later
    calls read their versions (one query) and keep the result under them. A computation that reads an
    unwatched table is never kept (each call runs it live), and one that starts reading other tables
    (new data, new code) notes them again before anything is kept under them. ``parts`` must name every
    input that is not in the database (the viewer, the day, the parameters). A result that ``compute``
    takes from ``cached`` (``cached_rows``, ``cached_count``) counts as a read of that result's tables.
    """
    index = _key(name + ":tables", parts, None)
    tables: frozenset[str] | None = cache.get(index)
    key = ""
    if tables:
        key = _key(name, parts, table_versions(tables))
        found = cache.get(key)
        if found is not None:
            return found
    read: set[str] = set()

    def note(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        read.update(tables_of(sql))
        return execute(sql, params, many, context)

    token = _READING.set((*_READING.get(), read))
    try:
        with connection.execute_wrapper(note):
            result = compute()
    finally:
        _READING.reset(token)
    if read and read <= _WATCHED:
        if tables == read and key:
            cache.set(key, result, TIMEOUT)
        else:
            cache.set(index, frozenset(read), TIMEOUT)
    return result


def version_tag(*tables: str) -> str:
    """The current versions of ``tables`` (and the database) as one short string: the key of a template
    fragment kept with ``{% cache … tag %}`` while those tables are unchanged. One query."""
    unwatched = set(tables) - _WATCHED
    if unwatched:
        raise ValueError(f"not watched: {', '.join(sorted(unwatched))}")
    return _key("tag", (), table_versions(tables)).rsplit(":", 1)[1][:32]
