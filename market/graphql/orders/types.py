"""Orders as the API shows them: a buyer's order with one part per seller, and a seller's own
part (``SellerOrderPart``), never the other sellers' lines."""

import base64

import graphene
from graphql_relay import to_global_id

from market.core.money import Money as MoneyValue
from market.graphql.core.auth import current_user
from market.graphql.core.mutations import error_type
from market.graphql.core.types import (
    Address,
    ConvertedPrice,
    CountableConnection,
    CurrencyConversion,
    Money,
)
from market.orders.carriers import carrier_get
from market.orders.error_codes import OrderErrorCode
from market.orders.models import CustomsDocumentKind as CustomsDocumentKindChoices
from market.orders.models import OrderStatus as OrderStatusChoices
from market.orders.selectors import order_price_converter

OrderError = error_type("OrderError", OrderErrorCode)
OrderStatus = graphene.Enum.from_enum(OrderStatusChoices, name="OrderStatus")
CustomsDocumentKind = graphene.Enum(
    "CustomsDocumentKind", [(choice.name, choice.value) for choice in CustomsDocumentKindChoices]
)


def _money(amount, order) -> ConvertedPrice:
    return ConvertedPrice(MoneyValue(amount, order.currency), order_price_converter(order=order))


class OrderSellerRef(graphene.ObjectType):
    name = graphene.String(required=True)
    slug = graphene.String(required=True)


class OrderLine(graphene.ObjectType):
    """What was sold, as it was when the order was placed."""

    product_name = graphene.String(required=True)
    variant_name = graphene.String(required=True)
    sku = graphene.String(required=True)
    seller_name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    unit_price = graphene.Field(Money, required=True)
    total = graphene.Field(Money, required=True)
    hs_code = graphene.String(required=True)
    origin_country = graphene.String(required=True)
    weight_grams = graphene.Int()

    def resolve_unit_price(self, info):
        return _money(self.unit_price_amount, self.part.order)

    def resolve_total(self, info):
        return _money(self.total_amount, self.part.order)


class _PartFields:
    id = graphene.ID(required=True)
    status = graphene.Field(OrderStatus, required=True)
    shipping_method_name = graphene.String(required=True)
    carrier = graphene.String(required=True)
    processing_days = graphene.Int(required=True)
    transit_days_min = graphene.Int(required=True)
    transit_days_max = graphene.Int(required=True)
    lines = graphene.List(graphene.NonNull(OrderLine), required=True)
    subtotal = graphene.Field(Money, required=True)
    shipping = graphene.Field(Money, required=True)
    vat = graphene.Field(Money, required=True, description="Included in the prices.")
    duties = graphene.Field(Money, required=True)
    duties_estimate = graphene.Field(Money, required=True)
    total = graphene.Field(Money, required=True)
    carrier_code = graphene.String(description="The carrier the seller shipped with.")
    tracking_number = graphene.String()
    tracking_url = graphene.String(
        description="Where to follow the parcel, if the carrier offers such a page."
    )
    shipped_at = graphene.DateTime()
    delivered_at = graphene.DateTime()

    def resolve_id(self, info):
        return to_global_id("OrderPart", self.pk)

    def resolve_carrier_code(self, info):
        return self.carrier_code or None

    def resolve_tracking_number(self, info):
        return self.tracking_number or None

    def resolve_tracking_url(self, info):
        carrier = carrier_get(self.carrier_code)
        if carrier is None or not self.tracking_number:
            return None
        return carrier.tracking_url(self.tracking_number) or None

    def resolve_lines(self, info):
        # Lines point back to this part (and its already-loaded order) without a query each.
        lines = list(self.lines.all())
        for line in lines:
            line.part = self
        return lines

    def resolve_subtotal(self, info):
        return _money(self.subtotal_amount, self.order)

    def resolve_shipping(self, info):
        return _money(self.shipping_amount, self.order)

    def resolve_vat(self, info):
        return _money(self.vat_amount, self.order)

    def resolve_duties(self, info):
        return _money(self.duties_amount, self.order)

    def resolve_duties_estimate(self, info):
        return _money(self.duties_estimate_amount, self.order)

    def resolve_total(self, info):
        return _money(self.total_amount, self.order)


class OrderPart(_PartFields, graphene.ObjectType):
    """One seller's parcel of an order."""

    seller = graphene.Field(OrderSellerRef, required=True)

    def resolve_seller(self, info):
        return OrderSellerRef(name=self.seller.name, slug=self.seller.slug)


class OrderEvent(graphene.ObjectType):
    kind = graphene.String(required=True)
    from_status = graphene.String()
    to_status = graphene.String()
    note = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)

    def resolve_from_status(self, info):
        return self.from_status or None

    def resolve_to_status(self, info):
        return self.to_status or None


class Order(graphene.ObjectType):
    """A buyer's order: one part per seller, priced in the buyer's currency at a fixed rate."""

    id = graphene.ID(required=True)
    number = graphene.String(required=True)
    token = graphene.UUID(required=True, description="Lets a guest look the order up.")
    status = graphene.Field(OrderStatus, required=True)
    currency = graphene.String(required=True)
    conversion = graphene.Field(
        CurrencyConversion, required=True, description="The rate the order was placed at."
    )
    email = graphene.String(required=True)
    shipping_address = graphene.Field(Address)
    billing_address = graphene.Field(Address)
    incoterm = graphene.String(description="DAP or DDP for exports; null at home.")
    subtotal = graphene.Field(Money, required=True)
    shipping = graphene.Field(Money, required=True)
    vat = graphene.Field(Money, required=True, description="Included in the prices.")
    duties = graphene.Field(Money, required=True, description="Collected at checkout (DDP).")
    duties_estimate = graphene.Field(Money, required=True, description="Payable on arrival (DAP).")
    total = graphene.Field(Money, required=True)
    created_at = graphene.DateTime(required=True)
    parts = graphene.List(graphene.NonNull(OrderPart), required=True)
    events = graphene.List(graphene.NonNull(OrderEvent), required=True)
    payments = graphene.List(
        graphene.NonNull("market.graphql.payments.types.Payment"),
        required=True,
        description="Attempts to pay, newest first.",
    )

    def resolve_id(self, info):
        return to_global_id("Order", self.pk)

    def resolve_payments(self, info):
        return sorted(self.payments.all(), key=lambda p: (p.created_at, p.pk), reverse=True)

    def resolve_conversion(self, info):
        return CurrencyConversion.from_converter(order_price_converter(order=self))

    def resolve_shipping_address(self, info):
        return Address.from_dict(self.shipping_address)

    def resolve_billing_address(self, info):
        return Address.from_dict(self.billing_address)

    def resolve_incoterm(self, info):
        return self.incoterm or None

    def resolve_subtotal(self, info):
        return _money(self.subtotal_amount, self)

    def resolve_shipping(self, info):
        return _money(self.shipping_amount, self)

    def resolve_vat(self, info):
        return _money(self.vat_amount, self)

    def resolve_duties(self, info):
        return _money(self.duties_amount, self)

    def resolve_duties_estimate(self, info):
        return _money(self.duties_estimate_amount, self)

    def resolve_total(self, info):
        return _money(self.total_amount, self)

    def resolve_parts(self, info):
        parts = list(self.parts.all())
        for part in parts:
            part.order = self
        return parts

    def resolve_events(self, info):
        return self.events.all()


class CustomsDocument(graphene.ObjectType):
    """A customs paper (PDF) for the parcel; only the part's own seller sees it."""

    kind = graphene.Field(CustomsDocumentKind, required=True)
    size_bytes = graphene.Int(required=True)
    created_at = graphene.DateTime(required=True)
    content_base64 = graphene.String(required=True, description="The PDF, base64-encoded.")

    def resolve_content_base64(self, info):
        with self.file.open("rb") as pdf:
            return base64.b64encode(pdf.read()).decode("ascii")


class SellerOrderPart(_PartFields, graphene.ObjectType):
    """A seller's own part of an order: what to make and where to send it (never the other
    sellers' parts)."""

    order_number = graphene.String(required=True)
    order_created_at = graphene.DateTime(required=True)
    currency = graphene.String(required=True)
    destination_country = graphene.String(required=True)
    incoterm = graphene.String()
    shipping_address = graphene.Field(
        Address, required=True, description="Where to send the parcel."
    )
    buyer_email = graphene.String(required=True)
    customs_documents = graphene.List(
        graphene.NonNull(CustomsDocument),
        required=True,
        description="The parcel's customs papers; empty for anyone but the part's seller.",
    )

    def resolve_customs_documents(self, info):
        # Staff reach this type too (e.g. cancelling a part): the papers stay the seller's.
        user = current_user(info)
        if user is None or self.seller.user_id != user.pk:
            return []
        # Prefetched in kind order with a page of the seller's parts; one query otherwise.
        return sorted(self.customs_documents.all(), key=lambda document: document.kind)

    def resolve_order_number(self, info):
        return self.order.number

    def resolve_order_created_at(self, info):
        return self.order.created_at

    def resolve_currency(self, info):
        return self.order.currency

    def resolve_destination_country(self, info):
        return self.order.shipping_country

    def resolve_incoterm(self, info):
        return self.order.incoterm or None

    def resolve_shipping_address(self, info):
        return Address.from_dict(self.order.shipping_address)

    def resolve_buyer_email(self, info):
        return self.order.email


class OrderConnection(CountableConnection):
    class Meta:
        node = Order


class SellerOrderPartConnection(CountableConnection):
    class Meta:
        node = SellerOrderPart
