from enum import StrEnum


class AccountErrorCode(StrEnum):
    INVALID = "invalid"
    INVALID_TOKEN = "invalid_token"
    TOKEN_EXPIRED = "token_expired"
