"""A Stripe refund's later news: ``charge.refund.updated`` and the ``refund.*`` events move a
pending refund to succeeded or failed, once and never backwards, and a refund that fails after
it succeeded is undone once (the ledger by new entries, the part's status, the balances)."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models import Sum
from django.test import Client

from market.ledger.models import LedgerEntry
from market.ledger.selectors import part_payable, platform_balance, seller_balance
from market.orders.models import OrderEvent
from market.payments.models import Refund, RefundEvent, StripeEvent
from market.payments.refunds import part_refundable
from market.payments.stripe_inbox import stripe_event_process
from market.payouts.models import Payout
from market.payouts.paying import payout_execute, payouts_create_due
from tests.factories import card_paid_part
from tests.payments.refunds.helpers import balances, order_manager, order_status, refund_made
from tests.payouts.worker.helpers import delivered, ready_stripe_account, verified_bank_account
from tests.stripe_server import refunds as stripe_refunds
from tests.stripe_server.server import webhook_event
from tests.stripe_server.signing import post_webhook

pytestmark = pytest.mark.django_db

PENDING_REFUND, REFUND_FAILS = stripe_refunds.PENDING_REFUND, stripe_refunds.REFUND_FAILS


def refund(part, amount=None, key="r-1"):
    return refund_made(
        part=part,
        amount=None if amount is None else Decimal(amount),
        reason="Arrived broken",
        idempotency_key=key,
        actor=order_manager(),
        by_order_manager=True,
    )


def deliver(event: dict) -> StripeEvent:
    """Post the event to the webhook endpoint, signed, then let the worker process it."""
    response = post_webhook(Client(), event, secret=settings.STRIPE_WEBHOOK_SECRET)
    assert response.status_code == 200, response.content
    return stripe_event_process(event_id=event["id"])


def news(server, made: Refund, type: str = "charge.refund.updated", **kwargs) -> dict:
    return stripe_refunds.refund_event(server, made.provider_id, type, **kwargs)


def refund_rows(part) -> dict[str, Decimal]:
    """The part's refund entries per reference kind: what was refunded and what was undone."""
    sums = {}
    for reference, amount in LedgerEntry.objects.filter(order_part=part, kind="refund").values_list(
        "reference", "amount"
    ):
        kind = reference.split(":")[0]
        sums[kind] = sums.get(kind, Decimal(0)) + amount
    return sums


def order_ledger_total(part) -> Decimal:
    """What the ledger says the buyer paid and kept paid for the order, in its currency."""
    return (
        LedgerEntry.objects.filter(order_id=part.order_id)
        .exclude(kind__in=["payout", "reversal"])
        .aggregate(t=Sum("amount_order"))["t"]
    )


def status_of(refund_row: Refund) -> str:
    return Refund.objects.values_list("status", flat=True).get(pk=refund_row.pk)


# --- pending → succeeded / failed -------------------------------------------------------------


def test_a_pending_refund_succeeds_when_charge_refund_updated_says_so(stripe_gateway):
    part = card_paid_part(card=PENDING_REFUND)
    before = balances(part)
    made = refund(part, "30.00")
    assert (made.status, refund_rows(part), balances(part)) == ("pending", {}, before)
    assert part_refundable(part=part) == Decimal("30.00")

    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "succeeded")
    event = deliver(news(stripe_gateway, made, previous={"status": "pending"}))

    assert (event.status, status_of(made)) == ("processed", "succeeded")
    # 30.00 EUR = 60.00 AZN back from the seller (55.00) and the platform (5.00).
    assert balances(part) == (before[0] - Decimal("55.00"), before[1] - Decimal("5.00"))
    assert (
        RefundEvent.objects.get(refund=made, to_status="succeeded").stripe_event_id
        == event.event_id
    )


def test_a_pending_refund_that_fails_records_nothing_and_frees_its_amount(stripe_gateway):
    part = card_paid_part(card=PENDING_REFUND)
    before = balances(part)
    made = refund(part, "30.00")

    stripe_refunds.refund_update(
        stripe_gateway, made.provider_id, "failed", failure_reason="lost_or_stolen_card"
    )
    event = deliver(news(stripe_gateway, made, "refund.failed"))

    made.refresh_from_db()
    assert (event.status, made.status) == ("processed", "failed")
    assert made.failure_message == "The refund failed at Stripe (lost_or_stolen_card)."
    assert (refund_rows(part), balances(part)) == ({}, before)
    assert order_status(part) == ("paid", "paid")
    assert part_refundable(part=part) == Decimal("60.00")


def test_a_cancelled_pending_refund_fails_too(stripe_gateway):
    part = card_paid_part(card=PENDING_REFUND)
    made = refund(part, "30.00")

    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "canceled")
    deliver(news(stripe_gateway, made, "refund.updated"))

    made.refresh_from_db()
    assert (made.status, made.failure_message) == (
        "failed",
        "Stripe cancelled the refund (merchant_request).",
    )
    assert part_refundable(part=part) == Decimal("60.00")


def test_a_pending_refund_stays_pending_while_stripe_says_pending(stripe_gateway):
    part = card_paid_part(card=PENDING_REFUND)
    made = refund(part, "30.00")

    event = deliver(news(stripe_gateway, made, "refund.created"))

    assert (event.status, status_of(made)) == ("ignored", "pending")


# --- a success that fails later -------------------------------------------------------------


def test_a_refund_that_fails_after_it_succeeded_is_undone_by_new_ledger_entries(stripe_gateway):
    part = card_paid_part(card=REFUND_FAILS)
    before = balances(part)
    made = refund(part)
    assert (made.status, order_status(part)) == ("succeeded", ("refunded", "refunded"))
    written = list(LedgerEntry.objects.values_list("pk", "key", "amount", "amount_order"))

    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "failed")
    event = deliver(news(stripe_gateway, made, previous={"status": "succeeded"}))

    made.refresh_from_db()
    assert (event.status, made.status) == ("processed", "failed")
    # Append-only: every entry written before is still there as it was.
    assert (
        list(
            LedgerEntry.objects.filter(pk__in=[w[0] for w in written])
            .order_by("pk")
            .values_list("pk", "key", "amount", "amount_order")
        )
        == written
    )
    assert refund_rows(part) == {"refund": Decimal("-120.00"), "refund-undone": Decimal("120.00")}
    assert balances(part) == before
    assert order_ledger_total(part) == part.order.total_amount
    assert part_payable(part=part) == Decimal("110.00")
    assert part_refundable(part=part) == Decimal("60.00")
    # The part and the order go back to where they were, with an event saying why.
    assert order_status(part) == ("paid", "paid")
    undone = OrderEvent.objects.get(part=part, kind="refund_undone")
    assert (undone.from_status, undone.to_status) == ("refunded", "paid")
    assert made.attention == ""


def test_a_partly_refunded_part_can_be_refunded_in_full_after_a_failed_refund(stripe_gateway):
    part = card_paid_part(card=REFUND_FAILS)
    before = balances(part)
    failed = refund(part, "30.00", key="first")
    stripe_refunds.refund_update(stripe_gateway, failed.provider_id, "failed")
    deliver(news(stripe_gateway, failed))

    again = refund(part, key="second")

    assert (again.status, again.amount) == ("succeeded", Decimal("60.00"))
    # Everything the part brought in went back: the part nets to zero on both sides.
    assert balances(part) == (before[0] - Decimal("110.00"), before[1] - Decimal("10.00"))
    assert order_ledger_total(part) == Decimal("0.00")
    assert order_status(part) == ("refunded", "refunded")


def test_the_same_failure_five_times_undoes_the_refund_once(stripe_gateway):
    part = card_paid_part(card=REFUND_FAILS)
    before = balances(part)
    made = refund(part, "30.00")
    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "failed")
    event = news(stripe_gateway, made)

    statuses = [deliver(event).status for _ in range(5)]
    # The same news under five other event ids (Stripe sends refund.failed, refund.updated
    # and charge.refund.updated for one failure).
    statuses += [
        deliver(news(stripe_gateway, made, type)).status
        for type in (
            "refund.failed",
            "refund.updated",
            "charge.refund.updated",
            "refund.failed",
            "refund.updated",
        )
    ]

    assert statuses == ["processed"] * 5 + ["ignored"] * 5
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1
    assert RefundEvent.objects.filter(refund=made, to_status="failed").count() == 1
    assert refund_rows(part) == {"refund": Decimal("-60.00"), "refund-undone": Decimal("60.00")}
    assert LedgerEntry.objects.filter(reference=f"refund-undone:{made.pk}").count() == 2
    assert balances(part) == before


# --- out of order ---------------------------------------------------------------------------


def test_an_older_pending_event_after_the_success_changes_nothing(stripe_gateway):
    part = card_paid_part(card=PENDING_REFUND)
    made = refund(part, "30.00")
    older = news(stripe_gateway, made, "refund.created", created=1_700_000_000)
    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "succeeded")
    deliver(news(stripe_gateway, made, created=1_700_000_100))
    after_success = balances(part), list(LedgerEntry.objects.values_list("key", flat=True))

    event = deliver(older)

    assert (event.status, status_of(made)) == ("ignored", "succeeded")
    assert (
        balances(part),
        list(LedgerEntry.objects.values_list("key", flat=True)),
    ) == after_success


def test_an_older_success_after_the_failure_never_records_the_refund_again(stripe_gateway):
    part = card_paid_part(card=PENDING_REFUND)
    before = balances(part)
    made = refund(part, "30.00")
    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "succeeded")
    older_success = news(stripe_gateway, made, created=1_700_000_000)
    older_charge = stripe_refunds.charge_refunded_object(stripe_gateway, made.payment.provider_id)
    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "failed")

    # The failure is delivered first, then the news of the success it ended.
    statuses = [
        deliver(news(stripe_gateway, made, "refund.failed")).status,
        deliver(older_success).status,
    ]
    statuses.append(deliver(webhook_event("charge.refunded", older_charge)).status)

    assert statuses == ["processed", "ignored", "ignored"]
    assert status_of(made) == "failed"
    assert (refund_rows(part), balances(part)) == ({}, before)
    assert order_status(part) == ("paid", "paid")


def test_a_late_success_after_the_failure_was_undone_changes_nothing(stripe_gateway):
    part = card_paid_part(card=REFUND_FAILS)
    before = balances(part)
    made = refund(part)
    success = news(stripe_gateway, made, "refund.created", created=1_700_000_000)
    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "failed")
    deliver(news(stripe_gateway, made, created=1_700_000_100))

    event = deliver(success)

    assert (event.status, status_of(made)) == ("ignored", "failed")
    assert balances(part) == before
    assert order_status(part) == ("paid", "paid")


# --- the seller was paid already --------------------------------------------------------------


@pytest.fixture
def paid_out_part(stripe_gateway):
    """A part paid in EUR whose refunds fail later (1 EUR = 2 AZN), to a seller in Germany,
    paid out by a Stripe transfer of 55.00 EUR (110.00 AZN)."""
    part = delivered(card_paid_part(card=REFUND_FAILS, country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_gateway)
    payouts_create_due()
    payout_execute(payout_id=Payout.objects.get().pk)
    return part


def test_a_failed_refund_after_a_transfer_reversal_keeps_the_reversal_and_flags_it(
    stripe_gateway, paid_out_part
):
    part = paid_out_part
    platform_before = platform_balance()
    made = refund(part)
    [transfer] = stripe_gateway.transfers.values()
    [reversal] = transfer["reversals"]["data"]
    assert seller_balance(seller=part.seller) == Decimal("0.00")

    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "failed")
    deliver(news(stripe_gateway, made))

    made.refresh_from_db()
    # The reversal really took 55.00 EUR from the seller: it stays recorded, no new money
    # moves by itself, and the seller is owed it again until staff pay it back.
    assert transfer["amount_reversed"] == 5500
    assert LedgerEntry.objects.get(kind="reversal").amount == Decimal("110.00")
    assert seller_balance(seller=part.seller) == Decimal("110.00")
    assert platform_balance() == platform_before
    assert reversal["id"] in made.attention and "owed it again" in made.attention
    assert order_status(part) == ("delivered", "delivered")


def test_no_transfer_is_reversed_for_a_refund_that_failed_before_its_reversal_ran(
    stripe_gateway, paid_out_part, django_capture_on_commit_callbacks
):
    part = paid_out_part
    seller_before = seller_balance(seller=part.seller)
    stripe_refunds.dashboard_refund(stripe_gateway, part.order.payments.get().provider_id, 6000)
    [stripe_refund] = stripe_gateway.state.refunds.values()
    success = stripe_refunds.refund_event(stripe_gateway, stripe_refund["id"], "refund.created")
    post_webhook(Client(), success, secret=settings.STRIPE_WEBHOOK_SECRET)
    with django_capture_on_commit_callbacks() as reversals:
        stripe_event_process(event_id=success["id"])
    stripe_refunds.refund_update(stripe_gateway, stripe_refund["id"], "failed")
    deliver(stripe_refunds.refund_event(stripe_gateway, stripe_refund["id"], "refund.failed"))

    for reverse in reversals:  # the reversal queued by the success runs only now
        reverse()

    [transfer] = stripe_gateway.transfers.values()
    assert transfer["amount_reversed"] == 0
    assert not LedgerEntry.objects.filter(kind="reversal").exists()
    assert seller_balance(seller=part.seller) == seller_before
    [made] = Refund.objects.all()
    assert (made.source, made.status) == ("stripe", "failed")


def test_a_failed_refund_that_a_payout_had_netted_flags_what_the_seller_is_still_owed(
    stripe_gateway,
):
    part = delivered(card_paid_part(card=REFUND_FAILS, country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_gateway)
    made = refund(part, "30.00")
    payouts_create_due()
    payout = Payout.objects.get()
    payout_execute(payout_id=payout.pk)
    assert payout.amount == Decimal("55.00")

    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "failed")
    deliver(news(stripe_gateway, made))

    made.refresh_from_db()
    # Owed 110.00 for the part, paid 55.00: the other 55.00 waits for staff.
    assert seller_balance(seller=part.seller) == Decimal("55.00")
    assert f"Payout {payout.pk} (paid)" in made.attention
    assert "owed 55.00 AZN more" in made.attention
    [transfer] = stripe_gateway.transfers.values()
    assert (transfer["amount"], transfer["amount_reversed"]) == (2750, 0)


# --- refunds made in the Stripe dashboard ---------------------------------------------------


def test_a_dashboard_refund_that_fails_is_undone(stripe_gateway):
    part = card_paid_part(card=REFUND_FAILS)
    before = balances(part)
    stripe_refund = stripe_refunds.dashboard_refund(
        stripe_gateway, part.order.payments.get().provider_id, 2000
    )
    deliver(stripe_refunds.refund_event(stripe_gateway, stripe_refund["id"], "refund.created"))
    assert balances(part) != before

    stripe_refunds.refund_update(stripe_gateway, stripe_refund["id"], "failed")
    deliver(stripe_refunds.refund_event(stripe_gateway, stripe_refund["id"]))

    [made] = Refund.objects.all()
    assert (made.source, made.status, made.amount) == ("stripe", "failed", Decimal("20.00"))
    assert balances(part) == before


def test_a_dashboard_refund_that_failed_before_we_heard_of_it_is_never_recorded(stripe_gateway):
    part = card_paid_part(card=REFUND_FAILS)
    before = balances(part)
    stripe_refund = stripe_refunds.dashboard_refund(
        stripe_gateway, part.order.payments.get().provider_id, 2000
    )
    older_charge = stripe_refunds.charge_refunded_object(
        stripe_gateway, part.order.payments.get().provider_id
    )
    stripe_refunds.refund_update(stripe_gateway, stripe_refund["id"], "failed")
    failed = deliver(
        stripe_refunds.refund_event(stripe_gateway, stripe_refund["id"], "refund.failed")
    )
    late = deliver(webhook_event("charge.refunded", older_charge))

    assert (failed.status, late.status) == ("processed", "ignored")
    assert set(Refund.objects.values_list("status", flat=True)) == {"failed"}
    assert (refund_rows(part), balances(part)) == ({}, before)


def test_news_of_a_refund_of_a_payment_we_do_not_know_is_stored_and_ignored(stripe_gateway):
    event = deliver(
        webhook_event(
            "refund.failed",
            {
                "id": "re_unknown",
                "object": "refund",
                "amount": 1000,
                "currency": "eur",
                "payment_intent": "pi_unknown",
                "status": "failed",
                "metadata": {},
            },
        )
    )

    assert event.status == "ignored"
    assert not Refund.objects.exists()


def test_a_refund_netted_from_a_payout_that_fails_later_tells_staff_what_the_seller_is_owed(
    stripe_gateway,
):
    """What a payout of the part leaves to put right is payouts' to say (through the hook it
    registers with payments): the payout was net of the refund, so the seller is owed its share
    again, and nothing is paid by itself."""
    part = delivered(card_paid_part(card=REFUND_FAILS), days_ago=15)
    verified_bank_account(part.seller)
    made = refund(part, "30.00")
    payouts_create_due()
    payout = Payout.objects.get()

    stripe_refunds.refund_update(stripe_gateway, made.provider_id, "failed")
    deliver(news(stripe_gateway, made))

    made.refresh_from_db()
    assert made.attention == (
        f"Payout {payout.pk} (pending) of the part is {payout.amount} AZN, net of this refund: "
        f"with the refund undone the seller is owed 55.00 AZN more for the part. Pay it by hand."
    )
    assert Payout.objects.get().amount == payout.amount
