import pytest

from tests.payments.helpers import PAYMENT_CREATE, unpaid_order

pytestmark = pytest.mark.django_db


def test_a_guest_sees_the_declined_and_the_successful_attempt_on_their_order(
    gql, django_capture_on_commit_callbacks
):
    order = unpaid_order()
    with django_capture_on_commit_callbacks():
        for card, key in (("4000000000000002", "try-1"), ("4242424242424242", "try-2")):
            gql.execute(
                PAYMENT_CREATE,
                {
                    "orderToken": str(order.token),
                    "gateway": "dummy",
                    "card": card,
                    "idempotencyKey": key,
                },
            )

    data = gql.execute(
        "query($t: UUID!) { orderByToken(token: $t) { status "
        "payments { status declineCode amount { amount currency } } } }",
        {"t": str(order.token)},
    )["orderByToken"]

    assert data["status"] == "PAID"
    assert data["payments"] == [
        {
            "status": "SUCCEEDED",
            "declineCode": None,
            "amount": {"amount": "60.00", "currency": "EUR"},
        },
        {
            "status": "FAILED",
            "declineCode": "card_declined",
            "amount": {"amount": "60.00", "currency": "EUR"},
        },
    ]
