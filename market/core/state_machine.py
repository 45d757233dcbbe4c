"""One way to move a row's status: a transition table, a compare-and-set, an event row.

Every app with a status machine (listings, orders and their parts, payments, Stripe's inbox,
refunds, sellers, payouts) keeps its own table of allowed moves and its own event model, and
calls :func:`transition` to move a row::

    outcome = transition(
        Payment.objects, pk=payment.pk, table=Payment.ALLOWED_TRANSITIONS,
        source=payment.status, to=PaymentStatus.SUCCEEDED,
        updates={"updated_at": timezone.now()},
        event=lambda old, new: PaymentEvent.objects.create(
            payment=payment, from_status=old, to_status=new),
    )

The update is ``filter(pk=pk, status=source).update(status=to, **updates)``: of two racing
workers only the one that still finds ``source`` wins, the other is told it lost. The event row
is written in the same transaction as the update (a savepoint when the caller has one open),
and only when the row moved. What a refusal means is the caller's to decide: a mutation turns
it into a ``DomainError``, a webhook that arrives twice treats "already there" as done.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from enum import Enum
from typing import Any, TypeVar

from django.db import models, transaction

__all__ = ["Outcome", "TransitionTable", "transition"]

# source status -> the statuses it may move to. Keys are typed loosely because a Mapping is
# invariant in its key: the apps key their tables by their own str-based status choices.
TransitionTable = Mapping[Any, Collection[str]]

M = TypeVar("M", bound=models.Model)


class Outcome(Enum):
    """What became of a requested move. Only ``MOVED`` is true, so ``if not transition(...)``
    reads as "nothing changed"."""

    MOVED = "moved"
    NOT_ALLOWED = "not_allowed"  # the table has no such move: nothing was written
    LOST_RACE = "lost_race"  # the row was no longer at ``source``: nothing was written

    def __bool__(self) -> bool:
        return self is Outcome.MOVED


def transition(
    rows: models.QuerySet[M] | models.Manager[M],
    *,
    pk: Any,
    table: TransitionTable | None,
    source: str,
    to: str,
    updates: Mapping[str, Any] | None = None,
    event: Callable[[str, str], object] | None = None,
    status_field: str = "status",
) -> Outcome:
    """Move the row ``pk`` from ``source`` to ``to`` if ``table`` allows it and the row is still
    at ``source``, setting ``updates`` with the status; then ``event(source, to)`` writes the
    event row. Both happen in one transaction, or neither.

    ``table=None`` skips the table (a move the caller has decided is legal, e.g. undoing a
    refund that failed); the compare-and-set still applies.
    """
    if table is not None and to not in table.get(source, ()):
        return Outcome.NOT_ALLOWED
    with transaction.atomic():
        moved = rows.filter(pk=pk, **{status_field: source}).update(
            **{status_field: to}, **(updates or {})
        )
        if moved != 1:
            return Outcome.LOST_RACE
        if event is not None:
            event(source, to)
    return Outcome.MOVED
