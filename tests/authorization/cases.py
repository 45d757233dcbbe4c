"""One row per mutation of the schema: how to arrange its target for the owner, and what each
role gets back. The documents are generated from the schema itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.contrib.auth.tokens import default_token_generator
from graphql_relay import to_global_id

from market.accounts.services import user_login
from market.accounts.tokens import email_verification_token_generator
from market.catalog.models import Product, ProductStatus
from market.checkout.completion import checkout_complete
from market.graphql.schema import schema
from market.orders.fulfilment import part_ship
from market.orders.models import OrderPart
from market.orders.services import order_mark_paid
from market.sellers.models import SellerStatus
from tests.accounts.conftest import PASSWORD
from tests.authorization.world import ROLES, World
from tests.catalog.seller.support import gid, png_file, publishable_draft
from tests.catalog_import.helpers import SAMPLE
from tests.catalog_import.helpers import upload as csv_upload
from tests.checkout.helpers import variant_in_stock
from tests.factories import (
    CategoryFactory,
    PayoutFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
    SellerFactory,
    UserFactory,
    carpet,
    checkout_with,
    duty_country,
    key,
    rate,
    ready_checkout,
    shipping_method,
)
from tests.payouts.helpers import BANK_INPUT
from tests.sellers.helpers import pdf_upload, with_document

# --- Outcomes ------------------------------------------------------------------------------

OK = "OK"  # no top-level error, payload errors == []
UNAUTHENTICATED = "unauthenticated"  # top-level error codes
PERMISSION_DENIED = "permission_denied"
NOT_FOUND = "NOT_FOUND"  # payload error codes from here on
INVALID_TRANSITION = "INVALID_TRANSITION"
ALREADY_APPLIED = "ALREADY_APPLIED"
REFUSALS_AT_THE_DOOR = {UNAUTHENTICATED, PERMISSION_DENIED}


@dataclass(frozen=True)
class Expect:
    """What each role gets, and the one staff permission the mutation needs (if any)."""

    outcomes: dict[str, str]
    permission: str | None = None

    def but(self, **outcomes: str) -> Expect:
        assert set(outcomes) <= set(ROLES), outcomes
        return replace(self, outcomes={**self.outcomes, **outcomes})


PUBLIC = Expect(dict.fromkeys(ROLES, OK))
SIGNED_IN = PUBLIC.but(anonymous=UNAUTHENTICATED)
# The caller's own shop: there is no id to name another seller's, so another seller acts on
# their own; staff have no shop.
OWN_SHOP = SIGNED_IN.but(
    buyer=PERMISSION_DENIED, staff=PERMISSION_DENIED, staff_with_permission=PERMISSION_DENIED
)


def owner_or_staff(permission: str) -> Expect:
    """A seller's object named by id: another seller's answers like a missing one."""
    return replace(
        OWN_SHOP.but(other_seller=NOT_FOUND, staff_with_permission=OK), permission=permission
    )


def staff_only(permission: str) -> Expect:
    return Expect(
        {
            **dict.fromkeys(ROLES, PERMISSION_DENIED),
            "anonymous": UNAUTHENTICATED,
            "staff_with_permission": OK,
        },
        permission,
    )


LISTING = owner_or_staff("catalog.manage_catalog")
MANAGE_SELLERS = staff_only("sellers.manage_sellers")
MANAGE_PAYOUTS = staff_only("payouts.manage_payouts")
MANAGE_ORDERS = "orders.manage_orders"
# The applicant's own draft; the other (approved) seller acts on their own shop, which is no
# longer an application.
APPLICANT = OWN_SHOP.but(other_seller=INVALID_TRANSITION)


# --- Rows ----------------------------------------------------------------------------------


@dataclass
class Call:
    variables: dict
    files: dict | None = None  # variable path -> uploaded file: a multipart request


@dataclass(frozen=True)
class Row:
    expect: Expect
    arrange: Callable[[World], Call]  # creates the owner's target, returns the variables
    returns: str = "__typename"  # a harmless payload field to ask for
    owner: dict = field(default_factory=dict)  # the owner's shop (SellerFactory fields)
    country: str = "AZ"  # of both sellers
    needs: tuple[str, ...] = ()  # pytest fixtures the call needs


def document(name: str, returns: str) -> str:
    """``mutation($a: T!, ...) { name(a: $a, ...) { <returns> errors { field code } } }``."""
    arguments = schema.graphql_schema.mutation_type.fields[name].args
    declared = ", ".join(f"${arg}: {spec.type}" for arg, spec in arguments.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in arguments)
    return (
        f"mutation{f'({declared})' if declared else ''} {{ "
        f"{name}{f'({passed})' if passed else ''} {{ {returns} errors {{ field code }} }} }}"
    )


# --- Arrangements: the owner's target, and the variables naming it --------------------------


def _with_status(status: str) -> Callable[[World], Call]:
    def arrange(world):
        product = publishable_draft(seller=world.owner_seller)
        Product.objects.filter(pk=product.pk).update(status=status)
        return Call({"id": gid(product)})

    return arrange


def _draft(world):
    return ProductFactory(seller=world.owner_seller, status=ProductStatus.DRAFT)


def _ada(**fields):
    return UserFactory(email="ada@example.com", **fields)


def _ada_refresh_token(world):
    return Call(
        {
            "refreshToken": user_login(
                email=_ada().email, password=PASSWORD, client_address="127.0.0.1"
            ).refresh_token
        }
    )


def _images(world):
    product = ProductFactory(seller=world.owner_seller)
    first, second = (ProductImageFactory(product=product, sort_order=i) for i in (0, 1))
    return Call({"productId": gid(product), "imageIds": [gid(second), gid(first)]})


APPLICATION = dict(
    status=SellerStatus.DRAFT,
    resident_programme="Crafts residency 2026",
    membership_number="RC-0042",
    contact_email="owner@example.com",
    contact_phone="+994 50 123 45 67",
)


def _document(world):
    return Call({"id": to_global_id("SellerDocument", with_document(world.owner_seller).pk)})


def _submittable(world):
    with_document(world.owner_seller)
    return Call({})


def _owner_seller(reason: str | None = None) -> Callable[[World], Call]:
    def arrange(world):
        variables = {"id": to_global_id("Seller", world.owner_seller.pk)}
        return Call(variables if reason is None else {**variables, "reason": reason})

    return arrange


def _bank_account(world):
    from market.payouts.models import PayoutAccount

    PayoutAccount.objects.create(
        seller=world.owner_seller,
        route="bank_transfer",
        account_holder="Leyla Mammadova",
        iban="AZ21NABZ00000000137010001944",
        bic="NABZAZ2X",
        bank_name="Central Bank of Azerbaijan",
        currency="AZN",
    )
    return Call({"sellerId": to_global_id("Seller", world.owner_seller.pk)})


# Checkout and orders: the owner is the seller whose product is being bought; the checkout is a
# guest's, held by its token (the token is the key, so whoever holds it may use it).

BAKU = {
    "name": "Leyla Mammadova",
    "streetAddress1": "Nizami 10",
    "city": "Baku",
    "postalCode": "AZ 1000",
    "country": "AZ",
}
SHIPPING_TO_BAKU = {
    "name": "Leyla Mammadova",
    "street_address_1": "Nizami 10",
    "city": "Baku",
    "postal_code": "AZ 1000",
    "country": "AZ",
}


def _owner_variant(world):
    return variant_in_stock(stock=5, seller=world.owner_seller)


def _owners_checkout(world, *, user=None):
    """A domestic checkout in the base currency, ready to complete: one item from the owner's
    shop and one from a third shop, so the order has a part that is nobody's in the world."""
    third = variant_in_stock(stock=5, seller=SellerFactory(user=UserFactory()))
    return ready_checkout(
        lines=[(_owner_variant(world), 1), (third, 1)],
        user=user,
        country="AZ",
        currency="AZN",
        address=SHIPPING_TO_BAKU,
    )


def _on_checkout(**variables) -> Callable[[World], Call]:
    """The owner's checkout's token plus ``variables`` (callables get the owner's variant)."""

    def arrange(world):
        checkout = _owners_checkout(world)
        variant = checkout.lines.get(variant__product__seller=world.owner_seller).variant
        return Call(
            {
                "token": str(checkout.token),
                **{
                    name: value(variant) if callable(value) else value
                    for name, value in variables.items()
                },
            }
        )

    return arrange


def _currency_change(world):
    rate("EUR", "2.0000")
    return _on_checkout(currency="EUR")(world)


def _export(world, *, incoterm: str = ""):
    """A checkout of the owner's carpet going to Germany, where DDP is offered (its de minimis
    is in euros, so the quote needs the euro's rate)."""
    rate("EUR", "2.0000")
    duty_country("DE", ddp=True)
    method = shipping_method(countries=("DE",))
    checkout = checkout_with(
        (carpet(seller=world.owner_seller), 1), currency="AZN", country="DE", incoterm=incoterm
    )
    return checkout, method


def _delivery_method(world):
    checkout, method = _export(world)
    return Call(
        {
            "token": str(checkout.token),
            "sellerId": to_global_id("Seller", world.owner_seller.pk),
            "shippingMethodId": to_global_id("ShippingMethod", method.pk),
        }
    )


def _incoterm(world):
    checkout, _ = _export(world, incoterm="DAP")
    return Call({"token": str(checkout.token), "incoterm": "DDP"})


def _order(world, *, buyer=None, paid=False):
    order = checkout_complete(
        token=_owners_checkout(world, user=buyer).token, idempotency_key=key()
    )
    if paid:
        order_mark_paid(order=order, actor=None)
    return order


def _owners_part(*, paid: bool, **variables) -> Callable[[World], Call]:
    def arrange(world):
        part = OrderPart.objects.get(order=_order(world, paid=paid), seller=world.owner_seller)
        return Call({"id": to_global_id("OrderPart", part.pk), **variables})

    return arrange


def _owners_failed_payout(world):
    part = OrderPart.objects.get(order=_order(world, paid=True), seller=world.owner_seller)
    payout = PayoutFactory(
        order_part=part,
        status="failed",
        last_error="The seller's payout route is not verified.",
    )
    return Call({"id": to_global_id("Payout", payout.pk)})


def _owners_shipped_part(world):
    part = OrderPart.objects.get(order=_order(world, paid=True), seller=world.owner_seller)
    part_ship(part=part, actor=None, carrier_code="manual", tracking_number="RR123456789AZ")
    return Call({"id": to_global_id("OrderPart", part.pk)})


def _buyers_order(world):
    order = _order(world, buyer=world.users["buyer"])
    return Call({"id": to_global_id("Order", order.pk), "reason": "Changed my mind"})


def _payable_order(world):
    """Payments: the guest's order holding the owner's part, named by its token (the token is
    the key: whoever holds it may pay)."""
    return Call(
        {
            "orderToken": str(_order(world).token),
            "card": "4242424242424242",
            "idempotencyKey": "matrix-payment",
        }
    )


def _payment_awaiting_3ds(world):
    from market.payments.services import payment_create

    order = _order(world)
    payment = payment_create(order=order, card="4000002500003155", idempotency_key="matrix-3ds")
    return Call(
        {
            "paymentId": to_global_id("Payment", payment.pk),
            "orderToken": str(order.token),
            "authenticated": True,
        }
    )


def _owners_paid_part_to_refund(world):
    """Refunds: the owner's part of an order paid through the (dummy) gateway."""
    from market.payments.services import payment_create

    order = _order(world)
    payment_create(order=order, card="4242424242424242", idempotency_key="matrix-pay")
    part = OrderPart.objects.get(order=order, seller=world.owner_seller)
    return Call(
        {
            "partId": to_global_id("OrderPart", part.pk),
            "reason": "Arrived broken",
            "idempotencyKey": "matrix-refund",
        }
    )


# --- The matrix ----------------------------------------------------------------------------

CASES: dict[str, Row] = {
    # Payments: the order's token is the key (a guest's link), so every role holding it may
    # pay; a buyer's own order by id is in tests/payments/test_authorization.py.
    "orderPaymentCreate": Row(PUBLIC, _payable_order, "payment { status }"),
    "orderPaymentConfirm": Row(PUBLIC, _payment_awaiting_3ds, "payment { status }"),
    # Refunds: the part's seller before shipment (tests/payments/refunds/test_api.py), or staff with
    # orders.manage_orders any time.
    "orderPartRefund": Row(
        owner_or_staff(MANAGE_ORDERS), _owners_paid_part_to_refund, "refund { status }"
    ),
    # Catalogue: listings by id belong to one seller; catalogue managers may touch any.
    "productCreate": Row(
        OWN_SHOP,
        lambda w: Call(
            {
                "input": {
                    "name": "Silk scarf",
                    "categoryId": to_global_id("Category", CategoryFactory().pk),
                }
            }
        ),
        "product { id }",
    ),
    "productUpdate": Row(
        LISTING,
        lambda w: Call({"id": gid(_draft(w)), "input": {"name": "Renamed"}}),
        "product { id }",
    ),
    "productPublish": Row(LISTING, _with_status(ProductStatus.DRAFT), "product { status }"),
    "productUnpublish": Row(LISTING, _with_status(ProductStatus.PUBLISHED), "product { status }"),
    "productArchive": Row(LISTING, _with_status(ProductStatus.DRAFT), "product { status }"),
    "productRestore": Row(LISTING, _with_status(ProductStatus.ARCHIVED), "product { status }"),
    "productDelete": Row(LISTING, lambda w: Call({"id": gid(_draft(w))}), "deletedId"),
    "productVariantCreate": Row(
        LISTING,
        lambda w: Call(
            {
                "productId": gid(_draft(w)),
                "input": {"sku": "NEW-1", "price": "10.00", "stockQuantity": 2},
            }
        ),
        "variant { sku }",
    ),
    "productVariantUpdate": Row(
        LISTING,
        lambda w: Call(
            {
                "id": gid(ProductVariantFactory(product__seller=w.owner_seller)),
                "input": {"price": "55.50"},
            }
        ),
        "variant { sku }",
    ),
    "productVariantDelete": Row(
        LISTING,
        lambda w: Call(
            {
                "id": gid(
                    ProductVariantFactory(
                        product__seller=w.owner_seller, product__status=ProductStatus.DRAFT
                    )
                )
            }
        ),
        "product { id }",
    ),
    "productVariantStockSet": Row(
        LISTING,
        lambda w: Call(
            {
                "id": gid(ProductVariantFactory(product__seller=w.owner_seller, stock_quantity=5)),
                "quantity": 9,
            }
        ),
        "variant { quantityAvailable }",
    ),
    "productImageCreate": Row(
        LISTING,
        lambda w: Call(
            {
                "productId": gid(ProductFactory(seller=w.owner_seller)),
                "image": None,
                "alt": "Front",
            },
            files={"variables.image": png_file()},
        ),
        "image { alt }",
    ),
    "productImageReorder": Row(LISTING, _images, "product { id }"),
    "productImageDelete": Row(
        LISTING,
        lambda w: Call({"id": gid(ProductImageFactory(product__seller=w.owner_seller))}),
        "product { id }",
    ),
    "productImportCreate": Row(
        OWN_SHOP,
        lambda w: Call({"file": None}, files={"variables.file": csv_upload(SAMPLE.read_bytes())}),
        "productImport { status }",
    ),
    # Sellers: an applicant works on their own application; staff decide on it.
    "sellerApplicationCreate": Row(
        SIGNED_IN.but(other_seller=ALREADY_APPLIED, owner=ALREADY_APPLIED),
        lambda w: Call({"input": {"name": "New Studio", "discipline": "design"}}),
        "seller { status }",
    ),
    "sellerApplicationUpdate": Row(
        APPLICANT,
        lambda w: Call({"input": {"city": "Sheki"}}),
        "seller { status }",
        owner=APPLICATION,
    ),
    "sellerDocumentUpload": Row(
        APPLICANT,
        lambda w: Call({"kind": "portfolio", "file": None}, files={"variables.file": pdf_upload()}),
        "document { kind }",
        owner=APPLICATION,
    ),
    # The approved seller's shop takes no document changes, whichever document is named.
    "sellerDocumentDelete": Row(APPLICANT, _document, "seller { status }", owner=APPLICATION),
    "sellerApplicationSubmit": Row(APPLICANT, _submittable, "seller { status }", owner=APPLICATION),
    "sellerApplicationApprove": Row(
        MANAGE_SELLERS,
        _owner_seller(),
        "seller { status }",
        owner={"status": SellerStatus.SUBMITTED},
    ),
    "sellerApplicationReject": Row(
        MANAGE_SELLERS,
        _owner_seller("Incomplete."),
        "seller { status }",
        owner={"status": SellerStatus.SUBMITTED},
    ),
    "sellerSuspend": Row(MANAGE_SELLERS, _owner_seller("Complaints."), "seller { status }"),
    "sellerReinstate": Row(
        MANAGE_SELLERS,
        _owner_seller(),
        "seller { status }",
        owner={"status": SellerStatus.SUSPENDED},
    ),
    # Payouts: a seller's own payout account; staff verify bank details.
    "sellerPayoutOnboardingLinkCreate": Row(
        OWN_SHOP, lambda w: Call({}), "url", country="DE", needs=("stripe_server",)
    ),
    "sellerPayoutBankAccountSet": Row(
        OWN_SHOP, lambda w: Call({"input": BANK_INPUT}), "payoutStatus { route }"
    ),
    "sellerPayoutBankAccountVerify": Row(MANAGE_PAYOUTS, _bank_account, "payoutStatus { route }"),
    "payoutRelease": Row(MANAGE_PAYOUTS, _owners_part(paid=True), "releasedAt"),
    "payoutRetry": Row(MANAGE_PAYOUTS, _owners_failed_payout, "payout { status }"),
    # Accounts: credentials travel in the arguments (anyone may use them), or the caller acts
    # on their own account.
    "accountRegister": Row(
        PUBLIC,
        lambda w: Call(
            {"input": {"email": "new@example.com", "password": "plum-kettle-saffron-41"}}
        ),
        "user { email }",
    ),
    "accountConfirmEmail": Row(
        PUBLIC,
        lambda w: Call(
            {
                "email": "ada@example.com",
                "token": email_verification_token_generator.make_token(
                    _ada(is_email_verified=False)
                ),
            }
        ),
        "user { email }",
    ),
    "accountResendVerification": Row(
        PUBLIC, lambda w: Call({"email": _ada(is_email_verified=False).email})
    ),
    "tokenCreate": Row(
        PUBLIC, lambda w: Call({"email": _ada().email, "password": PASSWORD}), "user { email }"
    ),
    "tokenRefresh": Row(PUBLIC, _ada_refresh_token, "user { email }"),
    "tokenRevoke": Row(PUBLIC, _ada_refresh_token),
    "tokensRevokeAll": Row(SIGNED_IN, lambda w: Call({})),
    "passwordChange": Row(
        SIGNED_IN,
        lambda w: Call({"oldPassword": PASSWORD, "newPassword": "plum-kettle-saffron-41"}),
        "user { email }",
    ),
    "requestPasswordReset": Row(PUBLIC, lambda w: Call({"email": _ada().email})),
    # Personal data: one's own (no id to name another's), or anyone's for privacy staff.
    "accountPersonalDataExport": Row(SIGNED_IN, lambda w: Call({}), "data"),
    "accountErase": Row(SIGNED_IN, lambda w: Call({"password": PASSWORD})),
    "userPersonalDataExport": Row(
        staff_only("core.manage_personal_data"),
        lambda w: Call({"userId": to_global_id("User", _ada().pk), "reason": "Request 7"}),
        "data",
    ),
    "userErase": Row(
        staff_only("core.manage_personal_data"),
        lambda w: Call({"userId": to_global_id("User", _ada().pk), "reason": "Request 7"}),
    ),
    "setPassword": Row(
        PUBLIC,
        lambda w: Call(
            {
                "email": "ada@example.com",
                "token": default_token_generator.make_token(_ada()),
                "password": "plum-kettle-saffron-41",
            }
        ),
    ),
    # Checkout: the token is the key (as in Saleor), so every role holding it may use it;
    # checkoutCreate records the signed-in buyer, if any.
    "checkoutCreate": Row(
        PUBLIC,
        lambda w: Call(
            {
                "input": {
                    "email": "buyer@example.com",
                    "lines": [{"variantId": gid(_owner_variant(w)), "quantity": 1}],
                }
            }
        ),
        "checkout { currency }",
    ),
    "checkoutLinesAdd": Row(
        PUBLIC,
        lambda w: _on_checkout(lines=[{"variantId": gid(_owner_variant(w)), "quantity": 2}])(w),
        "checkout { currency }",
    ),
    "checkoutLineUpdate": Row(
        PUBLIC, _on_checkout(variantId=gid, quantity=3), "checkout { currency }"
    ),
    "checkoutLineDelete": Row(PUBLIC, _on_checkout(variantId=gid), "checkout { currency }"),
    "checkoutEmailUpdate": Row(PUBLIC, _on_checkout(email="ada@example.com"), "checkout { email }"),
    "checkoutShippingAddressUpdate": Row(
        PUBLIC,
        _on_checkout(address={**BAKU, "streetAddress1": "Istiglaliyyat 5"}),
        "checkout { currency }",
    ),
    "checkoutBillingAddressUpdate": Row(
        PUBLIC, _on_checkout(address=BAKU), "checkout { currency }"
    ),
    "checkoutCurrencyUpdate": Row(PUBLIC, _currency_change, "checkout { currency }"),
    "checkoutDeliveryMethodUpdate": Row(PUBLIC, _delivery_method, "quote { currency }"),
    "checkoutIncotermUpdate": Row(PUBLIC, _incoterm, "quote { incoterm }"),
    "checkoutComplete": Row(
        PUBLIC,
        lambda w: Call({"token": str(_owners_checkout(w).token), "idempotencyKey": "matrix-key"}),
        "order { status }",
    ),
    # Orders: the owner is the seller whose part it is. Here the 'buyer' role placed the order
    # and may cancel it (unpaid, by id); the owner seller, selling only a part, may not cancel
    # the whole order. Guests cancel by token: tests/orders/test_authorization.py.
    "orderCancel": Row(
        replace(
            SIGNED_IN.but(other_seller=NOT_FOUND, owner=NOT_FOUND, staff=NOT_FOUND),
            permission=MANAGE_ORDERS,
        ),
        _buyers_order,
        "order { status }",
    ),
    "orderMarkPaid": Row(
        staff_only(MANAGE_ORDERS),
        lambda w: Call({"id": to_global_id("Order", _order(w).pk)}),
        "order { status }",
    ),
    # Only the part's seller makes it: staff, even with orders.manage_orders, have no shop.
    "orderPartStartFulfilment": Row(
        replace(OWN_SHOP.but(other_seller=NOT_FOUND), permission=MANAGE_ORDERS),
        _owners_part(paid=True),
        "part { status }",
    ),
    "orderPartCancel": Row(
        owner_or_staff(MANAGE_ORDERS),
        _owners_part(paid=False, reason="The kiln broke"),
        "part { status }",
    ),
    # Fulfilment: the part's seller ships it; staff with orders.manage_orders may also record
    # its delivery (a parcel the seller cannot follow).
    "orderPartShip": Row(
        replace(OWN_SHOP.but(other_seller=NOT_FOUND), permission=MANAGE_ORDERS),
        _owners_part(paid=True, carrier="manual", trackingNumber="RR123456789AZ"),
        "part { status }",
    ),
    "orderPartDeliver": Row(owner_or_staff(MANAGE_ORDERS), _owners_shipped_part, "part { status }"),
}
