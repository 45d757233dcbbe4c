from enum import StrEnum


class AccountErrorCode(StrEnum):
    INVALID = "invalid"
    INVALID_TOKEN = "invalid_token"
    TOKEN_EXPIRED = "token_expired"
    EMAIL_TAKEN = "email_taken"
    PASSWORD_TOO_WEAK = "password_too_weak"
    INVALID_CREDENTIALS = "invalid_credentials"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
