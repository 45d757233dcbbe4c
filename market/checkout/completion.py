"""Completing a checkout: it becomes one ``Order`` with one ``OrderPart`` per seller.

Completion happens exactly once per checkout and per idempotency key; stock is taken under row
locks on the variants, always in ascending primary-key order (``variants_lock_for_stock``) so
that two completions can never wait on each other in a cycle. The checkout app places the
order (as Saleor's ``checkout.complete_checkout`` does): it reads the checkout, its quote and
its reservations, and writes the order's first rows and its ``placed`` event; from then on the
order belongs to ``market.orders``, whose services move it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from market.catalog.selectors import product_list_published
from market.catalog.services import variants_lock_for_stock, variants_stock_adjust
from market.checkout.error_codes import CheckoutErrorCode
from market.checkout.models import Checkout, CheckoutStatus, StockReservation
from market.checkout.pricing import checkout_lines, checkout_quote, checkout_rate_lock_held
from market.checkout.selectors import checkout_get_active
from market.core.catalogue_cache import catalogue_changed
from market.core.emails import email_enqueue
from market.core.errors import DomainError
from market.orders.models import Order, OrderEvent, OrderLine, OrderPart, OrderStatus


class _RacedTwin(Exception):
    """Another completion inserted the order first: undo everything, then answer with it."""


def checkout_complete(*, token, idempotency_key: str, user=None) -> Order:
    """Turn the checkout into one order (one part per seller), exactly once.

    - The same ``idempotency_key`` again with the same checkout content returns the same order
      (even though the checkout is completed by then); with different content it is refused
      (``idempotency_key_reused``).
    - A checkout completed already (under another key) is refused (``already_completed``).
    - Each line needs ``quantity ≤ stock − unexpired reservations of other checkouts`` (its own
      reservation counts as available to it), checked under row locks on the variants taken in
      ascending id order; stock is decremented with ``F()`` under those locks.
    - Any refusal leaves the checkout exactly as it was, still usable.
    - The billing address defaults to the shipping address; the e-mail to the signed-in
      buyer's address; exports default to DAP when the buyer chose no Incoterm, and a chosen
      DDP that is no longer offered is refused (``incoterm_not_offered``) rather than quietly
      turned into DAP.
    - The order number is ``CM-`` and the order's primary key in 8 digits (``CM-00000042``):
      unique and readable without a sequence of our own.
    E-mails (buyer confirmation, one per seller with only their part) leave after commit.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > 128:
        raise DomainError(
            CheckoutErrorCode.INVALID,
            "The idempotency key must be 1 to 128 characters.",
            field="idempotencyKey",
        )
    existing = _order_for_key(token=token, key=key)
    if existing is not None:
        return existing
    try:
        return _checkout_complete_once(token=token, key=key, user=user)
    except _RacedTwin:
        pass
    except DomainError as error:
        if error.code != CheckoutErrorCode.ALREADY_COMPLETED:
            raise
    # A twin request completed the checkout first: if it carried this key, answer with its
    # order; otherwise this request comes too late.
    existing = _order_for_key(token=token, key=key)
    if existing is not None:
        return existing
    raise _already_completed()


def _order_for_key(*, token, key: str) -> Order | None:
    """The order made earlier under ``key`` for this very request, or a refusal if the key was
    used for something else; None when the key is new."""
    order = Order.objects.filter(idempotency_key=key).first()
    if order is None:
        return None
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        token = None
    checkout = Checkout.objects.filter(token=token).first() if token else None
    if checkout is None or _fingerprint(checkout) != order.request_fingerprint:
        raise DomainError(
            CheckoutErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was already used for another request.",
            field="idempotencyKey",
        )
    return order


def _already_completed() -> DomainError:
    return DomainError(
        CheckoutErrorCode.ALREADY_COMPLETED,
        "This checkout has already been completed.",
        field="token",
    )


def _fingerprint(
    checkout: Checkout, lines: list | None = None, chosen_methods: dict[int, int] | None = None
) -> str:
    """What makes two completion requests "the same": the checkout and everything it buys.
    ``lines`` and ``chosen_methods`` (seller id → method id), when the caller read them in the
    same transaction, are not read again."""
    pairs = (
        [(line.variant_id, line.quantity) for line in lines]
        if lines is not None
        else checkout.lines.values_list("variant_id", "quantity")
    )
    content = {
        "token": str(checkout.token),
        "lines": sorted(pairs),
        "currency": checkout.currency,
        "shipping_address": checkout.shipping_address,
        "delivery": sorted(
            chosen_methods.items()
            if chosen_methods is not None
            else checkout.deliveries.values_list("seller_id", "shipping_method_id")
        ),
        "incoterm": checkout.incoterm,
    }
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


@transaction.atomic
def _checkout_complete_once(*, token, key: str, user) -> Order:
    # The checkout row lock makes a twin completion of the same checkout wait here and then see
    # it completed (``already_completed``, which ``checkout_complete`` answers like a twin),
    # instead of racing for stock that its twin has just taken.
    checkout = checkout_get_active(token=token, lock=True)
    lines = checkout_lines(checkout=checkout)
    email = _validate_for_completion(checkout=checkout, lines=lines, user=user)
    checkout = checkout_rate_lock_held(checkout=checkout)
    quote = checkout_quote(checkout=checkout, lines=lines)
    _validate_quote(checkout=checkout, quote=quote)
    _allocate_stock(checkout=checkout, lines=lines)
    order, parts = _order_create(
        checkout=checkout, lines=lines, quote=quote, key=key, user=user, email=email
    )
    completed = Checkout.objects.filter(pk=checkout.pk, status=CheckoutStatus.ACTIVE).update(
        status=CheckoutStatus.COMPLETED, updated_at=timezone.now()
    )
    if completed != 1:
        raise _RacedTwin
    _order_placed_emails(order=order, parts=parts, quote=quote)
    return order


def _validate_for_completion(*, checkout: Checkout, lines: list, user) -> str:
    """Refuse a checkout that cannot become an order yet; returns the buyer's e-mail."""
    if not lines:
        raise DomainError(
            CheckoutErrorCode.EMPTY_CHECKOUT, "The checkout has no items.", field="lines"
        )
    email = checkout.email or (getattr(user, "email", "") if user is not None else "")
    if not email:
        raise DomainError(
            CheckoutErrorCode.EMAIL_REQUIRED,
            "Give an e-mail address for the order confirmation.",
            field="email",
        )
    if not checkout.shipping_address or not checkout.shipping_country:
        raise DomainError(
            CheckoutErrorCode.SHIPPING_ADDRESS_REQUIRED,
            "Give a shipping address.",
            field="shippingAddress",
        )
    purchasable = set(
        product_list_published()
        .filter(pk__in={line.variant.product_id for line in lines})
        .values_list("pk", flat=True)
    )
    for index, line in enumerate(lines):
        if line.variant.product_id not in purchasable:
            raise DomainError(
                CheckoutErrorCode.VARIANT_NOT_AVAILABLE,
                f"'{line.variant.product.name}' ({line.variant.sku}) can no "
                "longer be bought; remove it.",
                field=f"lines.{index}",
            )
    return email


def _validate_quote(*, checkout: Checkout, quote) -> None:
    """Every seller's part needs a delivery method that still carries it; a chosen DDP must
    still be offered (exports without a choice go DAP)."""
    for part in quote.parts:
        if part.shipping_method is None:
            chosen = checkout.deliveries.filter(seller_id=part.seller.pk).exists()
            code = (
                CheckoutErrorCode.INVALID_DELIVERY_METHOD
                if chosen
                else CheckoutErrorCode.DELIVERY_METHOD_REQUIRED
            )
            raise DomainError(
                code,
                f"Choose a delivery method for the items from {part.seller.name}.",
                field=f"deliveryMethod.{part.seller.slug}",
            )
    if (
        not quote.domestic
        and checkout.incoterm
        and checkout.incoterm not in quote.incoterms_offered
    ):
        raise DomainError(
            CheckoutErrorCode.INCOTERM_NOT_OFFERED,
            f"{checkout.incoterm} is not offered for deliveries to "
            f"{checkout.shipping_country}; choose "
            f"{', '.join(quote.incoterms_offered)}.",
            field="incoterm",
        )


def _allocate_stock(*, checkout: Checkout, lines: list) -> None:
    quantities: dict[int, int] = defaultdict(int)
    for line in lines:
        quantities[line.variant_id] += line.quantity
    variants = variants_lock_for_stock(variant_ids=quantities)
    held = dict(
        StockReservation.objects.filter(variant_id__in=quantities, expires_at__gt=timezone.now())
        .exclude(checkout=checkout)
        .values("variant_id")
        .annotate(held=Sum("quantity"))
        .values_list("variant_id", "held")
    )
    for index, line in enumerate(lines):
        available = variants[line.variant_id].stock_quantity - held.get(line.variant_id, 0)
        if available <= 0:
            raise DomainError(
                CheckoutErrorCode.OUT_OF_STOCK,
                f"'{line.variant.product.name}' ({line.variant.sku}) is out of stock.",
                field=f"lines.{index}",
            )
        if line.quantity > available:
            raise DomainError(
                CheckoutErrorCode.INSUFFICIENT_STOCK,
                f"Only {available} of '{line.variant.product.name}' ({line.variant.sku}) left.",
                field=f"lines.{index}",
            )
    variants_stock_adjust(changes={pk: -quantity for pk, quantity in quantities.items()})
    # Any sale changes the units on hand of the products sold; a variant sold out changes its
    # product as every list shows it (out of stock) and what the in-stock filter lists.
    sold_out = {
        variants[pk].product_id
        for pk, quantity in quantities.items()
        if variants[pk].stock_quantity == quantity
    }
    catalogue_changed(
        stock_of={line.variant.product_id for line in lines},
        product_ids=sold_out,
        stocked=bool(sold_out),
    )
    StockReservation.objects.filter(checkout=checkout).delete()


def _order_create(
    *, checkout: Checkout, lines: list, quote, key: str, user, email: str
) -> tuple[Order, list[OrderPart]]:
    converter = quote.converter
    order = Order(
        # The checkout's own buyer keeps the order; a guest checkout goes to whoever completes
        # it signed in.
        number=f"tmp-{checkout.token.hex[:16]}",
        user=checkout.user or user,
        email=email,
        checkout_token=checkout.token,
        idempotency_key=key,
        request_fingerprint=_fingerprint(checkout, lines, quote.chosen_methods),
        currency=quote.currency,
        exchange_rate=checkout.exchange_rate or converter.rate,
        exchange_rate_source=checkout.exchange_rate_source or converter.source,
        exchange_rate_valid_at=checkout.exchange_rate_valid_at or converter.valid_at,
        shipping_address=checkout.shipping_address,
        billing_address=checkout.billing_address or checkout.shipping_address,
        shipping_country=checkout.shipping_country,
        incoterm=quote.incoterm or "",
        subtotal_amount=quote.subtotal,
        shipping_amount=quote.shipping,
        vat_amount=quote.vat,
        duties_amount=quote.duties,
        duties_estimate_amount=quote.duties_estimate,
        total_amount=quote.total,
        total_base_amount=quote.total_base,
    )
    try:
        with transaction.atomic():
            order.save(force_insert=True)
    except IntegrityError:
        raise _RacedTwin from None
    # Readable and unique without a sequence of our own: the primary key, zero-padded.
    order.number = f"CM-{order.pk:08d}"
    Order.objects.filter(pk=order.pk).update(number=order.number)
    parts = OrderPart.objects.bulk_create(
        [
            OrderPart(
                order=order,
                seller=part.seller,
                shipping_method_name=part.shipping_method.name if part.shipping_method else "",
                carrier=part.shipping_method.carrier if part.shipping_method else "",
                processing_days=part.processing_days,
                transit_days_min=part.transit_days_min,
                transit_days_max=part.transit_days_max,
                subtotal_amount=part.subtotal,
                shipping_amount=part.shipping,
                vat_amount=part.vat,
                duties_amount=part.duties,
                duties_estimate_amount=part.duties_estimate,
                total_amount=part.total,
            )
            for part in quote.parts
        ]
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                part=part,
                variant=lq.variant,
                product_name=lq.product.name,
                variant_name=lq.variant.name,
                sku=lq.variant.sku,
                seller_name=lq.seller.name,
                hs_code=lq.product.hs_code,
                origin_country=str(lq.product.origin_country or ""),
                weight_grams=lq.product.weight_grams,
                quantity=lq.quantity,
                unit_price_base_amount=lq.unit_price_base,
                unit_price_amount=lq.unit_price,
                total_amount=lq.total,
            )
            for part, part_quote in zip(parts, quote.parts, strict=True)
            for lq in part_quote.lines
        ]
    )
    OrderEvent.objects.create(order=order, kind="placed", to_status=OrderStatus.UNPAID, actor=user)
    return order, parts


def _order_placed_emails(*, order: Order, parts: list[OrderPart], quote) -> None:
    """The buyer's confirmation, and each seller's notice of only their own part."""
    currency = order.currency
    link = f"{settings.MARKET_STOREFRONT_URL.rstrip('/')}/orders/{order.token}/"
    summary = "\n".join(
        f"- {line.quantity} × {line.product.name} ({line.seller.name}): {line.total} {currency}"
        for part in quote.parts
        for line in part.lines
    )
    email_enqueue(
        to=order.email,
        subject=f"Your order {order.number}",
        body=(
            f"Thank you for your order {order.number}.\n\n{summary}\n\n"
            f"Items: {order.subtotal_amount} {currency}\n"
            f"Shipping: {order.shipping_amount} {currency}\n"
            f"Duties collected: {order.duties_amount} {currency}\n"
            f"Total: {order.total_amount} {currency}\n\n"
            f"Follow your order: {link}\n"
        ),
    )
    for part, part_quote in zip(parts, quote.parts, strict=True):
        seller = part_quote.seller
        to = seller.contact_email or (seller.user.email if seller.user_id else "")
        if not to:
            continue
        items = "\n".join(
            f"- {line.quantity} × {line.product.name} ({line.variant.sku})"
            for line in part_quote.lines
        )
        email_enqueue(
            to=to,
            subject=f"New order {order.number}",
            body=(
                f"You have a new order, {order.number}, to {order.shipping_country} "
                f"by {part.shipping_method_name}.\n\n{items}\n\n"
                f"Your part: {part.total_amount} {currency}.\n"
            ),
        )
