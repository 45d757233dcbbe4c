"""Paid orders built straight from the models: the ledger needs an order's figures, not the
checkout that made them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from market.core.money import quantize
from market.orders.models import Order, OrderLine, OrderPart, OrderStatus
from market.shipping.models import Incoterm
from tests.factories import ProductVariantFactory, SellerFactory


@dataclass
class LineSpec:
    category: object
    quantity: int
    unit_price: Decimal


@dataclass
class PartSpec:
    lines: list[LineSpec]
    shipping: Decimal = Decimal("0")
    duties: Decimal = Decimal("0")
    seller: object = None
    extra: dict = field(default_factory=dict)


def paid_order(
    *,
    parts: list[PartSpec],
    currency: str = "EUR",
    rate: Decimal = Decimal("1.9335"),
    status: str = OrderStatus.PAID,
) -> Order:
    """An order whose figures add up as checkout makes them (line totals rounded, parts summed,
    ``total = goods + shipping + duties``), its total in AZN at ``rate`` AZN per unit."""
    built = []
    for spec in parts:
        seller = spec.seller or SellerFactory()
        lines = [
            (
                line,
                ProductVariantFactory(product__seller=seller, product__category=line.category),
                quantize(line.unit_price * line.quantity, currency),
            )
            for line in spec.lines
        ]
        subtotal = sum((total for *_, total in lines), Decimal(0))
        built.append((spec, seller, lines, subtotal, subtotal + spec.shipping + spec.duties))

    def summed(index):
        return sum((b[index] for b in built), Decimal(0))

    total = summed(4)
    order = Order.objects.create(
        number=f"CM-{uuid.uuid4().hex[:12]}",
        email="buyer@example.com",
        checkout_token=uuid.uuid4(),
        idempotency_key=uuid.uuid4().hex,
        request_fingerprint="x",
        status=status,
        currency=currency,
        exchange_rate=rate,
        exchange_rate_source="test",
        shipping_country="DE",
        incoterm=Incoterm.DDP,
        subtotal_amount=summed(3),
        shipping_amount=sum((b[0].shipping for b in built), Decimal(0)),
        vat_amount=0,
        duties_amount=sum((b[0].duties for b in built), Decimal(0)),
        duties_estimate_amount=0,
        total_amount=total,
        total_base_amount=total if currency == "AZN" else quantize(total * rate, "AZN"),
    )
    for spec, seller, lines, subtotal, part_total in built:
        part = OrderPart.objects.create(
            order=order,
            seller=seller,
            status=status,
            shipping_method_name="Post",
            subtotal_amount=subtotal,
            shipping_amount=spec.shipping,
            vat_amount=0,
            duties_amount=spec.duties,
            duties_estimate_amount=0,
            total_amount=part_total,
            **spec.extra,
        )
        for line, variant, line_total in lines:
            OrderLine.objects.create(
                part=part,
                variant=variant,
                product_name=variant.product.name,
                sku=variant.sku,
                seller_name=seller.name,
                quantity=line.quantity,
                unit_price_base_amount=variant.price_amount,
                unit_price_amount=line.unit_price,
                total_amount=line_total,
            )
    return order
