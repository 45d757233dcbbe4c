"""checkoutComplete: one order per checkout, split per seller, exactly once."""

from decimal import Decimal

import pytest
from django.core import mail

from market.catalog.models import ProductStatus, ProductVariant
from market.checkout.completion import checkout_complete
from market.checkout.models import Checkout, CheckoutDelivery, CheckoutStatus, StockReservation
from market.orders.models import Order, OrderLine
from market.shipping.models import DutyCountry
from tests.factories import (
    BERLIN,
    UserFactory,
    euro_rate,
    key,
    ready_checkout,
    seller_with_variant,
)

pytestmark = pytest.mark.django_db

COMPLETE = """
mutation($token: UUID!, $key: String!) {
  checkoutComplete(token: $token, idempotencyKey: $key) {
    order { id number token status currency incoterm email
      conversion { rate source }
      subtotal { amount currency } shipping { amount } vat { amount } duties { amount }
      dutiesEstimate { amount } total { amount currency }
      shippingAddress { city country { code } }
      billingAddress { city }
      parts { seller { name slug } status shippingMethodName
        lines { productName sku quantity unitPrice { amount currency } total { amount }
                hsCode originCountry weightGrams }
        subtotal { amount } shipping { amount } total { amount } }
      events { kind fromStatus toStatus } }
    errors { field code message }
  }
}
"""


@pytest.fixture
def two_sellers():
    euro_rate()
    seller_a, variant_a = seller_with_variant(price="100.00", stock=5, name="Kilim House")
    seller_b, variant_b = seller_with_variant(price="50.00", stock=3, name="Clay Works")
    return seller_a, variant_a, seller_b, variant_b


def _complete(gql, checkout, idempotency_key="key-1"):
    return gql.execute(COMPLETE, {"token": str(checkout.token), "key": idempotency_key})[
        "checkoutComplete"
    ]


def _stock(*variants) -> list[int]:
    return [ProductVariant.objects.get(pk=v.pk).stock_quantity for v in variants]


def test_completing_a_checkout_of_two_sellers_places_one_order_with_a_part_each(gql, two_sellers):
    seller_a, variant_a, seller_b, variant_b = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 2), (variant_b, 1)])

    result = _complete(gql, checkout)

    assert result["errors"] == []
    order = result["order"]
    assert order["number"] == f"CM-{Order.objects.get().pk:08d}"
    assert (order["status"], order["currency"], order["incoterm"], order["email"]) == (
        "UNPAID",
        "EUR",
        "DAP",
        "buyer@example.com",
    )
    assert order["conversion"] == {"rate": "2.0000000000", "source": "test"}
    assert [
        order[f]["amount"]
        for f in ("subtotal", "shipping", "vat", "duties", "dutiesEstimate", "total")
    ] == ["125.00", "20.00", "0.00", "0.00", "0.00", "145.00"]
    assert order["shippingAddress"] == {"city": "Berlin", "country": {"code": "DE"}}
    assert order["billingAddress"] == {"city": "Berlin"}
    assert [
        (
            p["seller"]["name"],
            p["status"],
            p["shippingMethodName"],
            p["subtotal"]["amount"],
            p["shipping"]["amount"],
            p["total"]["amount"],
        )
        for p in order["parts"]
    ] == [
        ("Kilim House", "UNPAID", "Post to DE", "100.00", "10.00", "110.00"),
        ("Clay Works", "UNPAID", "Post to DE", "25.00", "10.00", "35.00"),
    ]
    assert order["parts"][0]["lines"] == [
        {
            "productName": variant_a.product.name,
            "sku": variant_a.sku,
            "quantity": 2,
            "unitPrice": {"amount": "50.00", "currency": "EUR"},
            "total": {"amount": "100.00"},
            "hsCode": "570110",
            "originCountry": "AZ",
            "weightGrams": 1200,
        }
    ]
    assert order["events"] == [{"kind": "placed", "fromStatus": None, "toStatus": "unpaid"}]


def test_completion_snapshots_each_line_in_base_and_order_currency(gql, two_sellers):
    seller_a, variant_a, _, variant_b = two_sellers
    _complete(gql, ready_checkout(lines=[(variant_a, 2), (variant_b, 1)]))

    line = OrderLine.objects.get(variant=variant_a)
    assert (
        line.product_name,
        line.variant_name,
        line.sku,
        line.seller_name,
        line.hs_code,
        line.origin_country,
        line.weight_grams,
        line.quantity,
        line.unit_price_base_amount,
        line.unit_price_amount,
        line.total_amount,
    ) == (
        variant_a.product.name,
        "",
        variant_a.sku,
        "Kilim House",
        "570110",
        "AZ",
        1200,
        2,
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("100.00"),
    )
    order = Order.objects.get()
    assert (order.exchange_rate, order.exchange_rate_source, order.total_base_amount) == (
        Decimal("2.0000000000"),
        "test",
        Decimal("290.00"),
    )


def test_completion_takes_the_stock_releases_reservations_and_closes_the_checkout(gql, two_sellers):
    _, variant_a, _, variant_b = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 2), (variant_b, 1)])

    _complete(gql, checkout)

    assert _stock(variant_a, variant_b) == [3, 2]
    assert StockReservation.objects.filter(checkout=checkout).count() == 0
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.COMPLETED
    assert checkout.rate_locked_at is not None


def test_the_buyer_and_each_seller_are_emailed_after_commit(
    gql, two_sellers, eager_tasks, django_capture_on_commit_callbacks
):
    seller_a, variant_a, seller_b, variant_b = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 2), (variant_b, 1)])

    with django_capture_on_commit_callbacks(execute=True):
        order = _complete(gql, checkout)["order"]

    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            ("buyer@example.com", f"Your order {order['number']}"),
            (seller_a.contact_email, f"New order {order['number']}"),
            (seller_b.contact_email, f"New order {order['number']}"),
        ]
    )
    buyer_mail = next(m for m in mail.outbox if m.to == ["buyer@example.com"])
    assert f"http://127.0.0.1:8000/orders/{order['token']}/" in buyer_mail.body
    assert "Total: 145.00 EUR" in buyer_mail.body
    seller_a_mail = next(m for m in mail.outbox if m.to == [seller_a.contact_email])
    assert variant_a.sku in seller_a_mail.body and variant_b.sku not in seller_a_mail.body


def test_no_email_leaves_before_commit(gql, two_sellers, eager_tasks):
    _, variant_a, _, _ = two_sellers
    _complete(gql, ready_checkout(lines=[(variant_a, 1)]))

    assert mail.outbox == []


def test_repeating_the_key_answers_with_the_same_order(gql, two_sellers):
    _, variant_a, _, variant_b = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 2), (variant_b, 1)])
    first = _complete(gql, checkout, "key-1")

    again = _complete(gql, checkout, "key-1")

    assert again["errors"] == []
    assert again["order"]["number"] == first["order"]["number"]
    assert Order.objects.count() == 1
    assert _stock(variant_a, variant_b) == [3, 2]


def test_the_same_key_for_another_checkout_is_refused(gql, two_sellers):
    _, variant_a, _, variant_b = two_sellers
    _complete(gql, ready_checkout(lines=[(variant_a, 1)]), "key-1")
    other = ready_checkout(lines=[(variant_b, 1)])

    result = _complete(gql, other, "key-1")

    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")
    ]
    assert result["order"] is None
    assert Order.objects.count() == 1
    assert Checkout.objects.get(pk=other.pk).status == CheckoutStatus.ACTIVE
    assert _stock(variant_b) == [3]


def test_a_completed_checkout_is_refused_under_another_key(gql, two_sellers):
    _, variant_a, _, _ = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 1)])
    _complete(gql, checkout, "key-1")

    result = _complete(gql, checkout, "key-2")

    assert [(e["field"], e["code"]) for e in result["errors"]] == [("token", "ALREADY_COMPLETED")]
    assert Order.objects.count() == 1
    assert _stock(variant_a) == [4]


def test_the_signed_in_buyers_email_is_used_when_the_checkout_has_none(two_sellers):
    _, variant_a, _, _ = two_sellers
    buyer = UserFactory(email="leyla@example.com")
    checkout = ready_checkout(lines=[(variant_a, 1)], email="", user=buyer)

    order = checkout_complete(token=checkout.token, idempotency_key=key(), user=buyer)

    assert (order.email, order.user) == ("leyla@example.com", buyer)


def test_the_billing_address_defaults_to_the_shipping_address(two_sellers):
    _, variant_a, _, _ = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 1)])

    order = checkout_complete(token=checkout.token, idempotency_key=key())

    assert order.billing_address == BERLIN


def test_a_ddp_export_collects_duties_in_the_total(two_sellers):
    _, variant_a, _, _ = two_sellers
    DutyCountry.objects.create(
        country="DE",
        de_minimis_amount=Decimal("150.00"),
        de_minimis_currency="EUR",
        default_rate=Decimal("10"),
    )
    checkout = ready_checkout(lines=[(variant_a, 4)], incoterm="DDP")

    order = checkout_complete(token=checkout.token, idempotency_key=key())

    assert (
        order.incoterm,
        order.subtotal_amount,
        order.duties_amount,
        order.duties_estimate_amount,
        order.total_amount,
    ) == ("DDP", Decimal("200.00"), Decimal("20.00"), Decimal("0.00"), Decimal("230.00"))


# --- Refusals: each names its field and code and leaves the checkout as it was --------------


def _unchanged(checkout, variants, stock):
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.ACTIVE
    assert checkout.rate_locked_at is None
    assert Order.objects.count() == 0
    assert _stock(*variants) == stock
    assert StockReservation.objects.filter(checkout=checkout).count() == len(checkout.lines.all())


def _refusal(gql, checkout):
    result = _complete(gql, checkout)
    assert result["order"] is None
    return [(e["field"], e["code"]) for e in result["errors"]]


def test_an_empty_checkout_is_refused(gql, two_sellers):
    checkout = ready_checkout(lines=[])

    assert _refusal(gql, checkout) == [("lines", "EMPTY_CHECKOUT")]
    _unchanged(checkout, [], [])


def test_a_checkout_without_email_is_refused(gql, two_sellers):
    _, variant_a, _, _ = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 1)], email="")

    assert _refusal(gql, checkout) == [("email", "EMAIL_REQUIRED")]
    _unchanged(checkout, [variant_a], [5])


def test_a_checkout_without_shipping_address_is_refused(gql, two_sellers):
    _, variant_a, _, _ = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 1)], address={}, country="")

    assert _refusal(gql, checkout) == [("shippingAddress", "SHIPPING_ADDRESS_REQUIRED")]
    _unchanged(checkout, [variant_a], [5])


def test_a_seller_part_without_delivery_method_is_refused_naming_the_seller(gql, two_sellers):
    seller_a, variant_a, seller_b, variant_b = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 1), (variant_b, 1)])
    CheckoutDelivery.objects.filter(checkout=checkout, seller=seller_b).delete()

    assert _refusal(gql, checkout) == [
        (f"deliveryMethod.{seller_b.slug}", "DELIVERY_METHOD_REQUIRED")
    ]
    _unchanged(checkout, [variant_a, variant_b], [5, 3])


def test_a_variant_no_longer_published_is_refused_naming_the_line(gql, two_sellers):
    _, variant_a, _, variant_b = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 1), (variant_b, 1)])
    variant_b.product.status = ProductStatus.ARCHIVED
    variant_b.product.save()

    assert _refusal(gql, checkout) == [("lines.1", "VARIANT_NOT_AVAILABLE")]
    _unchanged(checkout, [variant_a, variant_b], [5, 3])


def test_ddp_no_longer_offered_is_refused(gql, two_sellers):
    _, variant_a, _, _ = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 1)], incoterm="DDP")

    assert _refusal(gql, checkout) == [("incoterm", "INCOTERM_NOT_OFFERED")]
    _unchanged(checkout, [variant_a], [5])


def test_a_currency_without_exchange_rate_is_refused(gql, two_sellers):
    _, variant_a, _, _ = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 1)], currency="USD")

    assert _refusal(gql, checkout) == [("currency", "NO_EXCHANGE_RATE")]
    _unchanged(checkout, [variant_a], [5])


def test_units_held_by_other_checkouts_make_the_line_out_of_stock(gql, two_sellers):
    _, variant_a, _, variant_b = two_sellers
    ready_checkout(lines=[(variant_b, 3)])
    checkout = ready_checkout(lines=[(variant_a, 1), (variant_b, 1)], reserve=False)

    assert _refusal(gql, checkout) == [("lines.1", "OUT_OF_STOCK")]
    checkout.refresh_from_db()
    assert (checkout.status, Order.objects.count(), _stock(variant_a, variant_b)) == (
        CheckoutStatus.ACTIVE,
        0,
        [5, 3],
    )


def test_more_than_is_left_is_refused_as_insufficient_stock(gql, two_sellers):
    _, variant_a, _, _ = two_sellers
    ready_checkout(lines=[(variant_a, 3)])
    checkout = ready_checkout(lines=[(variant_a, 3)], reserve=False)

    assert _refusal(gql, checkout) == [("lines.0", "INSUFFICIENT_STOCK")]
    assert (Order.objects.count(), _stock(variant_a)) == (0, [5])


def test_a_checkouts_own_reservation_counts_as_available_to_it(two_sellers):
    _, variant_a, _, _ = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 5)])

    checkout_complete(token=checkout.token, idempotency_key=key())

    assert _stock(variant_a) == [0]


def test_an_unknown_checkout_is_refused(gql, two_sellers):
    result = gql.execute(
        COMPLETE, {"token": "00000000-0000-0000-0000-000000000000", "key": "key-1"}
    )["checkoutComplete"]

    assert [(e["field"], e["code"]) for e in result["errors"]] == [("token", "NOT_FOUND")]


def test_an_empty_idempotency_key_is_refused(gql, two_sellers):
    _, variant_a, _, _ = two_sellers
    checkout = ready_checkout(lines=[(variant_a, 1)])

    result = _complete(gql, checkout, " ")

    assert [(e["field"], e["code"]) for e in result["errors"]] == [("idempotencyKey", "INVALID")]
    _unchanged(checkout, [variant_a], [5])
