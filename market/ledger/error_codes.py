from enum import StrEnum


class LedgerErrorCode(StrEnum):
    INVALID = "invalid"
    ORDER_NOT_PAID = "order_not_paid"
    ORDER_INCONSISTENT = "order_inconsistent"
    INVALID_AMOUNT = "invalid_amount"
    CURRENCY_MISMATCH = "currency_mismatch"
    PAYOUT_MISMATCH = "payout_mismatch"
