"""Fulfilment: once an order is paid, each seller hears of their part and gets its customs
papers; the seller ships it (carrier, tracking number) and it is delivered, which starts the
seller's hold period before the payout.

The status moves are those of ``services.py`` (its transition table, compare-and-set and event
rows); this module adds what fulfilment needs around them: tracking, timestamps, papers and
e-mails.

Customs papers: a part leaving ``MARKET_DOMESTIC_COUNTRY`` worth at most 300 SDR (special
drawing rights, the unit of the Universal Postal Union's limits) travels with a CN22; above
that with a CN23 plus a commercial invoice. The SDR's value in the base currency is the newest
stored exchange rate for ``XDR`` (or ``SDR``) when there is one; otherwise the setting
``CUSTOMS_SDR_RATE_AZN`` (default ``"2.38"``, the order of magnitude of the Central Bank's
bulletin), so papers never wait for a rate.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from market.core.emails import email_enqueue
from market.core.errors import DomainError
from market.core.models import ExchangeRate
from market.core.money import base_currency
from market.orders import services
from market.orders.carriers import (
    Carrier,
    TrackingStatus,
    TrackingUpdate,
    carrier_get,
    carriers_polling,
)
from market.orders.customs import ContentLine, CustomsPaper, Party, customs_pdf
from market.orders.error_codes import OrderErrorCode
from market.orders.models import (
    CustomsDocument,
    CustomsDocumentKind,
    Order,
    OrderEvent,
    OrderLine,
    OrderPart,
    OrderStatus,
)

logger = logging.getLogger(__name__)

S = OrderStatus
CN22_LIMIT_SDR = Decimal(300)
DEFAULT_SDR_RATE = "2.38"
SDR_CODES = ("XDR", "SDR")
MAX_TRACKING_NUMBER = 64
# Parts that were paid for and are still live: they need their seller and their papers.
PAID_AND_LIVE = frozenset({S.PAID, S.IN_FULFILMENT, S.SHIPPED, S.DELIVERED, S.COMPLETED})
SELLER_NOTIFIED = "seller_notified"
TRACKING = "tracking"


# --- When an order is paid ------------------------------------------------------------------


def order_paid_fulfil(*, order_id: int) -> None:
    """Tell each seller of their paid part, and make the customs papers of parts going abroad.

    Safe to run any number of times: a seller is told once per part (an ``OrderEvent``
    ``seller_notified`` records it) and a part gets its papers once; parts neither paid nor
    live (unpaid, cancelled, refunded) are left alone. Each part is handled in its own
    transaction under its row lock, so a twin run waits and then finds the work done.
    """
    part_ids = list(
        OrderPart.objects.filter(order_id=order_id, status__in=PAID_AND_LIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for part_id in part_ids:
        _part_paid_fulfil(part_id=part_id)


@transaction.atomic
def _part_paid_fulfil(*, part_id: int) -> None:
    part = (
        OrderPart.objects.select_for_update(of=("self",))
        .select_related("order", "seller__user")
        .get(pk=part_id)
    )
    if part.status not in PAID_AND_LIVE:
        return
    if not OrderEvent.objects.filter(part=part, kind=SELLER_NOTIFIED).exists():
        _seller_notify(part=part)
    if part_needs_customs(part=part) and not part.customs_documents.exists():
        customs_documents_create(part=part)


def _seller_notify(*, part: OrderPart) -> None:
    order, seller = part.order, part.seller
    to = seller.contact_email or (seller.user.email if seller.user is not None else "")
    OrderEvent.objects.create(
        order=order, part=part, kind=SELLER_NOTIFIED, note=to or "no e-mail address"
    )
    if not to:
        return
    items = "\n".join(
        f"- {line.quantity} × {line.product_name} ({line.sku})"
        for line in part.lines.order_by("pk")
    )
    papers = (
        "\nCustoms papers for this parcel are ready in your orders.\n"
        if part_needs_customs(part=part)
        else ""
    )
    email_enqueue(
        to=to,
        subject=f"Order {order.number} is paid: please send your part",
        body=(
            f"Order {order.number} has been paid. Please prepare and send:\n\n{items}\n\n"
            f"to {order.shipping_country} by {part.shipping_method_name}.\n{papers}\n"
            f"When the parcel leaves, mark it shipped with its carrier and tracking number.\n"
        ),
    )


def part_needs_customs(*, part: OrderPart) -> bool:
    return part.order.shipping_country.upper() != settings.MARKET_DOMESTIC_COUNTRY.upper()


def sdr_rate() -> Decimal:
    """Units of the base currency per SDR: the newest stored rate, else the setting."""
    stored = (
        ExchangeRate.objects.filter(currency__in=SDR_CODES, base_currency=base_currency())
        .order_by("-valid_at", "-pk")
        .values_list("rate", flat=True)
        .first()
    )
    if stored is not None:
        return stored
    return Decimal(str(getattr(settings, "CUSTOMS_SDR_RATE_AZN", DEFAULT_SDR_RATE)))


def part_customs_kinds(*, value_base: Decimal, rate: Decimal) -> list[str]:
    """CN22 up to and including 300 SDR; above, CN23 and a commercial invoice."""
    if value_base <= CN22_LIMIT_SDR * rate:
        return [CustomsDocumentKind.CN22]
    return [CustomsDocumentKind.CN23, CustomsDocumentKind.COMMERCIAL_INVOICE]


def customs_documents_create(*, part: OrderPart) -> list[CustomsDocument]:
    """Render and store the part's customs papers (call under the part's row lock)."""
    lines = list(part.lines.order_by("pk"))
    value_base = sum((line.unit_price_base_amount * line.quantity for line in lines), Decimal(0))
    rate = sdr_rate()
    documents = []
    for kind in part_customs_kinds(value_base=value_base, rate=rate):
        paper = _paper(
            part=part,
            lines=lines,
            kind=kind,
            value_sdr=(value_base / rate).quantize(Decimal("0.01")),
        )
        data = customs_pdf(paper)
        document = CustomsDocument(part=part, kind=kind, size_bytes=len(data))
        document.file.save(f"{paper.invoice_number}-{kind}.pdf", ContentFile(data), save=False)
        document.save()
        documents.append(document)
    return documents


def _paper(
    *, part: OrderPart, lines: list[OrderLine], kind: str, value_sdr: Decimal
) -> CustomsPaper:
    order, seller = part.order, part.seller
    address = order.shipping_address or {}
    content = tuple(
        ContentLine(
            description=line.product_name,
            quantity=line.quantity,
            net_weight_kg=_kg(line.weight_grams, line.quantity),
            value=line.total_amount,
            hs_code=line.hs_code,
            origin_country=line.origin_country,
        )
        for line in lines
    )
    return CustomsPaper(
        kind=kind,
        sender=Party(
            name=seller.name,
            address_lines=tuple(filter(None, [seller.city])),
            country=str(seller.country),
        ),
        recipient=Party(
            name=address.get("name", ""),
            address_lines=tuple(
                filter(
                    None,
                    [
                        address.get("company_name"),
                        address.get("street_address_1"),
                        address.get("street_address_2"),
                        " ".join(filter(None, [address.get("postal_code"), address.get("city")])),
                        address.get("country_area"),
                        order.email,
                    ],
                )
            ),
            country=order.shipping_country,
        ),
        lines=content,
        currency=order.currency,
        total_value=part.subtotal_amount,
        total_weight_kg=sum(
            (line.net_weight_kg or Decimal(0) for line in content), Decimal("0.000")
        ),
        value_sdr=value_sdr,
        date=timezone.localdate(),
        invoice_number=f"{order.number}-{seller.slug}",
        incoterm=order.incoterm or "DAP",
        shipping=part.shipping_amount,
    )


def _kg(weight_grams: int | None, quantity: int) -> Decimal | None:
    if weight_grams is None:
        return None
    return (Decimal(weight_grams) * quantity / 1000).quantize(Decimal("0.001"))


# --- The seller ships, the parcel arrives ---------------------------------------------------


def _carrier(code: str | None) -> Carrier:
    carrier = carrier_get((code or "").strip().lower())
    if carrier is None:
        raise DomainError(
            OrderErrorCode.UNKNOWN_CARRIER,
            f"Unknown carrier {code!r}; choose one of: manual.",
            field="carrier",
        )
    return carrier


def _tracking_number(value: str | None) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TRACKING_NUMBER or not value.isprintable():
        raise DomainError(
            OrderErrorCode.INVALID_TRACKING_NUMBER,
            f"A tracking number is at most {MAX_TRACKING_NUMBER} printable characters.",
            field="trackingNumber",
        )
    return value


@transaction.atomic
def part_ship(*, part: OrderPart, actor, carrier_code: str, tracking_number: str = "") -> OrderPart:
    """The seller sends their paid part (paid or in fulfilment → shipped) with a carrier from
    the registry and, if the carrier gives one, a tracking number; the buyer is e-mailed the
    tracking link. A part that is not paid, already shipped or cancelled is refused
    (``invalid_transition``)."""
    carrier = _carrier(carrier_code)
    tracking_number = _tracking_number(tracking_number)
    part = services._locked_part(part)
    if part.status == S.PAID:
        services.order_part_start_fulfilment(part=part, actor=actor)
    # A manual carrier says nothing better than the delivery method's own carrier name.
    part = services.order_part_mark_shipped(
        part=part,
        actor=actor,
        carrier="" if carrier.code == "manual" else carrier.name,
        tracking_number=tracking_number,
    )
    fields = {
        "carrier_code": carrier.code,
        "tracking_number": tracking_number,
        "shipped_at": timezone.now(),
    }
    OrderPart.objects.filter(pk=part.pk).update(**fields)
    for name, value in fields.items():
        setattr(part, name, value)
    _buyer_shipped_email(part=part, carrier=carrier)
    return part


def _buyer_shipped_email(*, part: OrderPart, carrier: Carrier) -> None:
    order = Order.objects.get(pk=part.order_id)
    seller_name = part.seller.name
    link = (carrier.tracking_url(part.tracking_number) if part.tracking_number else "") or (
        f"{settings.MARKET_STOREFRONT_URL.rstrip('/')}/orders/{order.token}/"
    )
    tracking = f"Tracking number: {part.tracking_number}\n" if part.tracking_number else ""
    email_enqueue(
        to=order.email,
        subject=f"Your order {order.number}: {seller_name} has shipped",
        body=(
            f"{seller_name} has sent their part of your order {order.number} "
            f"({part.carrier or carrier.name}).\n{tracking}Follow it: {link}\n"
        ),
    )


@transaction.atomic
def part_deliver(*, part: OrderPart, actor, delivered_at=None) -> OrderPart:
    """A shipped part arrives (shipped → delivered): ``delivered_at`` is set, and the seller's
    hold period before the payout starts there. Anything not shipped is refused
    (``invalid_transition``)."""
    return services.order_part_move(
        part=part,
        to=S.DELIVERED,
        actor=actor,
        kind="delivered",
        delivered_at=delivered_at or timezone.now(),
    )


def tracking_update(*, part: OrderPart, update: TrackingUpdate) -> OrderPart:
    """Apply a carrier's news: a delivery delivers the shipped part (at the time the carrier
    reports); other news is noted once on the part's history. News of a part that is no
    longer shipped is ignored: carriers repeat themselves."""
    with transaction.atomic():
        part = services._locked_part(part)
        if part.status != S.SHIPPED:
            return part
        if update.status == TrackingStatus.DELIVERED:
            return part_deliver(part=part, actor=None, delivered_at=update.occurred_at)
        note = f"{update.status} at {update.occurred_at.isoformat()}: {update.description}"
        if not OrderEvent.objects.filter(part=part, kind=TRACKING, note=note).exists():
            OrderEvent.objects.create(order_id=part.order_id, part=part, kind=TRACKING, note=note)
        return part


def parts_poll_tracking() -> int:
    """Ask each polling carrier about its shipped parts; returns how many moved to delivered.
    One carrier failing for one parcel does not stop the others (it is asked again next
    time)."""
    carriers = {carrier.code: carrier for carrier in carriers_polling()}
    delivered = 0
    parts = OrderPart.objects.filter(status=S.SHIPPED, carrier_code__in=list(carriers))
    for part in parts.order_by("pk").iterator():
        try:
            update = carriers[part.carrier_code].poll(part)
        except Exception:  # a carrier's outage must not stop the poll of the others
            logger.exception("Polling %s for part %s failed", part.carrier_code, part.pk)
            continue
        if update is not None:
            part = tracking_update(part=part, update=update)
            if part.status == S.DELIVERED:
                delivered += 1
    return delivered
