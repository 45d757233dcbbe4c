"""The checkout services' rules: each refusal has its code and field and changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from market.checkout import services
from market.checkout.models import Checkout, CheckoutStatus
from market.checkout.selectors import checkout_get_active
from market.core.errors import DomainError
from market.sellers.models import SellerStatus
from tests.checkout.helpers import reserved, snapshot, variant_in_stock
from tests.factories import ExchangeRateFactory, ProductVariantFactory, UserFactory

pytestmark = pytest.mark.django_db

GERMAN = {
    "name": "Anna Schmidt",
    "street_address_1": "Unter den Linden 1",
    "city": "Berlin",
    "country": "DE",
    "postal_code": "10117",
}


def refused(call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(**kwargs)
    return error.value


def test_a_guest_checkout_starts_in_the_base_currency_for_the_lifetime(settings):
    before = timezone.now()

    checkout = services.checkout_create()

    assert (checkout.user, checkout.currency, checkout.email) == (None, "AZN", "")
    assert checkout.expires_at >= before + dt.timedelta(seconds=settings.CHECKOUT_LIFETIME_SECONDS)


def test_a_signed_in_buyers_checkout_records_them_and_their_email():
    buyer = UserFactory(email="leyla@example.com")

    checkout = services.checkout_create(user=buyer)

    assert (checkout.user, checkout.email) == (buyer, "leyla@example.com")


def test_creating_with_lines_and_an_address_reserves_the_units_and_sets_the_country(settings):
    variant = variant_in_stock(stock=5)

    checkout = services.checkout_create(
        lines=[{"variant_id": variant.pk, "quantity": 2}],
        shipping_address=GERMAN,
        email="a@example.com",
    )

    assert list(checkout.lines.values_list("variant_id", "quantity")) == [(variant.pk, 2)]
    assert reserved(checkout) == {variant.pk: 2}
    assert checkout.shipping_country == "DE"


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"currency": "XYZ"}, "unknown_currency", "currency"),
        ({"currency": "EUR"}, "no_exchange_rate", "currency"),
        ({"email": "not-an-email"}, "invalid_email", "email"),
        (
            {"shipping_address": {**GERMAN, "postal_code": "1"}},
            "invalid_address",
            "shippingAddress.postalCode",
        ),
        ({"billing_address": {**GERMAN, "city": ""}}, "invalid_address", "billingAddress.city"),
    ],
)
def test_a_checkout_with_bad_details_is_not_created(kwargs, code, field):
    error = refused(services.checkout_create, **kwargs)

    assert (error.code, error.field) == (code, field)
    assert Checkout.objects.count() == 0


def test_a_checkout_with_too_many_lines_is_not_created(settings):
    settings.CHECKOUT_MAX_LINES = 2
    variants = [variant_in_stock() for _ in range(3)]

    error = refused(
        services.checkout_create, lines=[{"variant_id": v.pk, "quantity": 1} for v in variants]
    )

    assert (error.code, error.field) == ("too_many_lines", "lines")
    assert Checkout.objects.count() == 0


def test_lines_add_adds_to_an_existing_line_and_to_its_reservation():
    variant = variant_in_stock(stock=5)
    checkout = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 1}])

    services.checkout_lines_add(
        checkout=checkout, lines=[{"variant_id": variant.pk, "quantity": 2}]
    )

    assert list(checkout.lines.values_list("quantity", flat=True)) == [3]
    assert reserved(checkout) == {variant.pk: 3}


@pytest.mark.parametrize(
    ("quantity", "code"),
    [(0, "invalid_quantity"), (-1, "invalid_quantity"), (51, "quantity_over_limit")],
)
def test_lines_add_refuses_a_bad_quantity_and_changes_nothing(quantity, code):
    kept, variant = variant_in_stock(), variant_in_stock(stock=100)
    checkout = services.checkout_create(lines=[{"variant_id": kept.pk, "quantity": 1}])
    before = snapshot(checkout)

    error = refused(
        services.checkout_lines_add,
        checkout=checkout,
        lines=[
            {"variant_id": kept.pk, "quantity": 1},
            {"variant_id": variant.pk, "quantity": quantity},
        ],
    )

    assert (error.code, error.field) == (code, "lines.1.quantity")
    assert snapshot(checkout) == before


def test_lines_add_refuses_a_total_above_the_per_line_cap(settings):
    settings.CHECKOUT_MAX_LINE_QUANTITY = 3
    variant = variant_in_stock(stock=10)
    checkout = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 2}])
    before = snapshot(checkout)

    error = refused(
        services.checkout_lines_add,
        checkout=checkout,
        lines=[{"variant_id": variant.pk, "quantity": 2}],
    )

    assert (error.code, error.field) == ("quantity_over_limit", "lines.0.quantity")
    assert snapshot(checkout) == before


def test_lines_add_refuses_a_line_beyond_the_line_cap(settings):
    settings.CHECKOUT_MAX_LINES = 1
    first, second = variant_in_stock(), variant_in_stock()
    checkout = services.checkout_create(lines=[{"variant_id": first.pk, "quantity": 1}])
    before = snapshot(checkout)

    error = refused(
        services.checkout_lines_add,
        checkout=checkout,
        lines=[{"variant_id": second.pk, "quantity": 1}],
    )

    assert (error.code, error.field) == ("too_many_lines", "lines")
    assert snapshot(checkout) == before


def _unpublished():
    return variant_in_stock(status="draft")


def _seller_suspended():
    variant = variant_in_stock()
    seller = variant.product.seller
    seller.status = SellerStatus.SUSPENDED
    seller.save()
    return variant


def _unknown():
    variant = ProductVariantFactory()
    variant.product.delete()
    return variant


@pytest.mark.parametrize("make", [_unpublished, _seller_suspended, _unknown])
def test_a_variant_buyers_may_not_buy_is_not_available_like_an_unknown_one(make):
    variant = make()
    checkout = services.checkout_create()
    before = snapshot(checkout)

    error = refused(
        services.checkout_lines_add,
        checkout=checkout,
        lines=[{"variant_id": variant.pk, "quantity": 1}],
    )

    assert (error.code, error.field, error.message) == (
        "variant_not_available",
        "lines.0.variantId",
        "This item is not available.",
    )
    assert snapshot(checkout) == before


def test_more_than_the_stock_is_insufficient_stock():
    variant = variant_in_stock(stock=2)
    checkout = services.checkout_create()

    error = refused(
        services.checkout_lines_add,
        checkout=checkout,
        lines=[{"variant_id": variant.pk, "quantity": 3}],
    )

    assert (error.code, error.field) == ("insufficient_stock", "lines.0.quantity")
    assert checkout.lines.count() == 0 and reserved(checkout) == {}


def test_no_stock_at_all_is_out_of_stock():
    variant = variant_in_stock(stock=0)
    checkout = services.checkout_create()

    error = refused(
        services.checkout_lines_add,
        checkout=checkout,
        lines=[{"variant_id": variant.pk, "quantity": 1}],
    )

    assert (error.code, error.field) == ("out_of_stock", "lines.0.quantity")


def test_the_checkout_stays_usable_after_a_refusal():
    variant = variant_in_stock(stock=2)
    checkout = services.checkout_create()
    refused(
        services.checkout_lines_add,
        checkout=checkout,
        lines=[{"variant_id": variant.pk, "quantity": 3}],
    )

    services.checkout_lines_add(
        checkout=checkout, lines=[{"variant_id": variant.pk, "quantity": 2}]
    )

    assert reserved(checkout) == {variant.pk: 2}


def test_line_update_sets_the_quantity_and_the_reservation():
    variant = variant_in_stock(stock=5)
    checkout = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 1}])

    services.checkout_line_update(checkout=checkout, variant_id=variant.pk, quantity=4)

    assert list(checkout.lines.values_list("quantity", flat=True)) == [4]
    assert reserved(checkout) == {variant.pk: 4}


def test_line_update_to_zero_removes_the_line_and_its_reservation():
    variant = variant_in_stock()
    checkout = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 1}])

    services.checkout_line_update(checkout=checkout, variant_id=variant.pk, quantity=0)

    assert checkout.lines.count() == 0 and reserved(checkout) == {}


@pytest.mark.parametrize(
    ("quantity", "code"),
    [(-1, "invalid_quantity"), (51, "quantity_over_limit"), (6, "insufficient_stock")],
)
def test_line_update_refuses_a_bad_quantity_and_changes_nothing(quantity, code):
    variant = variant_in_stock(stock=5)
    checkout = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 1}])
    before = snapshot(checkout)

    error = refused(
        services.checkout_line_update, checkout=checkout, variant_id=variant.pk, quantity=quantity
    )

    assert (error.code, error.field) == (code, "quantity")
    assert snapshot(checkout) == before


def test_line_update_of_a_variant_not_in_the_checkout_is_line_not_found():
    variant = variant_in_stock()
    checkout = services.checkout_create()

    error = refused(
        services.checkout_line_update, checkout=checkout, variant_id=variant.pk, quantity=1
    )

    assert (error.code, error.field) == ("line_not_found", "variantId")


def test_a_line_of_an_item_no_longer_on_sale_may_still_be_reduced():
    variant = variant_in_stock()
    checkout = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 3}])
    variant.product.status = "draft"
    variant.product.save()

    services.checkout_line_update(checkout=checkout, variant_id=variant.pk, quantity=1)

    assert list(checkout.lines.values_list("quantity", flat=True)) == [1]


def test_line_delete_removes_the_line_and_releases_its_units():
    variant = variant_in_stock()
    checkout = services.checkout_create(lines=[{"variant_id": variant.pk, "quantity": 2}])

    services.checkout_line_delete(checkout=checkout, variant_id=variant.pk)

    assert checkout.lines.count() == 0 and reserved(checkout) == {}


def test_email_update_stores_a_valid_address_with_the_domain_lower_cased():
    checkout = services.checkout_create()

    services.checkout_email_update(checkout=checkout, email=" Leyla@Example.COM ")

    assert Checkout.objects.get(pk=checkout.pk).email == "Leyla@example.com"


@pytest.mark.parametrize(("email", "code"), [("", "email_required"), ("a@", "invalid_email")])
def test_email_update_refuses_a_missing_or_malformed_address(email, code):
    checkout = services.checkout_create(email="old@example.com")
    before = snapshot(checkout)

    error = refused(services.checkout_email_update, checkout=checkout, email=email)

    assert (error.code, error.field) == (code, "email")
    assert snapshot(checkout) == before


def test_shipping_address_update_sets_the_destination_country():
    checkout = services.checkout_create()

    services.checkout_shipping_address_update(
        checkout=checkout, address={**GERMAN, "country": "AE", "postal_code": ""}
    )

    checkout.refresh_from_db()
    assert (checkout.shipping_country, checkout.shipping_address["city"]) == ("AE", "Berlin")


def test_shipping_address_update_refuses_a_bad_address_and_changes_nothing():
    checkout = services.checkout_create(shipping_address=GERMAN)
    before = snapshot(checkout)

    error = refused(
        services.checkout_shipping_address_update,
        checkout=checkout,
        address={**GERMAN, "country": "US", "postal_code": "ABCDE"},
    )

    assert (error.code, error.field) == ("invalid_address", "shippingAddress.postalCode")
    assert snapshot(checkout) == before


def test_billing_address_update_leaves_the_destination_alone():
    checkout = services.checkout_create(shipping_address=GERMAN)

    services.checkout_billing_address_update(
        checkout=checkout, address={**GERMAN, "country": "GB", "postal_code": "SW1A 1AA"}
    )

    checkout.refresh_from_db()
    assert (checkout.shipping_country, checkout.billing_address["country"]) == ("DE", "GB")


def test_currency_update_clears_a_locked_rate():
    ExchangeRateFactory(currency="USD", rate="1.7000")
    checkout = services.checkout_create()
    Checkout.objects.filter(pk=checkout.pk).update(
        exchange_rate="1", exchange_rate_source="base", rate_locked_at=timezone.now()
    )

    services.checkout_currency_update(checkout=checkout, currency="usd")

    checkout.refresh_from_db()
    assert (
        checkout.currency,
        checkout.exchange_rate,
        checkout.exchange_rate_source,
        checkout.rate_locked_at,
    ) == ("USD", None, "", None)


@pytest.mark.parametrize(
    ("currency", "code"), [("XYZ", "unknown_currency"), ("GBP", "no_exchange_rate")]
)
def test_currency_update_refuses_a_currency_we_cannot_charge_in(currency, code):
    checkout = services.checkout_create()
    before = snapshot(checkout)

    error = refused(services.checkout_currency_update, checkout=checkout, currency=currency)

    assert (error.code, error.field) == (code, "currency")
    assert snapshot(checkout) == before


def test_every_change_extends_the_checkouts_life(settings):
    checkout = services.checkout_create()
    Checkout.objects.filter(pk=checkout.pk).update(
        expires_at=timezone.now() + dt.timedelta(minutes=5)
    )
    before = timezone.now()

    services.checkout_email_update(checkout=checkout, email="a@example.com")

    assert Checkout.objects.get(pk=checkout.pk).expires_at >= before + dt.timedelta(
        seconds=settings.CHECKOUT_LIFETIME_SECONDS
    )


def test_an_expired_checkout_cannot_be_changed():
    checkout = services.checkout_create()
    Checkout.objects.filter(pk=checkout.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    error = refused(services.checkout_email_update, checkout=checkout, email="a@example.com")

    assert (error.code, error.field) == ("expired", "token")


def test_a_completed_checkout_cannot_be_changed():
    checkout = services.checkout_create()
    Checkout.objects.filter(pk=checkout.pk).update(status=CheckoutStatus.COMPLETED)

    error = refused(services.checkout_email_update, checkout=checkout, email="a@example.com")

    assert (error.code, error.field) == ("already_completed", "token")


@pytest.mark.parametrize("token", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", None])
def test_get_active_answers_not_found_for_an_unknown_or_malformed_token(token):
    error = refused(checkout_get_active, token=token)

    assert (error.code, error.field) == ("not_found", "token")


def test_get_active_answers_expired_and_already_completed():
    expired, completed = services.checkout_create(), services.checkout_create()
    Checkout.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    Checkout.objects.filter(pk=completed.pk).update(status=CheckoutStatus.COMPLETED)

    assert refused(checkout_get_active, token=str(expired.token)).code == "expired"
    assert refused(checkout_get_active, token=completed.token).code == "already_completed"
