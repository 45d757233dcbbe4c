"""Personal data on request: a person's data exported, or erased as far as the law lets us.

Erasure keeps what the books need (orders, payments, refunds, payouts, the ledger) with the
person's details taken out of it, deletes what nobody needs any more (checkouts, sign-ins,
sessions, identity documents, bank details), and leaves the account an anonymous shell whose
address may register again. It waits while money is still moving (``erasure_blockers``).
Every export and erasure, by the person or by staff, writes a row of the audit log in its own
transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from market.accounts.models import User
from market.accounts.services import erased_email, password_confirm, user_erase
from market.catalog.models import Product, ProductStatus
from market.catalog.services import product_archive
from market.checkout.services import checkouts_delete_for_person
from market.core.errors import DomainError
from market.core.models import PersonalDataAction
from market.core.services import personal_data_access_record
from market.orders.services import orders_anonymise
from market.payouts.accounts import payout_account_bank_details_erase
from market.privacy.error_codes import PrivacyErrorCode
from market.privacy.selectors import erasure_blockers, orders_of_person, personal_data_collect
from market.sellers.models import Seller
from market.sellers.services import seller_erase

MAX_REASON_LENGTH = 2000


def _staff_reason(by_staff: User | None, reason: str) -> str:
    """Staff say why they touch someone's data; the person acting on their own needs not."""
    reason = (reason or "").strip()
    if by_staff is not None and not reason:
        raise DomainError(
            PrivacyErrorCode.REASON_REQUIRED,
            "Say why (e.g. the request's reference): it goes to the audit log.",
            field="reason",
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(
            PrivacyErrorCode.REASON_TOO_LONG,
            f"A reason is at most {MAX_REASON_LENGTH} characters.",
            field="reason",
        )
    return reason


@transaction.atomic
def personal_data_export(
    *, user: User, by_staff: User | None = None, reason: str = ""
) -> dict[str, Any]:
    """Everything we hold about ``user`` as JSON values, for them or for staff answering their
    request (``by_staff``, with a ``reason``); the export is written to the audit log."""
    reason = _staff_reason(by_staff, reason)
    data = personal_data_collect(user=user)
    personal_data_access_record(
        actor=by_staff or user,
        action=PersonalDataAction.EXPORT,
        subject=user,
        record=user,
        reason=reason,
    )
    return data


@transaction.atomic
def personal_data_erase(*, user: User, by_staff: User | None = None, reason: str = "") -> User:
    """Erase ``user``'s personal data (see the module's docstring and docs/privacy.md).

    Refused with ``erasure_must_wait`` while ``erasure_blockers`` names anything; staff must
    give a ``reason``. The erasure and its audit row commit together. Erasing an erased
    account changes nothing and writes nothing.
    """
    reason = _staff_reason(by_staff, reason)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at is not None:
        return user
    if by_staff is not None and (
        user.pk == by_staff.pk or user.is_superuser or (user.is_staff and not by_staff.is_superuser)
    ):
        # Erasure cannot be undone: a privacy officer never locks out themself, an
        # administrator or (unless a superuser asks) another member of staff.
        raise DomainError(
            PrivacyErrorCode.STAFF_ACCOUNT,
            "Staff accounts are not erased this way: a superuser removes the staff rights "
            "first, and nobody erases their own account from the staff side.",
            field="userId",
        )
    blockers = erasure_blockers(user=user)
    if blockers:
        raise DomainError(PrivacyErrorCode.ERASURE_MUST_WAIT, " ".join(blockers))
    actor = by_staff or user
    guest_email = user.email if user.is_email_verified else ""
    orders_anonymise(
        order_ids=list(orders_of_person(user=user).values_list("pk", flat=True)),
        email=erased_email(user_id=user.pk),
    )
    checkouts_delete_for_person(user_id=user.pk, email=guest_email)
    seller = Seller.objects.filter(user=user).first()
    if seller is not None:
        listed = Product.objects.filter(seller=seller).exclude(status=ProductStatus.ARCHIVED)
        for product in listed.order_by("pk"):
            product_archive(product=product, actor=actor)
        payout_account_bank_details_erase(seller_id=seller.pk)
        seller_erase(seller_id=seller.pk, actor=actor)
    erased = user_erase(user=user)
    personal_data_access_record(
        actor=actor, action=PersonalDataAction.ERASE, subject=erased, record=erased, reason=reason
    )
    return erased


@transaction.atomic
def account_erase(*, user: User, password: str, client_address: str) -> User:
    """The signed-in person erases their own account, confirming it with their password (a
    stolen access token alone must not be enough; wrong passwords count as failed sign-ins)."""
    password_confirm(user=user, password=password, client_address=client_address, field="password")
    return personal_data_erase(user=user)
