"""Whatever the lines, currencies and incoterm: parts add up to the totals to the minor unit,
and total = subtotal + shipping + duties."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from market.checkout.pricing import checkout_quote
from market.core.money import currency_precision
from tests.factories import (
    SellerFactory,
    carpet,
    checkout_with,
    duty_country,
    rate,
    shipping_method,
)

pytestmark = pytest.mark.django_db

RATES = {"AZN": None, "EUR": "1.9137", "USD": "1.7", "JPY": "0.01131", "GBP": "2.2391"}
lines = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),  # seller
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("4000"), places=2),
        st.integers(min_value=1, max_value=5),  # quantity
        st.sampled_from([None, 150, 1200, 2600]),  # weight
        st.sampled_from(["570110", "711319", "691390", ""]),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=lines,
    currency=st.sampled_from(sorted(RATES)),
    country=st.sampled_from(["DE", "AZ"]),
    incoterm=st.sampled_from(["", "DAP", "DDP"]),
)
def test_parts_add_up_to_the_totals(lines, currency, country, incoterm):
    with transaction.atomic():
        for code, value in RATES.items():
            if value:
                rate(code, value)
        duty_country("DE", chapters={"57": "8", "71": "2.5"})
        method = shipping_method(
            countries=["DE", "AZ"], bands=[(1000, "35.00"), (5000, "80.25"), (100000, "999.99")]
        )
        sellers = [SellerFactory() for _ in range(3)]
        variants = [
            (carpet(price, weight=weight, hs_code=hs, seller=sellers[seller]), qty)
            for seller, price, qty, weight, hs in lines
        ]
        checkout = checkout_with(
            *variants,
            currency=currency,
            country=country,
            incoterm="" if country == "AZ" else incoterm,
            deliveries=[method] * len(variants),
        )

        quote = checkout_quote(checkout=checkout)

        exponent = -currency_precision(currency)
        for name in ("subtotal", "shipping", "vat", "duties", "duties_estimate", "total"):
            assert getattr(quote, name) == sum(getattr(p, name) for p in quote.parts), name
            assert getattr(quote, name).as_tuple().exponent == exponent, name
        for part in quote.parts:
            assert part.subtotal == sum(line.total for line in part.lines)
            assert part.total == part.subtotal + part.shipping + part.duties
            assert part.shipping_method == method
        assert quote.total == quote.subtotal + quote.shipping + quote.duties
        assert quote.duties == 0 or quote.duties_estimate == 0
        transaction.set_rollback(True)
