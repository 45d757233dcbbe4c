from enum import StrEnum


class OrderErrorCode(StrEnum):
    """Why an order request was refused."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    INVALID_TRANSITION = "invalid_transition"
    ALREADY_SHIPPED = "already_shipped"
    UNKNOWN_CARRIER = "unknown_carrier"
    INVALID_TRACKING_NUMBER = "invalid_tracking_number"
