"""Short-lived JWT access tokens (``Authorization: Bearer <token>``).

An access token names its user, that user's ``token_generation`` and its sign-in (``sid``: the
``family_id`` of the sign-in's refresh tokens). Bumping the generation (password change, "log
out everywhere") makes every earlier access token invalid at once; so does ending a sign-in
(signing out, or a replayed refresh token) for that sign-in's access tokens: a sign-in lives
while one of its refresh tokens is not revoked. Both are checked in the one query that loads
the user, on every request, so a revocation counts at once and the database is the only truth.
Refresh tokens live in the database (see services) so that they can be revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import TYPE_CHECKING, cast

import jwt
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db.models import Exists, OuterRef
from django.utils import timezone

from market.accounts.error_codes import AccountErrorCode
from market.core.errors import DomainError

if TYPE_CHECKING:
    from market.accounts.models import User

ALGORITHM = "HS256"
ACCESS = "access"


def access_token_create(*, user: User, sign_in: uuid.UUID) -> str:
    """An access token for ``user`` within the sign-in ``sign_in`` (its refresh tokens'
    ``family_id``)."""
    now = timezone.now()
    payload = {
        "sub": str(user.pk),
        "typ": ACCESS,
        "gen": user.token_generation,
        "sid": str(sign_in),
        "iat": int(now.timestamp()),
        "exp": int((now + dt.timedelta(seconds=settings.JWT_ACCESS_TOKEN_TTL_SECONDS)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, settings.SECRET_KEY, algorithm=ALGORITHM)


def user_from_access_token(token: str) -> User:
    """The active user an access token speaks for, or a refusal saying why."""
    from market.accounts.models import RefreshToken, User

    try:
        payload = jwt.decode(
            token,
            settings.SECRET_KEY,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "typ", "sid"]},
        )
    except jwt.ExpiredSignatureError:
        raise DomainError(
            AccountErrorCode.TOKEN_EXPIRED, "The access token has expired.", field="token"
        ) from None
    except jwt.InvalidTokenError:
        raise DomainError(
            AccountErrorCode.INVALID_TOKEN, "The access token is not valid.", field="token"
        ) from None
    if payload.get("typ") != ACCESS:
        raise DomainError(AccountErrorCode.INVALID_TOKEN, "Not an access token.", field="token")
    try:
        sign_in = uuid.UUID(payload["sid"])
    except (TypeError, ValueError, AttributeError):
        raise DomainError(
            AccountErrorCode.INVALID_TOKEN, "The access token is not valid.", field="token"
        ) from None
    sign_in_live = RefreshToken.objects.filter(
        user=OuterRef("pk"), family_id=sign_in, revoked_at__isnull=True
    )
    user = User.objects.filter(Exists(sign_in_live), pk=payload["sub"], is_active=True).first()
    if user is None or user.token_generation != payload.get("gen"):
        raise DomainError(
            AccountErrorCode.INVALID_TOKEN, "The access token was revoked.", field="token"
        )
    return user


def refresh_token_new() -> str:
    """A fresh opaque refresh token: random, never derived from anything guessable."""
    return secrets.token_urlsafe(48)


def refresh_token_hash(token: str) -> str:
    """What the database keeps of a refresh token (SHA-256, hex): a leaked table logs no one in."""
    return hashlib.sha256(token.encode()).hexdigest()


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens in the verification link; they die once the address is verified (or changed).

    Its own salt keeps them apart from password-reset tokens, and unlike those they do not
    depend on the password or the last login, so signing in does not spoil the link.
    """

    key_salt = "market.accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        account = cast("User", user)  # AUTH_USER_MODEL
        return f"{account.pk}{account.email}{account.is_email_verified}{timestamp}"


email_verification_token_generator = EmailVerificationTokenGenerator()
