"""The local Stripe server's transfers, spoken to with the real SDK."""

import pytest
import stripe

from market.payments.stripe_client import stripe_client


@pytest.fixture
def destination(stripe_server):
    stripe_server.accounts["acct_dest"] = {"id": "acct_dest", "object": "account"}
    return "acct_dest"


def test_a_transfer_can_be_read_back(stripe_server, destination):
    client = stripe_client()
    made = client.v1.transfers.create(
        params={
            "amount": 1500,
            "currency": "eur",
            "destination": destination,
            "transfer_group": "ORDER-1",
            "source_transaction": "ch_1",
        }
    )

    read = client.v1.transfers.retrieve(made.id)

    assert (
        read.id,
        read.amount,
        read.currency,
        read.destination,
        read.transfer_group,
        read.source_transaction,
    ) == (made.id, 1500, "eur", destination, "ORDER-1", "ch_1")


def test_a_transfer_can_be_reversed_up_to_its_amount(stripe_server, destination):
    client = stripe_client()
    transfer = client.v1.transfers.create(
        params={"amount": 1500, "currency": "eur", "destination": destination}
    )

    client.v1.transfers.reversals.create(transfer.id, params={"amount": 1000})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.transfers.reversals.create(transfer.id, params={"amount": 600})
    reversed_ = client.v1.transfers.reversals.create(transfer.id)

    assert reversed_.amount == 500
    assert stripe_server.transfers[transfer.id]["reversed"] is True


def test_a_transfer_to_an_unknown_account_is_refused(stripe_server):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client().v1.transfers.create(
            params={"amount": 100, "currency": "eur", "destination": "acct_nobody"}
        )

    assert refused.value.param == "destination"
    assert stripe_server.transfers == {}
