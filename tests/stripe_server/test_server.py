"""The local Stripe server behaves like Stripe for what we use, as seen by the real SDK."""

import json

import pytest
import stripe

from market.payments.stripe_client import stripe_client
from tests.stripe_server import refunds
from tests.stripe_server.server import decode_form
from tests.stripe_server.signing import stripe_signature

pytestmark = pytest.mark.django_db

ACCOUNT = {
    "type": "express",
    "country": "DE",
    "capabilities": {"transfers": {"requested": True}},
    "metadata": {"seller_id": "7"},
}


def test_our_webhook_signature_is_what_the_sdk_computes_and_accepts():
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "account.updated"})

    header = stripe_signature(payload, "whsec_test", timestamp=1_700_000_000)

    assert header == stripe.WebhookSignature.generate_signature_header(
        payload, "whsec_test", timestamp=1_700_000_000
    )
    assert stripe.WebhookSignature.verify_header(payload, header, "whsec_test", tolerance=None)


def test_nested_form_keys_decode_into_dicts_and_lists():
    body = (
        "capabilities%5Btransfers%5D%5Brequested%5D=true&metadata%5Bseller_id%5D=7"
        "&expand%5B0%5D=a&expand%5B1%5D=b&type=express"
    )

    assert decode_form(body) == {
        "capabilities": {"transfers": {"requested": "true"}},
        "metadata": {"seller_id": "7"},
        "expand": ["a", "b"],
        "type": "express",
    }


def test_an_account_created_through_the_sdk_can_be_retrieved(stripe_server):
    client = stripe_client()

    created = client.v1.accounts.create(params=ACCOUNT)

    fetched = client.v1.accounts.retrieve(created.id)
    assert fetched.id == created.id
    assert fetched.type == "express"
    assert fetched.country == "DE"
    assert fetched.capabilities.transfers == "inactive"
    assert fetched.metadata.seller_id == "7"


def test_the_same_idempotency_key_and_parameters_replay_the_first_answer(stripe_server):
    client = stripe_client()

    first = client.v1.accounts.create(params=ACCOUNT, options={"idempotency_key": "k-1"})
    second = client.v1.accounts.create(params=ACCOUNT, options={"idempotency_key": "k-1"})

    assert second.id == first.id
    assert len(stripe_server.accounts) == 1
    assert [c.replayed for c in stripe_server.calls_to("POST", "/v1/accounts")] == [False, True]


def test_the_same_idempotency_key_with_other_parameters_is_an_idempotency_error(stripe_server):
    client = stripe_client()
    client.v1.accounts.create(params=ACCOUNT, options={"idempotency_key": "k-1"})

    with pytest.raises(stripe.IdempotencyError) as refused:
        client.v1.accounts.create(
            params={**ACCOUNT, "country": "FR"}, options={"idempotency_key": "k-1"}
        )

    assert "same parameters" in refused.value.user_message
    assert len(stripe_server.accounts) == 1


def test_a_wrong_secret_key_is_refused(stripe_server, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_wrong"

    with pytest.raises(stripe.AuthenticationError):
        stripe_client().v1.accounts.create(params=ACCOUNT)

    assert stripe_server.accounts == {}


def test_an_unknown_account_is_a_resource_missing_error(stripe_server):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client().v1.accounts.retrieve("acct_nope")

    assert refused.value.http_status == 404
    assert refused.value.code == "resource_missing"


def test_an_account_link_for_an_unknown_account_is_refused(stripe_server):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client().v1.account_links.create(
            params={
                "account": "acct_nope",
                "type": "account_onboarding",
                "refresh_url": "http://x/r",
                "return_url": "http://x/d",
            }
        )

    assert refused.value.param == "account"


def test_pending_refund_card_refunds_start_pending_and_a_failed_one_frees_its_amount(stripe_server):
    client = stripe_client()
    intent = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "eur",
            "confirm": True,
            "payment_method": refunds.PENDING_REFUND,
        }
    )

    pending = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1000})
    refunds.refund_update(stripe_server, pending.id, "failed")
    again = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1000})

    assert (intent.status, pending.status, again.status) == ("succeeded", "pending", "pending")
    assert stripe_server.state.refunds[pending.id]["failure_reason"] == "expired_or_canceled_card"
    with pytest.raises(ValueError):
        refunds.refund_update(stripe_server, pending.id, "succeeded")


def test_transfers_are_listed_newest_first_a_page_at_a_time_and_by_destination(stripe_server):
    client = stripe_client()
    for account in ("acct_a", "acct_b"):
        stripe_server.accounts[account] = {"id": account, "object": "account"}
    made = [
        client.v1.transfers.create(
            params={"amount": 100 + i, "currency": "eur", "destination": destination}
        ).id
        for i, destination in enumerate(["acct_a", "acct_b", "acct_a"])
    ]

    first = client.v1.transfers.list(params={"limit": 2})
    rest = client.v1.transfers.list(params={"limit": 2, "starting_after": first.data[-1].id})
    to_a = client.v1.transfers.list(params={"destination": "acct_a"})

    assert ([t.id for t in first.data], first.has_more) == ([made[2], made[1]], True)
    assert ([t.id for t in rest.data], rest.has_more) == ([made[0]], False)
    assert [t.id for t in to_a.data] == [made[2], made[0]]


def test_the_server_runs_as_a_process_of_its_own(tmp_path):
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.stripe_server", "--port", str(port)]
        + ["--api-key", "sk_test_alone", "--account", "acct_ready"],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip().endswith(f"127.0.0.1:{port}")
        client = stripe.StripeClient(
            "sk_test_alone", base_addresses={"api": f"http://127.0.0.1:{port}"}
        )
        transfer = client.v1.transfers.create(
            params={"amount": 500, "currency": "eur", "destination": "acct_ready"}
        )
        listed = client.v1.transfers.list()
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert [t.id for t in listed.data] == [transfer.id]
    assert process.returncode == 0
