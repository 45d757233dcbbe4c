from enum import StrEnum


class CheckoutErrorCode(StrEnum):
    """Why a checkout request was refused."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    EXPIRED = "expired"
    ALREADY_COMPLETED = "already_completed"
    INVALID_QUANTITY = "invalid_quantity"
    QUANTITY_OVER_LIMIT = "quantity_over_limit"
    TOO_MANY_LINES = "too_many_lines"
    OUT_OF_STOCK = "out_of_stock"
    INSUFFICIENT_STOCK = "insufficient_stock"
    VARIANT_NOT_AVAILABLE = "variant_not_available"
    UNKNOWN_CURRENCY = "unknown_currency"
    INVALID_ADDRESS = "invalid_address"
    INVALID_EMAIL = "invalid_email"
    EMAIL_REQUIRED = "email_required"
    SHIPPING_ADDRESS_REQUIRED = "shipping_address_required"
    BILLING_ADDRESS_REQUIRED = "billing_address_required"
    DESTINATION_NOT_SERVED = "destination_not_served"
    DELIVERY_METHOD_REQUIRED = "delivery_method_required"
    INVALID_DELIVERY_METHOD = "invalid_delivery_method"
    INCOTERM_NOT_OFFERED = "incoterm_not_offered"
    NO_EXCHANGE_RATE = "no_exchange_rate"
    EMPTY_CHECKOUT = "empty_checkout"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    LINE_NOT_FOUND = "line_not_found"


class OrderErrorCode(StrEnum):
    """Why an order request was refused."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    INVALID_TRANSITION = "invalid_transition"
    ALREADY_SHIPPED = "already_shipped"
    UNKNOWN_CARRIER = "unknown_carrier"
    INVALID_TRACKING_NUMBER = "invalid_tracking_number"
