from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from schwifty import BIC, IBAN
from schwifty.exceptions import InvalidChecksumDigits, SchwiftyException

from market.core.errors import DomainError
from market.core.money import validate_currency
from market.payments.stripe_client import stripe_client
from market.payouts.error_codes import PayoutErrorCode
from market.payouts.models import (
    PayoutAccount,
    PayoutAccountEvent,
    PayoutAccountEventKind,
    PayoutRouteName,
)
from market.payouts.routes import PayoutRoute, payout_route_for
from market.sellers.models import Seller, SellerStatus

logger = logging.getLogger(__name__)

# Sellers may set up payouts once they have applied: while staff review the application, and
# after approval. Drafts, rejected and suspended shops may not.
_PAYOUT_SETUP_STATUSES = frozenset({SellerStatus.SUBMITTED, SellerStatus.APPROVED})


@dataclass(frozen=True)
class OnboardingLink:
    url: str
    expires_at: dt.datetime
    account: PayoutAccount


def _require_route(seller: Seller, name: PayoutRouteName) -> PayoutRoute:
    route = payout_route_for(seller)
    if route.name != name:
        raise DomainError(
            PayoutErrorCode.WRONG_ROUTE,
            f"Sellers in {seller.country.name or seller.country} are paid by "
            f"{route.name.label.lower()}, not {name.label}.",
        )
    return route


def _require_payout_setup_allowed(seller: Seller) -> None:
    if seller.status not in _PAYOUT_SETUP_STATUSES:
        raise DomainError(
            PayoutErrorCode.NOT_APPROVED,
            "Set up payouts after submitting your application; rejected or suspended shops cannot.",
        )


def _payout_account_for(*, seller: Seller, route: PayoutRoute, lock: bool = False) -> PayoutAccount:
    account, _ = PayoutAccount.objects.get_or_create(seller=seller, defaults={"route": route.name})
    if lock:
        account = PayoutAccount.objects.select_for_update().get(pk=account.pk)
    if account.route != route.name:
        account.route = route.name
        account.save(update_fields=["route", "updated_at"])
    return account


def _stripe_message(error: stripe.StripeError) -> str:
    return error.user_message or "Stripe could not be reached; try again in a moment."


def payout_onboarding_link_create(*, seller: Seller) -> OnboardingLink:
    """A fresh Stripe onboarding link for a Stripe Connect seller who has applied.

    The seller's Express account is created on first use. Not one transaction, because a Stripe
    account cannot be rolled back: its id is stored as soon as Stripe returns it, and it is
    created with an idempotency key derived from the seller, so a retry after a failure in
    between gets the same account back from Stripe rather than a second one. Nothing is stored
    when Stripe refuses. Links expire within minutes; every call makes a new one.
    """
    route = _require_route(seller, PayoutRouteName.STRIPE_CONNECT)
    _require_payout_setup_allowed(seller)
    account = PayoutAccount.objects.filter(seller=seller).first()
    client = stripe_client()
    try:
        if account is None or not account.stripe_account_id:
            created = client.v1.accounts.create(
                params={
                    "type": "express",
                    "country": str(seller.country),
                    "capabilities": {"transfers": {"requested": True}},
                    "metadata": {"seller_id": str(seller.pk)},
                },
                options={"idempotency_key": f"seller-{seller.pk}-connect-account"},
            )
            account = _stripe_account_attach(
                seller=seller, route=route, stripe_account_id=created.id
            )
        storefront = settings.MARKET_STOREFRONT_URL.rstrip("/")
        link = client.v1.account_links.create(
            params={
                "account": account.stripe_account_id,
                "type": "account_onboarding",
                "refresh_url": f"{storefront}/seller/payouts/onboarding/refresh/",
                "return_url": f"{storefront}/seller/payouts/onboarding/return/",
            },
            # Every call makes a new link (they expire in minutes): a key per call, so that
            # the SDK's own retries of this call make one link.
            options={"idempotency_key": f"seller-{seller.pk}-link-{secrets.token_hex(8)}"},
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused payout onboarding for seller %s: %s", seller.pk, error)
        raise DomainError(PayoutErrorCode.STRIPE_ERROR, _stripe_message(error)) from error
    return OnboardingLink(
        url=link.url,
        account=account,
        expires_at=dt.datetime.fromtimestamp(link.expires_at, tz=dt.UTC),
    )


@transaction.atomic
def _stripe_account_attach(
    *, seller: Seller, route: PayoutRoute, stripe_account_id: str
) -> PayoutAccount:
    account, attached = PayoutAccount.objects.get_or_create(
        seller=seller, defaults={"route": route.name, "stripe_account_id": stripe_account_id}
    )
    if not attached:
        # Compare-and-set: a concurrent call that got the same account from Stripe may have
        # stored it first.
        attached = PayoutAccount.objects.filter(
            pk=account.pk,
            stripe_account_id__isnull=True,
        ).update(stripe_account_id=stripe_account_id, route=route.name, updated_at=timezone.now())
        account.refresh_from_db()
    if attached:
        PayoutAccountEvent.objects.create(
            account=account,
            kind=PayoutAccountEventKind.STRIPE_ACCOUNT_CREATED,
            data={"stripe_account_id": stripe_account_id},
        )
    return account


@transaction.atomic
def payout_account_sync_from_stripe(*, account: dict, event_created: int) -> bool:
    """Mirror a Stripe connected account (from an ``account.updated`` event) onto ours.

    Webhooks arrive late, twice and out of order: an event older than the one applied last is
    ignored, so the mirror never moves backwards. Accounts we do not know are ignored. Returns
    whether anything was applied.
    """
    synced_at = dt.datetime.fromtimestamp(event_created, tz=dt.UTC)
    requirements = account.get("requirements") or {}
    due = list(
        dict.fromkeys(
            [*(requirements.get("currently_due") or []), *(requirements.get("past_due") or [])]
        )
    )
    mirrored = {
        "charges_enabled": bool(account.get("charges_enabled")),
        "payouts_enabled": bool(account.get("payouts_enabled")),
        "requirements_due": due,
        "disabled_reason": requirements.get("disabled_reason") or "",
    }
    applied = PayoutAccount.objects.filter(
        Q(stripe_synced_at__isnull=True) | Q(stripe_synced_at__lte=synced_at),
        stripe_account_id=account.get("id"),
    ).update(**mirrored, stripe_synced_at=synced_at, updated_at=timezone.now())
    if not applied:
        return False
    payout_account = PayoutAccount.objects.get(stripe_account_id=account["id"])
    PayoutAccountEvent.objects.create(
        account=payout_account,
        kind=PayoutAccountEventKind.STRIPE_SYNCED,
        data={**mirrored, "event_created": event_created},
    )
    return True


def _clean_text(
    value: str | None, *, field: str, label: str, max_length: int, required: bool
) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise DomainError(PayoutErrorCode.INVALID, f"{label} is required.", field=field)
    if len(text) > max_length:
        raise DomainError(
            PayoutErrorCode.INVALID, f"{label} is at most {max_length} characters.", field=field
        )
    return text


def _valid_iban(value: str | None) -> str:
    try:
        return IBAN(value or "").compact
    except InvalidChecksumDigits as error:
        raise DomainError(
            PayoutErrorCode.INVALID_IBAN,
            "This IBAN's check digits are wrong: please check it for typos.",
            field="iban",
        ) from error
    except SchwiftyException as error:
        raise DomainError(
            PayoutErrorCode.INVALID_IBAN, f"This is not a valid IBAN ({error}).", field="iban"
        ) from error


def _valid_bic(value: str | None) -> str:
    try:
        return BIC(value or "").compact
    except SchwiftyException as error:
        raise DomainError(
            PayoutErrorCode.INVALID_BIC,
            f"This is not a valid BIC/SWIFT code ({error}).",
            field="bic",
        ) from error


@transaction.atomic
def payout_bank_account_set(
    *, seller: Seller, account_holder: str, iban: str, bic: str, bank_name: str, currency: str
) -> PayoutAccount:
    """Set the bank account a bank-route seller is paid to.

    The IBAN must pass its checksum and the BIC its structure (schwifty); the currency must be
    one the marketplace deals in. Changed details need staff verification again.
    """
    route = _require_route(seller, PayoutRouteName.BANK_TRANSFER)
    _require_payout_setup_allowed(seller)
    details = {
        "account_holder": _clean_text(
            account_holder,
            field="accountHolder",
            label="The account holder",
            max_length=140,
            required=True,
        ),
        "iban": _valid_iban(iban),
        "bic": _valid_bic(bic),
        "bank_name": _clean_text(
            bank_name, field="bankName", label="The bank's name", max_length=140, required=False
        ),
        "currency": validate_currency(currency, field="currency"),
    }
    account = _payout_account_for(seller=seller, route=route, lock=True)
    if all(getattr(account, name) == value for name, value in details.items()):
        return account
    for name, value in details.items():
        setattr(account, name, value)
    account.bank_verified_at = None
    account.bank_verified_by = None
    account.save()
    PayoutAccountEvent.objects.create(
        account=account,
        kind=PayoutAccountEventKind.BANK_DETAILS_SET,
        actor=seller.user,
        data={"iban_last4": account.iban[-4:], "bic": account.bic, "currency": account.currency},
    )
    return account


@transaction.atomic
def payout_bank_account_verify(*, seller_id: int, actor) -> PayoutAccount:
    """Staff confirm a seller's bank details (once; verifying again changes nothing).

    Only details that are set can be verified; a change by the seller clears the verification.
    """
    account = PayoutAccount.objects.select_for_update().filter(seller_id=seller_id).first()
    if account is None and not Seller.objects.filter(pk=seller_id).exists():
        raise DomainError(PayoutErrorCode.NOT_FOUND, "There is no such seller.", field="sellerId")
    if account is None or not account.has_bank_details:
        raise DomainError(
            PayoutErrorCode.NO_BANK_ACCOUNT,
            "This seller has not added a bank account yet.",
            field="sellerId",
        )
    if account.bank_verified:
        return account
    account.bank_verified_at = timezone.now()
    account.bank_verified_by = actor
    account.save(update_fields=["bank_verified_at", "bank_verified_by", "updated_at"])
    PayoutAccountEvent.objects.create(
        account=account,
        kind=PayoutAccountEventKind.BANK_VERIFIED,
        actor=actor,
        data={"iban_last4": account.iban[-4:]},
    )
    return account


@transaction.atomic
def payout_account_bank_details_erase(*, seller_id: int) -> None:
    """The bank details of a seller whose personal data is erased: holder, IBAN, BIC and bank
    name cleared and the verification with them (the bank files already sent keep what the
    bank was paid to, as a bank's records must). The Stripe account id stays: transfers and
    their reversals are booked against it, and Stripe holds that account's owner data under
    its own retention rules."""
    PayoutAccount.objects.filter(seller_id=seller_id).update(
        account_holder="",
        iban="",
        bic="",
        bank_name="",
        bank_verified_at=None,
        bank_verified_by=None,
        bank_payout_failure="",
        updated_at=timezone.now(),
    )
