from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from market.core.errors import DomainError
from market.core.tasks import enqueue_on_commit
from market.payments.error_codes import PaymentErrorCode
from market.payments.models import StripeEvent, StripeEventStatus

logger = logging.getLogger(__name__)


def stripe_event_receive(*, payload: dict) -> tuple[StripeEvent, bool]:
    """Store a verified webhook event once and queue it for a worker; returns (event, is_new).

    A repeat delivery of a stored event id changes nothing and queues nothing.
    """
    if not (isinstance(payload, dict) and isinstance(payload.get("id"), str) and payload["id"]
            and isinstance(payload.get("type"), str)
            and isinstance(payload.get("created"), int)):
        raise DomainError(PaymentErrorCode.INVALID_EVENT,
                          "A Stripe event needs an id, a type and a created time.")
    with transaction.atomic():
        event, is_new = StripeEvent.objects.get_or_create(
            event_id=payload["id"],
            defaults={
                "type": payload["type"],
                "account": payload.get("account") or "",
                "payload": payload,
                "created": dt.datetime.fromtimestamp(payload["created"], tz=dt.UTC),
            },
        )
        if is_new:
            enqueue_on_commit("payments.process_stripe_event", event_id=event.event_id)
    return event, is_new


def _account_updated(event: StripeEvent) -> bool:
    from market.payouts.services import payout_account_sync_from_stripe

    return payout_account_sync_from_stripe(account=event.payload["data"]["object"],
                                           event_created=event.payload["created"])


# Event type → handler; a handler returns whether the event changed anything.
_HANDLERS: dict[str, Callable[[StripeEvent], bool]] = {
    "account.updated": _account_updated,
}


def _transition(event: StripeEvent, new: StripeEventStatus, *, error: str = "") -> bool:
    old = event.status
    if new not in StripeEvent.ALLOWED_TRANSITIONS.get(old, set()):
        return False
    changed = StripeEvent.objects.filter(pk=event.pk, status=old).update(
        status=new, error=error, processed_at=timezone.now())
    return bool(changed)


def stripe_event_process(*, event_id: str) -> StripeEvent:
    """Apply a stored Stripe event once: dispatch by type, then mark it processed or ignored.

    Unsupported types, unknown accounts and stale events are marked ignored. The handler and the
    status change commit together, and the status moves by compare-and-set, so running twice
    (or in two workers at once) applies the event once. A failing handler leaves the event
    ``failed`` with the error, to be retried.
    """
    if not StripeEvent.objects.filter(event_id=event_id).exists():
        raise DomainError(PaymentErrorCode.NOT_FOUND, f"No stored event {event_id}.")
    try:
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().get(event_id=event_id)
            if event.status not in StripeEvent.ALLOWED_TRANSITIONS:
                return event
            handler = _HANDLERS.get(event.type)
            applied = handler(event) if handler is not None else False
            _transition(event, StripeEventStatus.PROCESSED if applied
                        else StripeEventStatus.IGNORED)
    except Exception as error:
        logger.exception("Stripe event %s failed", event_id)
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().get(event_id=event_id)
            _transition(event, StripeEventStatus.FAILED, error=repr(error)[:2000])
        raise
    event.refresh_from_db()
    return event
