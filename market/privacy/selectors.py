"""What we hold about a person, and whether it may be erased yet.

A person's orders are those placed signed in, plus, once their address is verified, those a
guest placed with the same address (proving the address is what a guest order's link proves).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.utils import timezone

from market.accounts.models import RefreshToken, User
from market.catalog.models import Product
from market.checkout.models import Checkout
from market.core.models import PersonalDataAccess
from market.ledger.selectors import seller_balance
from market.orders.models import Order, OrderPart, OrderStatus
from market.orders.selectors import addresses_for_user
from market.payments.models import RefundStatus
from market.payouts.models import Payout, PayoutAccount, PayoutState
from market.payouts.selectors import seller_payout_balance
from market.sellers.models import Seller

S = OrderStatus
# A part in one of these is still moving: money may yet be taken, paid out or given back.
OPEN_PART_STATUSES = (S.UNPAID, S.PAID, S.IN_FULFILMENT, S.SHIPPED)
EXPORT_FORMAT = "creative-market-personal-data/1"


def user_get_for_staff(*, user_id: int | None) -> User | None:
    return User.objects.filter(pk=user_id).first() if user_id else None


def orders_of_person(*, user: User) -> QuerySet[Order]:
    person = Q(user=user)
    if user.is_email_verified and user.erased_at is None:
        # Mailboxes do not tell capitals apart: the guest may have typed Leyla@, not leyla@.
        person |= Q(user__isnull=True, email__iexact=user.email)
    return Order.objects.filter(person)


def _open_parts(parts: QuerySet[OrderPart], *, now: dt.datetime) -> QuerySet[OrderPart]:
    """Parts whose money is not settled: not yet delivered (or cancelled, or refunded), or
    delivered within the hold period, while the buyer may still ask for a refund and the
    seller is not paid yet."""
    held_since = now - dt.timedelta(days=settings.PAYOUT_HOLD_DAYS)
    return parts.filter(
        Q(status__in=OPEN_PART_STATUSES)
        | Q(status=S.DELIVERED, delivered_at__gt=held_since)
        | Q(status=S.DELIVERED, delivered_at__isnull=True)
        | Q(refunds__status=RefundStatus.PENDING)
    ).distinct()


def erasure_blockers(*, user: User, now: dt.datetime | None = None) -> list[str]:
    """Why the person's data cannot be erased yet, in words for them; empty when it can.

    As a buyer: an order of theirs not yet delivered, cancelled or refunded, or delivered less
    than ``PAYOUT_HOLD_DAYS`` ago (they may still ask for a refund), or a refund still pending.
    As a seller: the same for the parts they sell, plus a payout not yet paid and any balance
    in the ledger (money we owe them, or they owe us).
    """
    now = now or timezone.now()
    reasons = []
    bought = _open_parts(OrderPart.objects.filter(order__in=orders_of_person(user=user)), now=now)
    numbers = sorted(set(bought.values_list("order__number", flat=True)))
    if numbers:
        reasons.append(
            f"Orders {', '.join(numbers[:5])}{'…' if len(numbers) > 5 else ''} are not settled "
            f"yet: unpaid orders must be cancelled, the others delivered and past the "
            f"{settings.PAYOUT_HOLD_DAYS}-day refund window."
        )
    seller = Seller.objects.filter(user=user).first()
    if seller is not None:
        if _open_parts(OrderPart.objects.filter(seller=seller), now=now).exists():
            reasons.append(
                "Your shop has orders that are not delivered yet or are within the "
                f"{settings.PAYOUT_HOLD_DAYS}-day refund window."
            )
        if Payout.objects.filter(seller=seller).exclude(status=PayoutState.PAID).exists():
            reasons.append("Your shop has payouts that are not paid yet.")
        balance = seller_balance(seller=seller)
        if balance != Decimal(0):
            reasons.append(
                f"Your shop's balance is {balance} (it must be zero: we pay what we owe, or "
                "settle what is owed to us, first)."
            )
    return reasons


# --- The export ---------------------------------------------------------------------------


def _money(amount: Decimal | None, currency: str) -> dict[str, str] | None:
    return None if amount is None else {"amount": str(amount), "currency": currency}


def _account(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email_verified": user.is_email_verified,
        "is_staff": user.is_staff,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "active": user.is_active,
        "erased_at": user.erased_at,
    }


def _sign_ins(user: User) -> list[dict[str, Any]]:
    # The token itself is a secret and only its hash is stored: neither is exported.
    return [
        {
            "created_at": token.created_at,
            "expires_at": token.expires_at,
            "revoked_at": token.revoked_at,
        }
        for token in RefreshToken.objects.filter(user=user).order_by("created_at", "pk")
    ]


def _orders(user: User) -> list[dict[str, Any]]:
    orders = (
        orders_of_person(user=user)
        .prefetch_related("parts__lines", "parts__seller", "payments", "parts__refunds")
        .order_by("created_at", "pk")
    )
    return [
        {
            "number": order.number,
            "placed_at": order.created_at,
            "placed_as": "account" if order.user_id == user.pk else "guest",
            "status": order.status,
            "email": order.email,
            "shipping_address": order.shipping_address,
            "billing_address": order.billing_address,
            "currency": order.currency,
            "subtotal": _money(order.subtotal_amount, order.currency),
            "shipping": _money(order.shipping_amount, order.currency),
            "vat_included": _money(order.vat_amount, order.currency),
            "duties": _money(order.duties_amount, order.currency),
            "total": _money(order.total_amount, order.currency),
            "parts": [
                {
                    "seller": part.seller.name,
                    "status": part.status,
                    "shipping_method": part.shipping_method_name,
                    "carrier": part.carrier_code or part.carrier,
                    "tracking_number": part.tracking_number,
                    "shipped_at": part.shipped_at,
                    "delivered_at": part.delivered_at,
                    "total": _money(part.total_amount, order.currency),
                    "lines": [
                        {
                            "product": line.product_name,
                            "variant": line.variant_name,
                            "sku": line.sku,
                            "quantity": line.quantity,
                            "unit_price": _money(line.unit_price_amount, order.currency),
                            "total": _money(line.total_amount, order.currency),
                        }
                        for line in part.lines.all()
                    ],
                    "refunds": [
                        {
                            "amount": _money(refund.amount, refund.currency),
                            "status": refund.status,
                            "reason": refund.reason,
                            "created_at": refund.created_at,
                        }
                        for refund in part.refunds.all()
                    ],
                }
                for part in order.parts.all()
            ],
            # Card numbers never reach us (the gateway holds them): only the attempts.
            "payments": [
                {
                    "status": payment.status,
                    "amount": _money(payment.amount, payment.currency),
                    "created_at": payment.created_at,
                }
                for payment in order.payments.all()
            ],
        }
        for order in orders
    ]


def _checkouts(user: User) -> list[dict[str, Any]]:
    # A checkout's token is the key to it: not exported.
    checkouts = Checkout.objects.filter(user=user).prefetch_related("lines__variant__product")
    return [
        {
            "status": checkout.status,
            "email": checkout.email,
            "currency": checkout.currency,
            "shipping_address": checkout.shipping_address,
            "billing_address": checkout.billing_address,
            "created_at": checkout.created_at,
            "lines": [
                {
                    "product": line.variant.product.name,
                    "sku": line.variant.sku,
                    "quantity": line.quantity,
                }
                for line in checkout.lines.all()
            ],
        }
        for checkout in checkouts.order_by("created_at", "pk")
    ]


def _payout_account(seller: Seller) -> dict[str, Any] | None:
    account = PayoutAccount.objects.filter(seller=seller).first()
    if account is None:
        return None
    # The IBAN as the admin shows it: its last four characters, enough to recognise it; a
    # leaked export file must not carry a full bank account number.
    return {
        "route": account.route,
        "account_holder": account.account_holder,
        "iban_last4": account.iban[-4:] if account.iban else "",
        "bic": account.bic,
        "bank_name": account.bank_name,
        "currency": account.currency,
        "bank_details_verified": account.bank_verified,
        "stripe_account_connected": bool(account.stripe_account_id),
        "stripe_payouts_enabled": account.payouts_enabled,
    }


def _seller(user: User) -> dict[str, Any] | None:
    seller = Seller.objects.filter(user=user).first()
    if seller is None:
        return None
    balance = seller_payout_balance(seller=seller)
    return {
        "name": seller.name,
        "slug": seller.slug,
        "status": seller.status,
        "bio": seller.bio,
        "discipline": seller.discipline,
        "city": seller.city,
        "country": str(seller.country),
        "resident_programme": seller.resident_programme,
        "membership_number": seller.membership_number,
        "contact_email": seller.contact_email,
        "contact_phone": seller.contact_phone,
        "rejection_reason": seller.rejection_reason,
        "submitted_at": seller.submitted_at,
        "decided_at": seller.decided_at,
        "created_at": seller.created_at,
        # The files themselves are downloaded from the application page.
        "documents": [
            {
                "kind": document.kind,
                "file_name": document.original_name,
                "content_type": document.content_type,
                "size_bytes": document.size_bytes,
                "uploaded_at": document.uploaded_at,
            }
            for document in seller.documents.order_by("uploaded_at", "pk")
        ],
        "history": [
            {
                "kind": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
                "at": event.created_at,
            }
            for event in seller.events.order_by("created_at", "pk")
        ],
        "products": [
            {"name": name, "slug": slug, "status": status, "created_at": created_at}
            for name, slug, status, created_at in Product.objects.filter(seller=seller)
            .order_by("created_at", "pk")
            .values_list("name", "slug", "status", "created_at")
        ],
        "payout_account": _payout_account(seller),
        "payouts": [
            {
                "order": payout.order_part.order.number,
                "amount": _money(payout.amount, payout.currency),
                "status": payout.status,
                "route": payout.route,
                "paid_at": payout.paid_at,
            }
            for payout in Payout.objects.filter(seller=seller)
            .select_related("order_part__order")
            .order_by("created_at", "pk")
        ],
        "balance": {
            "currency": balance.currency,
            "balance": str(balance.balance),
            "held": str(balance.held),
            "pending_payout": str(balance.pending_payout),
            "failed_payout": str(balance.failed_payout),
            "adjustments": str(balance.adjustments),
        },
    }


def _access_log(user: User) -> list[dict[str, Any]]:
    # Who looked: the person themself or staff (staff members are not named to the public).
    return [
        {
            "action": action,
            "by": "you" if actor_id == user.pk else "staff",
            "record": record,
            "at": created_at,
        }
        for action, actor_id, record, created_at in PersonalDataAccess.objects.filter(subject=user)
        .order_by("created_at", "pk")
        .values_list("action", "actor_id", "record", "created_at")
    ]


def personal_data_collect(*, user: User) -> dict[str, Any]:
    """Everything we hold about the person, as plain JSON values (see docs/privacy.md): no
    password hash, no token, no full bank account number."""
    data = {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now(),
        "account": _account(user),
        "sign_ins": _sign_ins(user),
        "addresses": addresses_for_user(user=user),
        "orders": _orders(user),
        "checkouts": _checkouts(user),
        "seller": _seller(user),
        "access_log": _access_log(user),
    }
    loaded: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return loaded
