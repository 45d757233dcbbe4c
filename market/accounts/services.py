"""Accounts: registration and e-mail verification, signing in with rotating refresh tokens,
passwords, and the staff groups."""

from __future__ import annotations

import datetime as dt
import uuid
from copy import copy
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from market.accounts.error_codes import AccountErrorCode
from market.accounts.models import RefreshToken, User
from market.accounts.throttling import (
    account_email_allowed,
    login_attempt_allowed,
    login_succeeded,
)
from market.accounts.tokens import (
    access_token_create,
    email_verification_token_generator,
    refresh_token_hash,
    refresh_token_new,
)
from market.core.emails import email_enqueue
from market.core.errors import DomainError
from market.core.permissions import StaffPermission
from market.core.tasks import enqueue_on_commit

MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 80
# Hashing cost grows with the input: refuse absurd lengths before hashing them.
MAX_PASSWORD_LENGTH = 256
MAX_TOKEN_LENGTH = 512


@dataclass(frozen=True)
class TokenPair:
    """What a client keeps after signing in: a short-lived access token and a refresh token."""

    user: User
    access_token: str
    refresh_token: str


# --- Registration and e-mail verification ----------------------------------------------------


@transaction.atomic
def user_register(
    *, email: str, password: str, client_address: str, first_name: str = "", last_name: str = ""
) -> None:
    """An account, unverified until its owner follows the link e-mailed to the address.

    One account per address, compared lower-case; the password must pass the configured
    password validators. An address that has an account already gets no second one: its owner
    is told by e-mail instead. Both cases answer alike and do the same work (the password
    checked and hashed, one insert tried, one e-mail queued), so registering tells nobody which
    addresses have accounts. The e-mail counts against ``account_email_allowed``.
    """
    email = _email_clean(email)
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    for field, value in (("firstName", first_name), ("lastName", last_name)):
        if len(value) > MAX_NAME_LENGTH:
            raise DomainError(
                AccountErrorCode.INVALID, f"At most {MAX_NAME_LENGTH} characters.", field=field
            )
    _password_check(
        password,
        user=User(email=email, first_name=first_name, last_name=last_name),
        field="password",
    )
    _account_email_limit(email=email, client_address=client_address)
    try:
        with transaction.atomic():
            # The unique address decides, not a look-up first: hashing and inserting are done
            # whether or not the address is taken.
            user = User.objects.create_user(
                email, password, first_name=first_name, last_name=last_name, is_email_verified=False
            )
    except IntegrityError:
        _registration_attempt_email_enqueue(email=email)
        return
    _verification_email_enqueue(user=user)


@transaction.atomic
def user_confirm_email(*, email: str, token: str) -> User:
    """Marks the address verified when the token from the link is valid for it.

    Confirming twice with the same link succeeds without change; an unknown address answers
    exactly like a bad token.
    """
    user = User.objects.filter(email=_email_normalize(email)).first()
    if user is None or not _verification_token_matches(user=user, token=token):
        raise DomainError(
            AccountErrorCode.INVALID_TOKEN,
            "This verification link is not valid or has expired.",
            field="token",
        )
    User.objects.filter(pk=user.pk, is_email_verified=False).update(is_email_verified=True)
    user.refresh_from_db(fields=["is_email_verified"])
    return user


def user_resend_verification(*, email: str, client_address: str) -> None:
    """A new verification link for an unverified account. Answers alike and does the same work
    for any address (it only queues ``verification_email_resend``, the worker looks the
    address up), so nobody learns which addresses have accounts. Limited by
    ``account_email_allowed``."""
    email = _email_normalize(email)
    _account_email_limit(email=email, client_address=client_address)
    if email and len(email) <= MAX_EMAIL_LENGTH:
        enqueue_on_commit("accounts.verification_email_resend", email=email)


@transaction.atomic
def verification_email_resend(*, email: str) -> None:
    """The worker's half of ``user_resend_verification``."""
    user = User.objects.filter(
        email=_email_normalize(email), is_active=True, is_email_verified=False
    ).first()
    if user is not None:
        _verification_email_enqueue(user=user)


def _verification_token_matches(*, user: User, token: str) -> bool:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    # A token is minted for the unverified account: checking it against that state lets a
    # second click on the same link succeed, while a forged token still fails.
    unverified = copy(user)
    unverified.is_email_verified = False
    return email_verification_token_generator.check_token(unverified, token)


def _verification_email_enqueue(*, user: User) -> None:
    link = _storefront_link(
        "verify-email", email=user.email, token=email_verification_token_generator.make_token(user)
    )
    email_enqueue(
        to=user.email,
        subject="Confirm your e-mail address for Creative Market",
        body=(
            f"Hello {user.get_short_name()},\n\n"
            f"Please confirm your e-mail address by opening this link:\n{link}\n\n"
            "If you did not create an account, ignore this message.\n"
        ),
    )


def _registration_attempt_email_enqueue(*, email: str) -> None:
    email_enqueue(
        to=email,
        subject="Someone tried to register with your Creative Market address",
        body=(
            "Hello,\n\nSomeone, perhaps you, tried to create a Creative Market "
            "account with this e-mail address, which already has one. No second "
            "account was made.\n\nIf it was you, sign in at "
            f"{settings.MARKET_STOREFRONT_URL.rstrip('/')}/ or, if you forgot your "
            "password, ask for a new one there. If it was not you, ignore this "
            "message: your account stays as it is.\n"
        ),
    )


# --- Signing in and refresh tokens ---------------------------------------------------------


def user_authenticate(*, email: str, password: str, client_address: str) -> User:
    """The active account whose password matches: the one door of every sign-in (the API's
    ``tokenCreate`` and the admin's login page).

    A wrong password and an unknown address are refused alike (``invalid_credentials``).
    Failures are limited per client address and per account from that address
    (``market.accounts.throttling``): over either limit every attempt is refused
    (``too_many_attempts``), the right password included, until the window passes; the
    account's owner still signs in from another address.
    """
    email = _email_normalize(email)
    if not login_attempt_allowed(email=email, client_address=client_address):
        minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
        raise DomainError(
            AccountErrorCode.TOO_MANY_ATTEMPTS,
            f"Too many failed sign-ins: try again in up to {minutes} minutes.",
        )
    user = None
    if len(password or "") <= MAX_PASSWORD_LENGTH:
        # The authentication backend refuses inactive users and hashes even for an unknown
        # address, so timing does not tell which addresses have accounts.
        user = authenticate(None, email=email, password=password)
    if user is None:
        raise DomainError(
            AccountErrorCode.INVALID_CREDENTIALS, "The e-mail address or password is not correct."
        )
    login_succeeded(email=email, client_address=client_address)
    return user


@transaction.atomic
def user_login(*, email: str, password: str, client_address: str) -> TokenPair:
    """Tokens for an active account whose password matches, within the sign-in limits of
    ``user_authenticate``."""
    user = user_authenticate(email=email, password=password, client_address=client_address)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return sign_in_create(user=user)


def token_refresh(*, refresh_token: str) -> TokenPair:
    """A new access and refresh token for a valid refresh token, which is revoked (rotation).

    A refresh token presented after it was revoked has been copied: every token of its sign-in
    (its family) is revoked, so neither the thief nor the owner can go on with it, and the
    access tokens already issued to that sign-in stop working at once. The family's revocation
    is committed even though the request is refused, hence the inner transaction.
    """
    invalid = DomainError(
        AccountErrorCode.INVALID_TOKEN,
        "The refresh token is not valid; sign in again.",
        field="refreshToken",
    )
    with transaction.atomic():
        token = _refresh_token_find(refresh_token)
        now = timezone.now()
        if token is None:
            pair = None
        elif not RefreshToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        ):
            # Already revoked (or a concurrent refresh won the race): a replay.
            RefreshToken.objects.filter(family_id=token.family_id, revoked_at__isnull=True).update(
                revoked_at=now
            )
            pair = None
        elif token.expires_at <= now or not token.user.is_active:
            pair = None
        else:
            pair = _token_pair_issue(user=token.user, family_id=token.family_id)
    if pair is None:
        raise invalid
    return pair


@transaction.atomic
def token_revoke(*, refresh_token: str) -> None:
    """Signing out ends the sign-in: its refresh tokens and its access tokens stop working,
    the user's other sign-ins go on. Answers alike for an unknown token."""
    token = _refresh_token_find(refresh_token)
    if token is not None:
        RefreshToken.objects.filter(family_id=token.family_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


@transaction.atomic
def tokens_revoke_all(*, user: User) -> None:
    """Signs ``user`` out everywhere: every access token and every refresh token dies."""
    _tokens_invalidate(user=user)


def _tokens_invalidate(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(token_generation=F("token_generation") + 1)
    user.refresh_from_db(fields=["token_generation"])
    RefreshToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def sign_in_create(*, user: User) -> TokenPair:
    """A new sign-in for ``user``, whom the caller has authenticated: its first token pair."""
    return _token_pair_issue(user=user, family_id=uuid.uuid4())


def _token_pair_issue(*, user: User, family_id: uuid.UUID) -> TokenPair:
    raw = refresh_token_new()
    now = timezone.now()
    RefreshToken.objects.create(
        user=user,
        token_hash=refresh_token_hash(raw),
        family_id=family_id,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.JWT_REFRESH_TOKEN_TTL_SECONDS),
    )
    return TokenPair(
        user=user, access_token=access_token_create(user=user, sign_in=family_id), refresh_token=raw
    )


def refresh_tokens_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the refresh tokens of sign-ins that are over: every token of the family expired.

    Revoked tokens of a live family are kept, since one presented again is how a stolen token
    is caught (the whole family is revoked); once the family's newest token has expired, none
    of it can be used and none is needed. Returns how many tokens were deleted."""
    now = now or timezone.now()
    live_families = RefreshToken.objects.filter(expires_at__gt=now).values("family_id")
    deleted, _ = (
        RefreshToken.objects.filter(expires_at__lte=now)
        .exclude(family_id__in=live_families)
        .delete()
    )
    return deleted


def _refresh_token_find(raw: str) -> RefreshToken | None:
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return (
        RefreshToken.objects.select_related("user")
        .filter(token_hash=refresh_token_hash(raw))
        .first()
    )


# --- Passwords -----------------------------------------------------------------------------


def password_confirm(*, user: User, password: str, client_address: str, field: str) -> None:
    """A signed-in person confirms an action with their password. Wrong passwords count with
    the sign-in limits (``user_authenticate``) of their account from that address: a stolen
    access token must not be a way to guess the password, a guess at a time."""
    email = _email_normalize(user.email)
    if not login_attempt_allowed(email=email, client_address=client_address):
        minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
        raise DomainError(
            AccountErrorCode.TOO_MANY_ATTEMPTS,
            f"Too many wrong passwords: try again in up to {minutes} minutes.",
            field=field,
        )
    if len(password or "") > MAX_PASSWORD_LENGTH or not user.check_password(password):
        raise DomainError(
            AccountErrorCode.INVALID_CREDENTIALS, "The password is not correct.", field=field
        )
    login_succeeded(email=email, client_address=client_address)


@transaction.atomic
def password_change(
    *, user: User, old_password: str, new_password: str, client_address: str
) -> TokenPair:
    """A new password for a signed-in user who knows the old one (``password_confirm``).

    Every earlier access and refresh token stops working (a changed password usually means a
    leaked one); the caller gets a fresh pair so that this session goes on.
    """
    password_confirm(
        user=user, password=old_password, client_address=client_address, field="oldPassword"
    )
    _password_check(new_password, user=user, field="newPassword")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _tokens_invalidate(user=user)
    return sign_in_create(user=user)


def password_reset_request(*, email: str, client_address: str) -> None:
    """E-mails a password-reset link when an active account has this address.

    Answers alike and does the same work for any address: the request only queues
    ``password_reset_email_send`` (a worker looks the address up), so neither the answer nor
    its timing tells which addresses have accounts. Limited by ``account_email_allowed``.
    """
    email = _email_normalize(email)
    _account_email_limit(email=email, client_address=client_address)
    if email and len(email) <= MAX_EMAIL_LENGTH:
        enqueue_on_commit("accounts.password_reset_email_send", email=email)


@transaction.atomic
def password_reset_email_send(*, email: str) -> None:
    """The worker's half of ``password_reset_request``: the link goes to an active account
    with this address; for any other address nothing is sent."""
    user = User.objects.filter(email=_email_normalize(email), is_active=True).first()
    if user is None:
        return
    link = _storefront_link(
        "reset-password", email=user.email, token=default_token_generator.make_token(user)
    )
    email_enqueue(
        to=user.email,
        subject="Reset your Creative Market password",
        body=(
            f"Hello {user.get_short_name()},\n\n"
            f"To choose a new password, open this link:\n{link}\n\n"
            "If you did not ask for this, ignore this message: your password stays "
            "as it is.\n"
        ),
    )


@transaction.atomic
def password_set(*, email: str, token: str, password: str) -> User:
    """A new password from a reset link's token (valid once, for ``PASSWORD_RESET_TIMEOUT``).

    Every earlier access and refresh token stops working. Following the link proves the
    address, so the account counts as verified from then on.
    """
    user = User.objects.filter(email=_email_normalize(email), is_active=True).first()
    if (
        user is None
        or not token
        or len(token) > MAX_TOKEN_LENGTH
        or not default_token_generator.check_token(user, token)
    ):
        raise DomainError(
            AccountErrorCode.INVALID_TOKEN,
            "This password-reset link is not valid or has expired.",
            field="token",
        )
    _password_check(password, user=user, field="password")
    user.set_password(password)
    user.is_email_verified = True
    user.save(update_fields=["password", "is_email_verified"])
    _tokens_invalidate(user=user)
    return user


def _password_check(password: str, *, user: User, field: str) -> None:
    if len(password or "") > MAX_PASSWORD_LENGTH:
        raise DomainError(
            AccountErrorCode.INVALID,
            f"A password is at most {MAX_PASSWORD_LENGTH} characters.",
            field=field,
        )
    try:
        password_validation.validate_password(password or "", user=user)
    except ValidationError as error:
        raise DomainError(
            AccountErrorCode.PASSWORD_TOO_WEAK, " ".join(error.messages), field=field
        ) from None


# --- Erasure ------------------------------------------------------------------------------

ERASED_EMAIL_DOMAIN = "erased.invalid"


def erased_email(*, user_id: int) -> str:
    """The address an erased person's records carry instead of theirs: unique per person and
    never deliverable (``.invalid`` is reserved for exactly that, RFC 2606)."""
    return f"erased-{user_id}@{ERASED_EMAIL_DOMAIN}"


@transaction.atomic
def user_erase(*, user: User) -> User:
    """The account becomes an anonymous shell that nobody can sign in to: the e-mail address
    is replaced (so that it may register again), names cleared, the password unusable, staff
    rights and group memberships gone, and every sign-in ended (refresh tokens deleted, access
    tokens and sessions dead). The row stays, since orders and the audit log point at it.
    Erasing an erased account changes nothing."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at is not None:
        return user
    user.email = erased_email(user_id=user.pk)
    user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = user.is_email_verified = False
    user.last_login = None
    user.erased_at = timezone.now()
    user.token_generation = F("token_generation") + 1
    user.save()
    user.refresh_from_db()
    user.groups.clear()
    user.user_permissions.clear()
    RefreshToken.objects.filter(user=user).delete()
    _sessions_delete(user=user)
    return user


def _sessions_delete(*, user: User) -> None:
    # The session store keeps the user id inside the encoded data: each live session is read.
    # Those left behind are dead anyway (an inactive user with a new password hash).
    from django.contrib.sessions.models import Session

    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(
            chunk_size=500
        )
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=stale).delete()


# --- Staff groups --------------------------------------------------------------------------


class StaffGroup(NamedTuple):
    name: str
    permissions: tuple[str, ...]


STAFF_GROUPS = (
    StaffGroup("Seller managers", (StaffPermission.MANAGE_SELLERS,)),
    StaffGroup("Catalogue managers", (StaffPermission.MANAGE_CATALOG,)),
    StaffGroup("Payout managers", (StaffPermission.MANAGE_PAYOUTS,)),
    StaffGroup("Order managers", (StaffPermission.MANAGE_ORDERS,)),
    StaffGroup("Privacy officers", (StaffPermission.MANAGE_PERSONAL_DATA,)),
)


def staff_groups_ensure(*, using: str = "default") -> list[Group]:
    """The staff groups exist and hold at least their permissions (idempotent).

    A permission whose app has not defined it yet is skipped and added on a later run (every
    ``migrate`` runs this). Permissions that admins added to a group by hand are kept.
    """
    groups = []
    with transaction.atomic(using=using):
        for spec in STAFF_GROUPS:
            group, _ = Group.objects.using(using).get_or_create(name=spec.name)
            wanted = {tuple(dotted.split(".", 1)) for dotted in spec.permissions}
            existing = (
                Permission.objects.using(using)
                .select_related("content_type")
                .filter(
                    content_type__app_label__in=[app_label for app_label, _ in wanted],
                    codename__in=[codename for _, codename in wanted],
                )
            )
            permissions = [p for p in existing if (p.content_type.app_label, p.codename) in wanted]
            if permissions:
                group.permissions.add(*permissions)
            groups.append(group)
    return groups


# --- Helpers -------------------------------------------------------------------------------


def _account_email_limit(*, email: str, client_address: str) -> None:
    """E-mails anyone may make us send: per address asked for and per client, known addresses
    or not (``ACCOUNT_EMAILS_MAX_PER_RECIPIENT``, ``ACCOUNT_EMAILS_MAX_PER_CLIENT`` per
    ``ACCOUNT_EMAILS_WINDOW_SECONDS``); beyond, ``too_many_attempts`` and no e-mail."""
    if not account_email_allowed(email=email, client_address=client_address):
        minutes = max(1, settings.ACCOUNT_EMAILS_WINDOW_SECONDS // 60)
        raise DomainError(
            AccountErrorCode.TOO_MANY_ATTEMPTS,
            f"Too many e-mails asked for this address or from this network: try "
            f"again in up to {minutes} minutes.",
        )


def _email_normalize(email: str | None) -> str:
    return (email or "").strip().lower()


def _email_clean(email: str | None) -> str:
    email = _email_normalize(email)
    try:
        if len(email) > MAX_EMAIL_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise DomainError(
            AccountErrorCode.INVALID, "Enter a valid e-mail address.", field="email"
        ) from None
    return email


def _storefront_link(path: str, **query: str) -> str:
    """The storefront page ``/<path>/`` (its address ends in a slash, as every page's does)."""
    return f"{settings.MARKET_STOREFRONT_URL.rstrip('/')}/{path}/?{urlencode(query)}"
