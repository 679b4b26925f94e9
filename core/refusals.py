"""A service's refusals, collected per field so that every broken rule is reported at once.

A service checks all its rules, adds each refusal to ``Refusals`` on the field the rule concerns (or on
no field, when the rule concerns the record as a whole: a month frozen in review, a report's state), and
raises them together as one Django ``ValidationError`` with an error dict. The API then answers
``errors.<field>`` (``core.api``), a page form shows each message beside its field
(``core.pages.add_service_error``), and the admin does the same. Nothing is written when any is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class Refusals:
    """The refusals of one service call, by field, in the order the rules were checked."""

    def __init__(self) -> None:
        self._errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str | None, message: str, code: str, params: dict[str, Any] | None = None) -> None:
        """Refuse ``field`` (``None``: no single field) with a Chinese ``message`` and a ``code``."""
        self._append(field, ValidationError(message, code=code, params=params))

    def merge(self, error: ValidationError, field: str | None = None) -> None:
        """Add a refusal raised by a shared check (the month lock, an upload check, a model's
        ``full_clean``): on the fields it names, else on ``field``."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                for one in errors:
                    self._append(name, one)
        else:
            for one in error.error_list:
                self._append(field, one)

    @contextmanager
    def collect(self, field: str | None = None) -> Iterator[None]:
        """Run a check that raises ``ValidationError`` and keep its refusal instead (on ``field`` when
        it names none), so that the next rules are checked too."""
        try:
            yield
        except ValidationError as error:
            self.merge(error, field)

    def has(self, *fields: str | None) -> bool:
        """Whether any of ``fields`` is refused already (a rule that builds on one skips it)."""
        return any((f or NON_FIELD_ERRORS) in self._errors for f in fields)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def raise_if_any(self) -> None:
        if self._errors:
            raise ValidationError({name: list(errors) for name, errors in self._errors.items()})

    def _append(self, field: str | None, error: ValidationError) -> None:
        errors = self._errors.setdefault(field or NON_FIELD_ERRORS, [])
        # The same rule reached twice (the old and the new month of one record) is said once.
        if not any(e.code == error.code and e.messages == error.messages for e in errors):
            errors.append(error)


def refusal_codes(error: ValidationError) -> list[str]:
    """Every code of a refusal, whether it names fields or not (in the order they were found)."""
    if hasattr(error, "error_dict"):
        return [e.code or "invalid" for errors in error.error_dict.values() for e in errors]
    return [e.code or "invalid" for e in error.error_list]


def refusal_fields(error: ValidationError) -> dict[str, list[str]]:
    """A refusal as ``{field: [message, …]}`` (``NON_FIELD_ERRORS`` for what concerns no field)."""
    if hasattr(error, "error_dict"):
        return {name: [m for e in errors for m in e.messages] for name, errors in error.error_dict.items()}
    return {NON_FIELD_ERRORS: list(error.messages)}
