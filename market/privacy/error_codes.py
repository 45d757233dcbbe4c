from enum import StrEnum


class PrivacyErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID_CREDENTIALS = "invalid_credentials"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    REASON_REQUIRED = "reason_required"
    REASON_TOO_LONG = "reason_too_long"
    STAFF_ACCOUNT = "staff_account"
    ERASURE_MUST_WAIT = "erasure_must_wait"
