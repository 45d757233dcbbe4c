from enum import StrEnum


class PaymentErrorCode(StrEnum):
    INVALID = "invalid"
    INVALID_EVENT = "invalid_event"
    INVALID_SIGNATURE = "invalid_signature"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    PAYLOAD_TOO_DEEP = "payload_too_deep"
    NOT_FOUND = "not_found"
    GATEWAY_NOT_AVAILABLE = "gateway_not_available"
    ORDER_NOT_PAYABLE = "order_not_payable"
    INVALID_TRANSITION = "invalid_transition"
    AMOUNT_MISMATCH = "amount_mismatch"
    GATEWAY_ERROR = "gateway_error"
    GATEWAY_UNAVAILABLE = "gateway_unavailable"
    NOT_PAID = "not_paid"
    INVALID_AMOUNT = "invalid_amount"
    REFUND_EXCEEDS_PAID = "refund_exceeds_paid"
    ALREADY_SHIPPED = "already_shipped"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
