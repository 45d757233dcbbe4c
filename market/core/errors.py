"""Errors that the domain raises and every entry point understands."""

from enum import StrEnum


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
