"""Refunds through Stripe with the real SDK against the local server: the refund request,
transfer reversals when the seller was paid already, and ``charge.refunded`` reconciliation."""

from decimal import Decimal

import pytest
from celery import current_app
from django.utils import timezone

from market.ledger.models import LedgerEntry
from market.ledger.selectors import seller_balance
from market.payments.models import Refund, StripeEvent
from market.payments.refunds import refund_send
from market.payments.stripe_inbox import stripe_event_process
from market.payouts.models import Payout
from market.payouts.paying import payout_execute, payouts_create_due
from tests.factories import card_paid_part
from tests.payments.refunds.helpers import order_manager, order_status, refund_asked, refund_made
from tests.payouts.worker.helpers import delivered, ready_stripe_account
from tests.stripe_server import refunds as stripe_refunds
from tests.stripe_server.server import webhook_event
from tests.tasks import worker_inline

pytestmark = pytest.mark.django_db

REFUNDS = "/v1/refunds"


def refund(part, amount=None, key="r-1"):
    return refund_made(
        part=part,
        amount=None if amount is None else Decimal(amount),
        reason="Arrived broken",
        idempotency_key=key,
        actor=order_manager(),
        by_order_manager=True,
    )


def intent_of(part):
    return part.order.payments.get().provider_id


def test_a_refund_asks_stripe_in_minor_units_with_a_key_derived_from_the_refund(stripe_gateway):
    part = card_paid_part(card="pm_card_visa")

    made = refund(part, "12.34")

    [call] = stripe_gateway.calls_to("POST", REFUNDS)
    assert call.params == {
        "payment_intent": intent_of(part),
        "amount": "1234",
        "metadata": {"refund_id": str(made.pk), "order_part_id": str(part.pk)},
    }
    assert call.idempotency_key == f"refund-{made.pk}"
    [stripe_refund] = stripe_gateway.state.refunds.values()
    assert (made.status, made.provider_id) == ("succeeded", stripe_refund["id"])


def test_five_identical_requests_make_one_stripe_refund(stripe_gateway):
    part = card_paid_part(card="pm_card_visa")

    made = {refund(part, "10.00", key="same").pk for _ in range(5)}

    assert len(made) == 1
    assert len(stripe_gateway.calls_to("POST", REFUNDS)) == 1
    assert len(stripe_gateway.state.refunds) == 1


def test_a_lost_answer_is_retried_by_the_sdk_with_the_same_key_and_refunds_once(stripe_gateway):
    part = card_paid_part(card="pm_card_visa")
    stripe_gateway.drop_next_response(REFUNDS)

    made = refund(part, "10.00")

    calls = stripe_gateway.calls_to("POST", REFUNDS)
    assert [c.idempotency_key for c in calls] == [f"refund-{made.pk}"] * 2
    assert (made.status, len(stripe_gateway.state.refunds)) == ("succeeded", 1)


def test_the_refund_is_answered_pending_and_sent_by_the_worker_after_the_commit(stripe_gateway):
    part = card_paid_part(card="pm_card_visa")

    with worker_inline():
        asked = refund_asked(part)
        # when the request answers, nothing has been sent yet
        assert (asked.status, stripe_gateway.calls_to("POST", REFUNDS)) == ("pending", [])

    asked.refresh_from_db()
    assert (asked.status, asked.attempts) == ("succeeded", 1)
    assert len(stripe_gateway.state.refunds) == 1


def test_the_send_task_run_twice_sends_the_refund_once(stripe_gateway):
    part = card_paid_part(card="pm_card_visa")
    made = refund(part, "10.00")

    current_app.tasks["payments.send_refund"].apply(kwargs={"refund_id": made.pk}).get()

    made.refresh_from_db()
    assert (made.status, made.attempts) == ("succeeded", 1)
    assert len(stripe_gateway.calls_to("POST", REFUNDS)) == 1
    assert len(stripe_gateway.state.refunds) == 1
    assert LedgerEntry.objects.filter(kind="refund").count() == 2


def test_a_refund_being_sent_by_another_worker_is_not_sent_again(stripe_gateway):
    part = card_paid_part(card="pm_card_visa")
    pending = refund_asked(part)
    Refund.objects.filter(pk=pending.pk).update(sending_since=timezone.now(), attempts=1)

    assert refund_send(refund_id=pending.pk).status == "pending"
    assert stripe_gateway.calls_to("POST", REFUNDS) == []


def test_stripe_rate_limiting_once_is_retried_by_the_task_with_the_same_key_and_refunds_once(
    stripe_gateway,
):
    part = card_paid_part(card="pm_card_visa")
    # The SDK does not retry a 429 itself: the task does, with backoff.
    stripe_gateway.fail_next_request(
        REFUNDS, 429, "Too many requests", type="invalid_request_error", code="rate_limit"
    )

    made = refund(part, "10.00")

    calls = stripe_gateway.calls_to("POST", REFUNDS)
    assert [c.idempotency_key for c in calls] == [f"refund-{made.pk}"] * 2
    assert (made.status, made.attempts, len(stripe_gateway.state.refunds)) == ("succeeded", 2, 1)
    assert LedgerEntry.objects.filter(kind="refund").count() == 2


def test_stripe_down_for_a_whole_attempt_is_retried_by_the_task_and_refunds_once(stripe_gateway):
    part = card_paid_part(card="pm_card_visa")
    # The SDK's first try and both its retries: the task's first attempt gives up.
    stripe_gateway.fail_next_request(REFUNDS, 503, "Stripe is down", type="api_error", times=3)

    made = refund(part, "10.00")

    assert {c.idempotency_key for c in stripe_gateway.calls_to("POST", REFUNDS)} == {
        f"refund-{made.pk}"
    }
    assert (made.status, made.attempts, len(stripe_gateway.state.refunds)) == ("succeeded", 2, 1)


def test_a_refund_stripe_never_answers_fails_after_the_last_attempt(stripe_gateway, settings):
    settings.REFUND_MAX_ATTEMPTS = 2
    part = card_paid_part(card="pm_card_visa")
    stripe_gateway.fail_next_request(REFUNDS, 503, "Stripe is down", type="api_error", times=6)

    made = refund(part, "10.00")

    assert (made.status, made.attempts, stripe_gateway.state.refunds) == ("failed", 2, {})
    assert made.failure_message.startswith("The payment provider did not answer after 2 attempts")
    assert not LedgerEntry.objects.filter(kind="refund").exists()


def test_a_refund_stripe_refuses_fails_and_frees_the_amount(stripe_gateway):
    part = card_paid_part(card="pm_card_visa")
    stripe_gateway.fail_next_request(REFUNDS, 400, "Charge already refunded")

    failed = refund(part, "10.00", key="first")

    assert (failed.status, failed.failure_message) == ("failed", "Charge already refunded")
    assert len(stripe_gateway.calls_to("POST", REFUNDS)) == 1
    assert not LedgerEntry.objects.filter(kind="refund").exists()
    assert refund(part, key="second").amount == Decimal("60.00")


@pytest.fixture
def paid_out_part(stripe_gateway):
    """A part paid in EUR (1 EUR = 2 AZN) to a seller in Germany, paid out by a Stripe transfer
    of 55.00 EUR (110.00 AZN)."""
    part = delivered(card_paid_part(card="pm_card_visa", country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_gateway)
    payouts_create_due()
    payout_execute(payout_id=Payout.objects.get().pk)
    return part


def test_a_refund_after_the_payout_reverses_the_sellers_share_of_the_transfer(
    stripe_gateway, paid_out_part
):
    made = refund(paid_out_part, "30.00")

    [transfer] = stripe_gateway.transfers.values()
    [reversal] = transfer["reversals"]["data"]
    assert (transfer["amount"], reversal["amount"]) == (5500, 2750)
    [call] = stripe_gateway.calls_to("POST", f"/v1/transfers/{transfer['id']}/reversals")
    assert call.idempotency_key == f"refund-{made.pk}-reversal"
    entry = LedgerEntry.objects.get(kind="reversal")
    assert (entry.amount, entry.amount_order, entry.reference) == (
        Decimal("55.00"),
        Decimal("27.50"),
        reversal["id"],
    )
    # Paid 110.00, refunded 55.00 of it, took 55.00 back: even.
    assert seller_balance(seller=paid_out_part.seller) == Decimal("0.00")


def test_a_retried_reversal_makes_one_reversal_even_when_its_answer_was_lost(
    stripe_gateway, paid_out_part
):
    [transfer] = stripe_gateway.transfers.values()
    path = f"/v1/transfers/{transfer['id']}/reversals"
    # Stripe is down for the SDK's first try and both retries; on the task's next attempt the
    # answer is lost once after Stripe reversed (the SDK retries with the same key).
    stripe_gateway.fail_next_request(path, 503, "Stripe is down", type="api_error", times=3)
    stripe_gateway.drop_next_response(path)

    first = refund(paid_out_part, key="same")
    for _ in range(3):
        refund(paid_out_part, key="same")

    assert [r["amount"] for r in transfer["reversals"]["data"]] == [5500]
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1
    assert {c.idempotency_key for c in stripe_gateway.calls_to("POST", path)} == {
        f"refund-{first.pk}-reversal"
    }
    assert order_status(paid_out_part) == ("refunded", "refunded")


def test_a_refund_before_the_payout_is_netted_from_it(stripe_gateway):
    part = delivered(card_paid_part(card="pm_card_visa", country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_gateway)

    refund(part, "30.00")
    payouts_create_due()

    assert Payout.objects.get().amount == Decimal("55.00")
    assert not stripe_gateway.transfers


def charge_refunded(server, part, event_id):
    payload = webhook_event(
        "charge.refunded", stripe_refunds.charge_refunded_object(server, intent_of(part))
    )
    payload["id"] = event_id
    StripeEvent.objects.create(
        event_id=event_id, type="charge.refunded", payload=payload, created="2026-01-01T00:00:00Z"
    )
    return stripe_event_process(event_id=event_id)


def test_a_dashboard_refund_is_recorded_once_from_charge_refunded(stripe_gateway):
    part = card_paid_part(card="pm_card_visa")
    stripe_refunds.dashboard_refund(stripe_gateway, intent_of(part), 2000)

    statuses = [charge_refunded(stripe_gateway, part, f"evt_{i}").status for i in range(3)]

    assert statuses == ["processed", "ignored", "ignored"]
    [made] = Refund.objects.all()
    assert (made.source, made.status, made.amount) == ("stripe", "succeeded", Decimal("20.00"))
    assert LedgerEntry.objects.filter(kind="refund").count() == 2


def test_charge_refunded_for_our_own_refund_does_not_double_it(stripe_gateway):
    part = card_paid_part(card="pm_card_visa")
    refund(part, "10.00")

    event = charge_refunded(stripe_gateway, part, "evt_ours")

    assert event.status == "ignored"
    assert Refund.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="refund").count() == 2


def test_charge_refunded_finishes_our_refund_whose_answer_never_came(stripe_gateway):
    part = card_paid_part(card="pm_card_visa")
    # Its worker's message was lost on the way, after Stripe made the refund.
    pending = refund_asked(part)
    # Stripe made it after all (as our metadata shows); only the webhook tells us.
    with stripe_gateway.lock:
        stripe_refunds.create(
            stripe_gateway,
            {
                "payment_intent": intent_of(part),
                "amount": "1000",
                "metadata": {"refund_id": str(pending.pk)},
            },
        )

    event = charge_refunded(stripe_gateway, part, "evt_late")

    pending.refresh_from_db()
    assert (event.status, pending.status) == ("processed", "succeeded")
    assert Refund.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="refund").count() == 2


def test_a_dashboard_refund_after_the_payout_reverses_the_transfer_after_commit(
    stripe_gateway, paid_out_part
):
    stripe_refunds.dashboard_refund(stripe_gateway, intent_of(paid_out_part), 6000)

    with worker_inline():
        charge_refunded(stripe_gateway, paid_out_part, "evt_dashboard")
        assert (
            stripe_gateway.transfers[next(iter(stripe_gateway.transfers))]["amount_reversed"] == 0
        )

    [transfer] = stripe_gateway.transfers.values()
    assert transfer["amount_reversed"] == 5500
    assert seller_balance(seller=paid_out_part.seller) == Decimal("0.00")
    assert order_status(paid_out_part) == ("refunded", "refunded")


def test_a_refund_while_the_transfer_is_in_flight_is_reversed_once_the_payout_is_paid(
    stripe_gateway, monkeypatch
):
    # given a due Stripe payout of 55.00 EUR whose transfer is being made when the buyer is
    # refunded 30.00 EUR (the refund finds no transfer to reverse yet)
    from market.payouts.routes import StripeConnectRoute

    part = delivered(card_paid_part(card="pm_card_visa", country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_gateway)
    payouts_create_due()
    pay = StripeConnectRoute.pay
    refunds_made = []

    def pay_while_refunded(route, payout):
        refunds_made.append(refund(part, "30.00"))
        assert not LedgerEntry.objects.filter(kind="reversal").exists()
        return pay(route, payout)

    monkeypatch.setattr(StripeConnectRoute, "pay", pay_while_refunded)

    # when the payout is paid
    payout = payout_execute(payout_id=Payout.objects.get().pk)

    # then the seller's share of the refund is taken back from the transfer, once
    assert payout.status == "paid"
    [transfer] = stripe_gateway.transfers.values()
    assert [r["amount"] for r in transfer["reversals"]["data"]] == [2750]
    entry = LedgerEntry.objects.get(kind="reversal")
    assert entry.key == f"reversal:refund:{refunds_made[0].pk}"
    assert seller_balance(seller=part.seller) == Decimal("0.00")


def test_a_refund_netted_from_the_payout_is_not_reversed_again(stripe_gateway):
    part = delivered(card_paid_part(card="pm_card_visa", country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_gateway)
    refund(part, "30.00")
    payouts_create_due()

    payout_execute(payout_id=Payout.objects.get().pk)

    [transfer] = stripe_gateway.transfers.values()
    assert (transfer["amount"], transfer["reversals"]["data"]) == (2750, [])
    assert not LedgerEntry.objects.filter(kind="reversal").exists()
    assert seller_balance(seller=part.seller) == Decimal("0.00")
