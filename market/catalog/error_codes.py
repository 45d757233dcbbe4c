from enum import StrEnum


class CatalogErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    INVALID_IMAGE = "invalid_image"
    IMAGE_TOO_LARGE = "image_too_large"
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"
    INVALID_PRICE_RANGE = "invalid_price_range"
    INVALID_SEARCH = "invalid_search"
    UNKNOWN_ATTRIBUTE = "unknown_attribute"
    INVALID_HS_CODE = "invalid_hs_code"
    INVALID_PRICE = "invalid_price"
    INVALID_QUANTITY = "invalid_quantity"
    DUPLICATE_SKU = "duplicate_sku"
    SELLER_NOT_APPROVED = "seller_not_approved"
    NO_VARIANTS = "no_variants"
    EXPORT_DATA_MISSING = "export_data_missing"
    INVALID_TRANSITION = "invalid_transition"
    PRODUCT_IN_USE = "product_in_use"
    IN_USE = "in_use"
