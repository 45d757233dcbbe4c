"""Racing completions, for real, with threads on PostgreSQL."""

import pytest

from market.catalog.models import ProductVariant
from market.checkout.completion import checkout_complete
from market.checkout.models import Checkout, CheckoutStatus
from market.orders.models import Order
from tests.concurrency import domain_outcomes, race
from tests.factories import UserFactory, euro_rate, ready_checkout, seller_with_variant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _completion(checkout, key):
    return lambda: checkout_complete(token=checkout.token, idempotency_key=key)


def test_eight_buyers_racing_for_the_last_unit_make_exactly_one_order():
    euro_rate()
    _, variant = seller_with_variant(stock=1)
    # No reservations: every checkout gets as far as completion and the row lock decides.
    checkouts = [
        ready_checkout(lines=[(variant, 1)], user=UserFactory(), reserve=False) for _ in range(8)
    ]

    outcomes = domain_outcomes(
        race(*(_completion(c, f"buyer-{i}") for i, c in enumerate(checkouts)))
    )

    orders = [o for o in outcomes if isinstance(o, Order)]
    assert len(orders) == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["out_of_stock"] * 7
    assert Order.objects.count() == 1
    assert ProductVariant.objects.get(pk=variant.pk).stock_quantity == 0
    assert Checkout.objects.filter(status=CheckoutStatus.ACTIVE).count() == 7


def test_a_checkout_completed_twice_at_once_with_one_key_answers_both_with_one_order():
    """The twin waits on the checkout's row lock, finds it completed under its own key and
    answers with that order."""
    euro_rate()
    _, variant = seller_with_variant(stock=3)
    checkout = ready_checkout(lines=[(variant, 1)])

    outcomes = domain_outcomes(
        race(_completion(checkout, "same-key"), _completion(checkout, "same-key"))
    )

    assert [type(o) for o in outcomes] == [Order, Order]
    assert outcomes[0].pk == outcomes[1].pk
    assert Order.objects.count() == 1
    assert ProductVariant.objects.get(pk=variant.pk).stock_quantity == 2


def test_a_checkout_completed_twice_at_once_with_two_keys_makes_one_order():
    euro_rate()
    _, variant = seller_with_variant(stock=3)
    checkout = ready_checkout(lines=[(variant, 1)])

    outcomes = domain_outcomes(race(_completion(checkout, "key-a"), _completion(checkout, "key-b")))

    assert sorted(type(o).__name__ for o in outcomes) == ["Order", "str"]
    assert [o for o in outcomes if isinstance(o, str)] == ["already_completed"]
    assert Order.objects.count() == 1
    assert ProductVariant.objects.get(pk=variant.pk).stock_quantity == 2


def test_checkouts_taking_the_same_variants_in_opposite_orders_do_not_deadlock():
    euro_rate()
    _, first = seller_with_variant(stock=10)
    _, second = seller_with_variant(stock=10)
    checkouts = [
        ready_checkout(lines=[(first, 1), (second, 1)])
        if i % 2
        else ready_checkout(lines=[(second, 1), (first, 1)])
        for i in range(6)
    ]

    outcomes = domain_outcomes(race(*(_completion(c, f"k-{i}") for i, c in enumerate(checkouts))))

    assert [type(o) for o in outcomes] == [Order] * 6
    assert list(
        ProductVariant.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "stock_quantity", flat=True
        )
    ) == [4, 4]
