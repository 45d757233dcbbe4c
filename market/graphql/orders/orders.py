"""Orders: completing a checkout, and the orders buyers, sellers and staff see and move.

A buyer sees their own orders (a guest one order, by its token); a seller sees only their own
parts (``SellerOrderPart``), never the other sellers' lines; staff holding
``orders.manage_orders`` see every order. Someone else's order or part answers like a missing
one.
"""

import base64

import graphene
from graphql_relay import to_global_id

from market.core.errors import DomainError
from market.core.money import Money as MoneyValue
from market.core.permissions import StaffPermission
from market.graphql.core.auth import (
    current_user,
    require_seller,
    require_staff_permission,
    require_user,
)
from market.graphql.core.ids import pk_or_refused
from market.graphql.core.mutations import BaseMutation, error_type
from market.graphql.core.pagination import paginate
from market.graphql.core.types import (
    ConvertedPrice,
    CountableConnection,
    CurrencyConversion,
    Money,
)
from market.graphql.orders.checkout import Address
from market.orders import order_selectors as selectors
from market.orders import services
from market.orders.carriers import carrier_get
from market.orders.error_codes import CheckoutErrorCode, OrderErrorCode
from market.orders.models import CustomsDocumentKind as CustomsDocumentKindChoices
from market.orders.models import OrderStatus as OrderStatusChoices

CheckoutError = error_type("CheckoutError", CheckoutErrorCode)
OrderError = error_type("OrderError", OrderErrorCode)
OrderStatus = graphene.Enum.from_enum(OrderStatusChoices, name="OrderStatus")
CustomsDocumentKind = graphene.Enum(
    "CustomsDocumentKind", [(choice.name, choice.value) for choice in CustomsDocumentKindChoices]
)
MAX_REASON = 500


def _money(amount, order) -> ConvertedPrice:
    return ConvertedPrice(
        MoneyValue(amount, order.currency), selectors.order_price_converter(order=order)
    )


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
        return CurrencyConversion.from_converter(selectors.order_price_converter(order=self))

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


# --- Mutations -------------------------------------------------------------------------------


def _pk(global_id: str | None, expected_type: str, field: str = "id") -> int:
    return pk_or_refused(
        global_id,
        expected_type,
        code=OrderErrorCode.NOT_FOUND,
        message=f"No such {expected_type}.",
        field=field,
    )


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise DomainError(
            OrderErrorCode.INVALID,
            f"The reason may be at most {MAX_REASON} characters.",
            field="reason",
        )
    return reason


class CheckoutComplete(BaseMutation):
    """Turn a checkout into an order. Send a fresh idempotency key per attempt to buy and
    repeat it on retries: the same key answers with the same order."""

    order = graphene.Field(Order)

    class Arguments:
        token = graphene.UUID(required=True)
        idempotency_key = graphene.String(required=True)

    class Meta:
        error_type = CheckoutError

    @classmethod
    def perform(cls, root, info, token, idempotency_key):
        order = services.checkout_complete(
            token=token, idempotency_key=idempotency_key, user=current_user(info)
        )
        return {"order": selectors.order_get_with_details(order_id=order.pk)}


class OrderCancel(BaseMutation):
    """Cancel an order before it ships. A guest names it by ``token``; a signed-in buyer by
    ``id`` (their own, while unpaid); staff with ``orders.manage_orders`` any order by ``id``."""

    order = graphene.Field(Order)

    class Arguments:
        id = graphene.ID()
        token = graphene.UUID()
        reason = graphene.String()

    class Meta:
        error_type = OrderError

    @classmethod
    def perform(cls, root, info, id=None, token=None, reason=None):
        if (id is None) == (token is None):
            raise DomainError(OrderErrorCode.INVALID, "Give either 'id' or 'token'.", field="id")
        if token is not None:
            order = selectors.order_get_by_token_or_404(token=token)
            actor = current_user(info)
        else:
            actor = require_user(info)
            pk = _pk(id, "Order")
            order = (
                selectors.order_get_for_staff(order_id=pk)
                if services.is_order_manager(actor)
                else selectors.order_get_for_buyer(user=actor, order_id=pk)
            )
        order = services.order_cancel(order=order, actor=actor, reason=_reason(reason))
        return {"order": selectors.order_get_with_details(order_id=order.pk)}


class OrderMarkPaid(BaseMutation):
    """Staff (orders.manage_orders): record that an order was paid outside the gateway."""

    order = graphene.Field(Order)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = OrderError

    @classmethod
    def perform(cls, root, info, id):
        staff = require_staff_permission(info, StaffPermission.MANAGE_ORDERS)
        order = selectors.order_get_for_staff(order_id=_pk(id, "Order"))
        order = services.order_mark_paid(order=order, actor=staff)
        return {"order": selectors.order_get_with_details(order_id=order.pk)}


class OrderPartStartFulfilment(BaseMutation):
    """The seller starts making or packing their paid part."""

    part = graphene.Field(SellerOrderPart)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = OrderError

    @classmethod
    def perform(cls, root, info, id):
        seller = require_seller(info)
        part = selectors.order_part_get_for_seller(seller=seller, part_id=_pk(id, "OrderPart"))
        part = services.order_part_start_fulfilment(part=part, actor=info.context.user)
        return {"part": selectors.order_part_get_with_details(part_id=part.pk)}


class OrderPartCancel(BaseMutation):
    """Cancel one seller's part before it ships (its seller, or staff with
    orders.manage_orders); its units go back in stock."""

    part = graphene.Field(SellerOrderPart)

    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String()

    class Meta:
        error_type = OrderError

    @classmethod
    def perform(cls, root, info, id, reason=None):
        user = require_user(info)
        pk = _pk(id, "OrderPart")
        if services.is_order_manager(user):
            part = selectors.order_part_get_for_staff(part_id=pk)
        else:
            part = selectors.order_part_get_for_seller(seller=require_seller(info), part_id=pk)
        part = services.order_part_cancel(part=part, actor=user, reason=_reason(reason))
        return {"part": selectors.order_part_get_with_details(part_id=part.pk)}


class OrdersMutations(graphene.ObjectType):
    """Inherited by the root Mutation type."""

    checkout_complete = CheckoutComplete.Field()
    order_cancel = OrderCancel.Field()
    order_mark_paid = OrderMarkPaid.Field()
    order_part_start_fulfilment = OrderPartStartFulfilment.Field()
    order_part_cancel = OrderPartCancel.Field()


# --- Queries ---------------------------------------------------------------------------------


def orders_page_for_user(user, *, first=None, after=None) -> OrderConnection:
    """A buyer's own orders, newest first (``myOrders`` and ``me { orders }``)."""
    page = paginate(
        selectors.orders_for_user(user=user), prefix="my-order", first=first, after=after
    )
    return OrderConnection.from_page(page)


def _status_argument(status):
    return None if status is None else getattr(status, "value", status)


class OrdersQueries(graphene.ObjectType):
    """Inherited by the root Query type."""

    my_orders = graphene.Field(
        graphene.NonNull(OrderConnection),
        first=graphene.Int(),
        after=graphene.String(),
        description="The signed-in buyer's orders, newest first.",
    )
    order_by_token = graphene.Field(
        Order,
        token=graphene.UUID(required=True),
        description="One order by its secret token (the guest's link); null when unknown.",
    )
    seller_orders = graphene.Field(
        graphene.NonNull(SellerOrderPartConnection),
        first=graphene.Int(),
        after=graphene.String(),
        status=OrderStatus(),
        description="Sellers: their own parts of orders, newest first.",
    )
    orders = graphene.Field(
        graphene.NonNull(OrderConnection),
        first=graphene.Int(),
        after=graphene.String(),
        status=OrderStatus(),
        description="Staff (orders.manage_orders): every order.",
    )

    def resolve_my_orders(self, info, first=None, after=None):
        return orders_page_for_user(require_user(info), first=first, after=after)

    def resolve_order_by_token(self, info, token):
        return selectors.order_get_by_token(token=token)

    def resolve_seller_orders(self, info, first=None, after=None, status=None):
        seller = require_seller(info)
        parts = selectors.order_parts_for_seller(seller=seller, status=_status_argument(status))
        page = paginate(parts, prefix="seller-order", first=first, after=after)
        return SellerOrderPartConnection.from_page(page)

    def resolve_orders(self, info, first=None, after=None, status=None):
        require_staff_permission(info, StaffPermission.MANAGE_ORDERS)
        page = paginate(
            selectors.order_list_for_staff(status=_status_argument(status)),
            prefix="order",
            first=first,
            after=after,
        )
        return OrderConnection.from_page(page)
