"""Database helpers shared by the apps.

``field__any_of=<queryset of one column>`` is ``field = ANY(ARRAY(SELECT …))``: PostgreSQL runs the
subquery once (an InitPlan) and then matches the column against the array, which an index on the column
serves, also when two such conditions are joined by OR (a bitmap OR of two index scans). ``field__in=``
a subquery, by contrast, becomes a semi-join, or a hashed filter evaluated row by row when it sits under
an OR, which no index serves: the scope rule (``hospitals.selectors.scope_queryset``) is such an OR.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"

    def get_db_prep_lookup(self, value: Any, connection: Any) -> Any:
        return ("%s", [value])

    def _sides(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        # A compiled subquery comes in parentheses already: (SELECT …).
        sql = rhs if rhs.startswith("(") else f"({rhs})"
        return lhs, sql, [*lhs_params, *rhs_params]

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        """Other databases (the embedded SQLite of ``make run``): the plain ``IN (SELECT …)``."""
        lhs, sql, params = self._sides(compiler, connection)
        return f"{lhs} IN {sql}", params

    def as_postgresql(self, compiler: Any, connection: Any) -> Any:
        lhs, sql, params = self._sides(compiler, connection)
        return f"{lhs} = ANY(ARRAY{sql})", params


# Foreign keys read their lookups from ForeignObject down only, not from Field: register on both.
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)
