"""When an order is paid: each seller hears of their part once, and parts going abroad get
their customs papers once (CN22 up to 300 SDR, CN23 and a commercial invoice above)."""

from decimal import Decimal

import pytest

from market.orders.models import CustomsDocument, OrderEvent
from tests.factories import ExchangeRateFactory
from tests.orders.fulfilment.helpers import maker, paid_order, part_of
from workers.app import app
from workers.fulfilment import order_paid

pytestmark = pytest.mark.django_db


def kinds(part) -> list[str]:
    return sorted(part.customs_documents.values_list("kind", flat=True))


def test_the_tasks_are_registered_under_their_contract_names():
    assert {"fulfilment.order_paid", "fulfilment.poll_tracking"} <= set(app.tasks)


def test_running_the_task_twice_notifies_each_seller_once_and_makes_one_set_of_papers(outbox):
    """Given a paid export order of two sellers, when the task runs twice, then each seller
    has exactly one e-mail and one seller_notified event, and each part one CN22."""
    vases, rugs = maker(price="100.00"), maker(price="50.00")
    order = paid_order((vases, 2), (rugs, 1))

    order_paid(order_id=order.pk)
    order_paid(order_id=order.pk)

    assert [len(outbox.to(seller.contact_email)) for seller in (vases, rugs)] == [1, 1]
    assert outbox[0]["subject"] == f"Order {order.number} is paid: please send your part"
    assert OrderEvent.objects.filter(order=order, kind="seller_notified").count() == 2
    assert kinds(part_of(order, vases)) == ["CN22"]
    assert kinds(part_of(order, rugs)) == ["CN22"]
    assert CustomsDocument.objects.count() == 2


def test_a_part_worth_exactly_300_sdr_travels_with_a_cn22(outbox):
    """1 SDR = 2.00 AZN: 600.00 AZN is exactly 300 SDR, the CN22's limit included."""
    seller = maker(price="600.00")
    order = paid_order((seller, 1))

    order_paid(order_id=order.pk)

    assert kinds(part_of(order, seller)) == ["CN22"]


def test_a_part_worth_a_cent_above_300_sdr_needs_a_cn23_and_a_commercial_invoice(outbox):
    seller = maker(price="600.01")
    order = paid_order((seller, 1))

    order_paid(order_id=order.pk)

    assert kinds(part_of(order, seller)) == ["CN23", "commercial_invoice"]


def test_a_stored_sdr_rate_takes_precedence_over_the_setting(outbox):
    """1 XDR = 2.50 AZN stored: 700.00 AZN is 280 SDR, a CN22 (the setting would say 350)."""
    ExchangeRateFactory(currency="XDR", rate=Decimal("2.5000"), source="cbar")
    seller = maker(price="700.00")
    order = paid_order((seller, 1))

    order_paid(order_id=order.pk)

    assert kinds(part_of(order, seller)) == ["CN22"]


def test_a_domestic_order_notifies_the_seller_and_needs_no_customs_papers(outbox):
    seller = maker(price="900.00")
    order = paid_order((seller, 1), country="AZ")

    order_paid(order_id=order.pk)

    assert len(outbox.to(seller.contact_email)) == 1
    assert CustomsDocument.objects.count() == 0


def test_an_unpaid_order_is_left_alone(outbox):
    from market.checkout.completion import checkout_complete
    from tests.factories import key, ready_checkout

    seller = maker()
    checkout = ready_checkout(lines=[(seller.products.get().variants.get(), 1)], currency="AZN")
    order = checkout_complete(token=checkout.token, idempotency_key=key())

    order_paid(order_id=order.pk)

    assert outbox == []
    assert CustomsDocument.objects.count() == 0
    assert not OrderEvent.objects.filter(kind="seller_notified").exists()


def pdf_text(document) -> bytes:
    """The raw (uncompressed) PDF, with the string escapes of its parentheses undone."""
    with document.file.open("rb") as pdf:
        return pdf.read().replace(b"\\(", b"(").replace(b"\\)", b")")


def test_the_cn22_lists_hs_codes_origin_weights_and_values(outbox):
    """Two vases of 850 g at 100.00 AZN each: 1.700 kg, 200.00 AZN, HS 691390, made in AZ."""
    seller = maker(price="100.00")
    order = paid_order((seller, 2))

    order_paid(order_id=order.pk)

    text = pdf_text(part_of(order, seller).customs_documents.get())
    assert text.startswith(b"%PDF")
    for expected in (
        b"CN 22 - Customs declaration",
        b"Sale of goods",
        b"Ceramic vase",
        b"691390",
        b"1.700",
        b"200.00",
        b"Total net weight: 1.700 kg",
        b"(100.00 SDR)",
        seller.name.encode(),
        b"Anna Schmidt",
        b"Berlin",
    ):
        assert expected in text, expected


def test_the_commercial_invoice_names_seller_buyer_number_currency_and_incoterm(outbox):
    seller = maker(price="700.00", slug="kiln-studio", origin_country="TR")
    order = paid_order((seller, 1))

    order_paid(order_id=order.pk)

    text = pdf_text(part_of(order, seller).customs_documents.get(kind="commercial_invoice"))
    for expected in (
        b"Commercial invoice",
        b"Seller (exporter)",
        b"Buyer (consignee)",
        f"Invoice number: {order.number}-kiln-studio".encode(),
        b"Currency: AZN    Incoterm: DAP",
        b"691390",
        b"TR",
        b"0.850",
        b"700.00",
    ):
        assert expected in text, expected


def test_azerbaijani_letters_outside_the_pdf_fonts_are_transliterated(outbox):
    seller = maker()
    type(seller).objects.filter(pk=seller.pk).update(name="Şəki Keramika", city="Şəki")
    order = paid_order((seller, 1))

    order_paid(order_id=order.pk)

    text = pdf_text(part_of(order, seller).customs_documents.get())
    assert b"From (sender)" in text
    assert b"Saki Keramika" in text
