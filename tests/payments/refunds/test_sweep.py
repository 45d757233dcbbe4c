"""The refunds sweeper (beat, every five minutes): refunds asked for here and never sent to the
gateway are queued again; the rest are left alone."""

from decimal import Decimal

import pytest
from django.utils import timezone

from market.payments.models import Refund
from market.payments.refunds import refund_send, refunds_sweep
from tests.factories import card_paid_part
from tests.payments.refunds.helpers import order_manager, refund_asked, refund_made

pytestmark = pytest.mark.django_db


def test_a_refund_never_sent_is_queued_again_once_it_is_stale(
    settings, clock, enqueued, django_capture_on_commit_callbacks
):
    settings.REFUND_SWEEP_AFTER_SECONDS = 300
    part = card_paid_part()
    lost = refund_asked(part, key="lost")
    sent = refund_made(
        part=part,
        amount=Decimal("10.00"),
        reason="Arrived broken",
        idempotency_key="sent",
        actor=order_manager(),
    )
    clock.shift(301)
    fresh = refund_asked(part, key="fresh")

    with django_capture_on_commit_callbacks(execute=True):
        swept = refunds_sweep()

    assert swept == [lost.pk]
    assert enqueued == [("payments.send_refund", {"refund_id": lost.pk})]
    assert Refund.objects.get(pk=sent.pk).status == "succeeded"
    assert Refund.objects.get(pk=fresh.pk).status == "pending"


def test_a_refund_whose_worker_went_silent_is_taken_over_and_sent(settings, clock):
    settings.REFUND_SWEEP_AFTER_SECONDS = 300
    stuck = refund_asked(card_paid_part(), key="stuck")
    Refund.objects.filter(pk=stuck.pk).update(sending_since=timezone.now(), attempts=1)
    clock.shift(301)

    assert refunds_sweep() == [stuck.pk]
    made = refund_send(refund_id=stuck.pk)
    assert (made.status, made.attempts) == ("succeeded", 2)
