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
from market.graphql.schema import schema
from market.sellers.models import SellerStatus
from tests.accounts.conftest import PASSWORD
from tests.authorization.world import ROLES, World
from tests.catalog_import.helpers import SAMPLE
from tests.catalog_import.helpers import upload as csv_upload
from tests.catalog_seller.support import gid, png_file, publishable_draft
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
    UserFactory,
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
OWN_SHOP = SIGNED_IN.but(buyer=PERMISSION_DENIED, staff=PERMISSION_DENIED,
                         staff_with_permission=PERMISSION_DENIED)


def owner_or_staff(permission: str) -> Expect:
    """A seller's object named by id: another seller's answers like a missing one."""
    return replace(OWN_SHOP.but(other_seller=NOT_FOUND, staff_with_permission=OK),
                   permission=permission)


def staff_only(permission: str) -> Expect:
    return Expect({**dict.fromkeys(ROLES, PERMISSION_DENIED), "anonymous": UNAUTHENTICATED,
                   "staff_with_permission": OK}, permission)


LISTING = owner_or_staff("catalog.manage_catalog")
MANAGE_SELLERS = staff_only("sellers.manage_sellers")
MANAGE_PAYOUTS = staff_only("payouts.manage_payouts")
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
    return (f"mutation{f'({declared})' if declared else ''} {{ "
            f"{name}{f'({passed})' if passed else ''} {{ {returns} errors {{ field code }} }} }}")


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
    return Call({"refreshToken": user_login(email=_ada().email, password=PASSWORD).refresh_token})


def _images(world):
    product = ProductFactory(seller=world.owner_seller)
    first, second = (ProductImageFactory(product=product, sort_order=i) for i in (0, 1))
    return Call({"productId": gid(product), "imageIds": [gid(second), gid(first)]})


APPLICATION = dict(status=SellerStatus.DRAFT, resident_programme="Crafts residency 2026",
                   membership_number="RC-0042", contact_email="owner@example.com",
                   contact_phone="+994 50 123 45 67")


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
        seller=world.owner_seller, route="bank_transfer", account_holder="Leyla Mammadova",
        iban="AZ21NABZ00000000137010001944", bic="NABZAZ2X",
        bank_name="Central Bank of Azerbaijan", currency="AZN")
    return Call({"sellerId": to_global_id("Seller", world.owner_seller.pk)})


# --- The matrix ----------------------------------------------------------------------------

CASES: dict[str, Row] = {
    # Catalogue: listings by id belong to one seller; catalogue managers may touch any.
    "productCreate": Row(OWN_SHOP, lambda w: Call({"input": {
        "name": "Silk scarf", "categoryId": to_global_id("Category", CategoryFactory().pk)}}),
        "product { id }"),
    "productUpdate": Row(LISTING, lambda w: Call({"id": gid(_draft(w)),
                                                  "input": {"name": "Renamed"}}),
                         "product { id }"),
    "productPublish": Row(LISTING, _with_status(ProductStatus.DRAFT), "product { status }"),
    "productUnpublish": Row(LISTING, _with_status(ProductStatus.PUBLISHED), "product { status }"),
    "productArchive": Row(LISTING, _with_status(ProductStatus.DRAFT), "product { status }"),
    "productRestore": Row(LISTING, _with_status(ProductStatus.ARCHIVED), "product { status }"),
    "productDelete": Row(LISTING, lambda w: Call({"id": gid(_draft(w))}), "deletedId"),
    "productVariantCreate": Row(LISTING, lambda w: Call({
        "productId": gid(_draft(w)),
        "input": {"sku": "NEW-1", "price": "10.00", "stockQuantity": 2}}), "variant { sku }"),
    "productVariantUpdate": Row(LISTING, lambda w: Call({
        "id": gid(ProductVariantFactory(product__seller=w.owner_seller)),
        "input": {"price": "55.50"}}), "variant { sku }"),
    "productVariantDelete": Row(LISTING, lambda w: Call({"id": gid(ProductVariantFactory(
        product__seller=w.owner_seller, product__status=ProductStatus.DRAFT))}),
        "product { id }"),
    "productVariantStockSet": Row(LISTING, lambda w: Call({
        "id": gid(ProductVariantFactory(product__seller=w.owner_seller, stock_quantity=5)),
        "quantity": 9}), "variant { quantityAvailable }"),
    "productImageCreate": Row(LISTING, lambda w: Call(
        {"productId": gid(ProductFactory(seller=w.owner_seller)), "image": None, "alt": "Front"},
        files={"variables.image": png_file()}), "image { alt }"),
    "productImageReorder": Row(LISTING, _images, "product { id }"),
    "productImageDelete": Row(LISTING, lambda w: Call({
        "id": gid(ProductImageFactory(product__seller=w.owner_seller))}), "product { id }"),
    "productImportCreate": Row(OWN_SHOP, lambda w: Call(
        {"file": None}, files={"variables.file": csv_upload(SAMPLE.read_bytes())}),
        "productImport { status }"),

    # Sellers: an applicant works on their own application; staff decide on it.
    "sellerApplicationCreate": Row(
        SIGNED_IN.but(other_seller=ALREADY_APPLIED, owner=ALREADY_APPLIED),
        lambda w: Call({"input": {"name": "New Studio", "discipline": "design"}}),
        "seller { status }"),
    "sellerApplicationUpdate": Row(APPLICANT, lambda w: Call({"input": {"city": "Sheki"}}),
                                   "seller { status }", owner=APPLICATION),
    "sellerDocumentUpload": Row(APPLICANT, lambda w: Call(
        {"kind": "portfolio", "file": None}, files={"variables.file": pdf_upload()}),
        "document { kind }", owner=APPLICATION),
    # The approved seller's shop takes no document changes, whichever document is named.
    "sellerDocumentDelete": Row(APPLICANT, _document, "seller { status }", owner=APPLICATION),
    "sellerApplicationSubmit": Row(APPLICANT, _submittable, "seller { status }",
                                   owner=APPLICATION),
    "sellerApplicationApprove": Row(MANAGE_SELLERS, _owner_seller(), "seller { status }",
                                    owner={"status": SellerStatus.SUBMITTED}),
    "sellerApplicationReject": Row(MANAGE_SELLERS, _owner_seller("Incomplete."),
                                   "seller { status }",
                                   owner={"status": SellerStatus.SUBMITTED}),
    "sellerSuspend": Row(MANAGE_SELLERS, _owner_seller("Complaints."), "seller { status }"),
    "sellerReinstate": Row(MANAGE_SELLERS, _owner_seller(), "seller { status }",
                           owner={"status": SellerStatus.SUSPENDED}),

    # Payouts: a seller's own payout account; staff verify bank details.
    "sellerPayoutOnboardingLinkCreate": Row(OWN_SHOP, lambda w: Call({}), "url", country="DE",
                                            needs=("stripe_server",)),
    "sellerPayoutBankAccountSet": Row(OWN_SHOP, lambda w: Call({"input": BANK_INPUT}),
                                      "payoutStatus { route }"),
    "sellerPayoutBankAccountVerify": Row(MANAGE_PAYOUTS, _bank_account,
                                         "payoutStatus { route }"),

    # Accounts: credentials travel in the arguments (anyone may use them), or the caller acts
    # on their own account.
    "accountRegister": Row(PUBLIC, lambda w: Call({"input": {
        "email": "new@example.com", "password": "plum-kettle-saffron-41"}}), "user { email }"),
    "accountConfirmEmail": Row(PUBLIC, lambda w: Call({
        "email": "ada@example.com",
        "token": email_verification_token_generator.make_token(_ada(is_email_verified=False))}),
        "user { email }"),
    "accountResendVerification": Row(PUBLIC, lambda w: Call({
        "email": _ada(is_email_verified=False).email})),
    "tokenCreate": Row(PUBLIC, lambda w: Call({"email": _ada().email, "password": PASSWORD}),
                       "user { email }"),
    "tokenRefresh": Row(PUBLIC, _ada_refresh_token, "user { email }"),
    "tokenRevoke": Row(PUBLIC, _ada_refresh_token),
    "tokensRevokeAll": Row(SIGNED_IN, lambda w: Call({})),
    "passwordChange": Row(SIGNED_IN, lambda w: Call({
        "oldPassword": PASSWORD, "newPassword": "plum-kettle-saffron-41"}), "user { email }"),
    "requestPasswordReset": Row(PUBLIC, lambda w: Call({"email": _ada().email})),
    "setPassword": Row(PUBLIC, lambda w: Call({
        "email": "ada@example.com", "token": default_token_generator.make_token(_ada()),
        "password": "plum-kettle-saffron-41"})),
}
