from enum import StrEnum


class PaymentErrorCode(StrEnum):
    INVALID_EVENT = "invalid_event"
    NOT_FOUND = "not_found"
