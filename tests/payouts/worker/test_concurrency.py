"""Two workers racing for one payout: the compare-and-set lets only one of them pay."""

import pytest
from django.db import connection

from market.payouts.models import Payout
from market.payouts.paying import payout_execute, payouts_create_due
from tests.concurrency import race
from tests.factories import paid_part
from tests.payouts.worker.helpers import delivered, ready_stripe_account

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_workers_racing_for_one_payout_make_one_transfer(stripe_server):
    part = delivered(paid_part(country="DE"), days_ago=15)
    ready_stripe_account(part.seller, stripe_server)
    payouts_create_due()
    payout = Payout.objects.get()
    stripe_server.delay_next_response("/v1/transfers", 0.5)
    results = race(*[lambda: payout_execute(payout_id=payout.pk) is not None] * 2, timeout=30)

    assert sorted(results) == [False, True]
    assert len(stripe_server.transfers) == 1
    assert Payout.objects.get().status == "paid"
