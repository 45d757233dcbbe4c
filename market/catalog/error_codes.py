from enum import StrEnum


class CatalogErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID_IMAGE = "invalid_image"
    IMAGE_TOO_LARGE = "image_too_large"
    INVALID_PRICE_RANGE = "invalid_price_range"
    INVALID_SEARCH = "invalid_search"
