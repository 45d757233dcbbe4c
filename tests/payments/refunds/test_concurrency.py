"""Racing refunds of one part, for real, with threads on PostgreSQL."""

from decimal import Decimal

import pytest

from market.core.errors import DomainError
from market.ledger.models import LedgerEntry
from market.payments.models import Refund
from market.payments.refunds import refund_create
from tests.concurrency import race
from tests.factories import card_paid_part
from tests.payments.refunds.helpers import order_manager
from tests.tasks import worker_inline

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_refunds_that_do_not_both_fit_are_made_one_at_a_time():
    part = card_paid_part()
    staff = order_manager()

    with worker_inline():  # each refund's task runs in its thread once its row commits
        outcomes = race(
            *(
                lambda key=key: refund_create(
                    part=part,
                    amount=Decimal("40.00"),
                    reason="Broken",
                    idempotency_key=key,
                    actor=staff,
                )
                for key in ("a", "b")
            )
        )

    made = [o for o in outcomes if isinstance(o, Refund)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert (len(made), [e.code for e in refused]) == (1, ["refund_exceeds_paid"])
    assert Refund.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="refund").count() == 2


def test_five_racing_identical_requests_make_one_refund():
    part = card_paid_part()
    staff = order_manager()

    with worker_inline():  # the task runs in its thread once the refund's row commits
        outcomes = race(
            *(
                lambda: refund_create(
                    part=part,
                    amount=Decimal("10.00"),
                    reason="Broken",
                    idempotency_key="same",
                    actor=staff,
                )
                for _ in range(5)
            )
        )

    assert all(isinstance(o, Refund) for o in outcomes), outcomes
    assert {o.pk for o in outcomes} == {Refund.objects.get().pk}
    assert LedgerEntry.objects.filter(kind="refund").count() == 2
