from enum import StrEnum


class PayoutErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    WRONG_ROUTE = "wrong_route"
    NOT_APPROVED = "not_approved"
    INVALID_IBAN = "invalid_iban"
    INVALID_BIC = "invalid_bic"
    UNKNOWN_CURRENCY = "unknown_currency"
    NO_BANK_ACCOUNT = "no_bank_account"
    STRIPE_ERROR = "stripe_error"
    NOT_RELEASABLE = "not_releasable"
    INVALID_BANK_FILE = "invalid_bank_file"
    NOT_RETRYABLE = "not_retryable"
