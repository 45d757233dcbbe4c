from enum import StrEnum


class SellerErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    ALREADY_APPLIED = "already_applied"
    INVALID_TRANSITION = "invalid_transition"
    UNKNOWN_DISCIPLINE = "unknown_discipline"
    UNKNOWN_COUNTRY = "unknown_country"
    INCOMPLETE_APPLICATION = "incomplete_application"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    INVALID_DOCUMENT_TYPE = "invalid_document_type"
    DOCUMENT_TOO_LARGE = "document_too_large"
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"
    REASON_REQUIRED = "reason_required"
