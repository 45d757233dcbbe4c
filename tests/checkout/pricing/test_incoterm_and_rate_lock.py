"""Who pays duties (DAP or DDP, as offered) and locking the exchange rate once."""

from decimal import Decimal

import pytest

from market.checkout.models import Checkout
from market.checkout.pricing import checkout_incoterm_set, checkout_quote, checkout_rate_lock
from market.core.errors import DomainError
from tests.factories import carpet, checkout_with, duty_country, rate

pytestmark = pytest.mark.django_db


def _refused(code, checkout, incoterm):
    with pytest.raises(DomainError) as refused:
        checkout_incoterm_set(checkout=checkout, incoterm=incoterm)
    assert refused.value.code == code
    checkout.refresh_from_db()
    return checkout


def test_dap_is_always_allowed_for_an_export():
    checkout = checkout_with((carpet(), 1), country="JP")

    assert checkout_incoterm_set(checkout=checkout, incoterm="DAP").incoterm == "DAP"


def test_ddp_is_allowed_where_the_destination_offers_it():
    duty_country("DE", ddp=True)
    checkout = checkout_with((carpet(), 1), incoterm="DAP")

    checkout_incoterm_set(checkout=checkout, incoterm="DDP")

    assert Checkout.objects.get(pk=checkout.pk).incoterm == "DDP"


def test_ddp_is_refused_where_the_destination_does_not_offer_it():
    duty_country("TR", ddp=False)
    checkout = checkout_with((carpet(), 1), country="TR", incoterm="DAP")

    assert _refused("incoterm_not_offered", checkout, "DDP").incoterm == "DAP"


def test_ddp_is_refused_where_no_duty_table_exists():
    checkout = checkout_with((carpet(), 1), country="JP")

    assert _refused("incoterm_not_offered", checkout, "DDP").incoterm == ""


def test_a_delivery_at_home_takes_no_incoterm():
    checkout = checkout_with((carpet(), 1), currency="AZN", country="AZ")

    assert _refused("incoterm_not_offered", checkout, "DAP").incoterm == ""


def test_an_incoterm_needs_a_destination_first():
    checkout = checkout_with((carpet(), 1), country="")

    assert _refused("shipping_address_required", checkout, "DAP").incoterm == ""


def test_locking_stores_the_rate_in_force_and_prices_with_it_after_rates_move():
    old = rate("EUR", "1.9")
    checkout = checkout_with((carpet("300.00"), 1), country="")

    locked = checkout_rate_lock(checkout=checkout)
    rate("EUR", "2.0")

    assert (locked.exchange_rate, locked.exchange_rate_source, locked.exchange_rate_valid_at) == (
        Decimal("1.9"),
        "test",
        old.valid_at,
    )
    assert locked.rate_locked_at is not None
    assert checkout_quote(checkout=locked).subtotal == Decimal("157.89")
    assert checkout_quote(checkout=checkout).subtotal == Decimal("150.00")  # not yet locked


def test_locking_twice_keeps_the_first_rate():
    rate("EUR", "1.9")
    checkout = checkout_with((carpet(), 1))
    first = checkout_rate_lock(checkout=checkout)
    rate("EUR", "2.0")

    second = checkout_rate_lock(checkout=checkout)

    assert (second.exchange_rate, second.rate_locked_at) == (Decimal("1.9"), first.rate_locked_at)


def test_locking_a_base_currency_checkout_stores_rate_one():
    checkout = checkout_with((carpet(), 1), currency="AZN", country="AZ")

    locked = checkout_rate_lock(checkout=checkout)

    assert (locked.exchange_rate, locked.exchange_rate_source) == (Decimal(1), "base")
