"""Errors that the domain raises and every entry point understands."""

from enum import StrEnum
from typing import Any, cast

from django.db.models import Choices


class CoreErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    UNKNOWN_CURRENCY = "unknown_currency"
    NO_EXCHANGE_RATE = "no_exchange_rate"


class DomainError(Exception):
    """A refused request: ``code`` is machine-readable, ``field`` names the offending input."""

    def __init__(self, code: StrEnum | str, message: str, *, field: str | None = None):
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"DomainError(code={self.code!r}, field={self.field!r}, message={self.message!r})"


def require_choice(
    value: Any, choices: type[Choices], *, code: StrEnum | str, field: str, what: str = ""
) -> str:
    """``value`` when it is one of ``choices`` (a ``TextChoices``); otherwise a ``DomainError``
    on ``field`` that names the allowed values (``what``: how to call it, else the field)."""
    if value not in choices.values:
        raise DomainError(
            code,
            f"Unknown {what or field} {value!r}; choose one of: {', '.join(choices.values)}.",
            field=field,
        )
    return cast(str, value)
