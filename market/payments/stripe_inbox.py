"""Stripe's inbox: webhook events stored once by id, then applied once by the handler each app
registered for the event's type.

The inbox knows no app. An app registers what it handles in its ``AppConfig.ready()``
(``@stripe_event_handler("payment_intent.succeeded")`` on a function of the event that returns
whether it changed anything), so the apps above payments (payouts: ``account.updated``,
``transfer.*``, ``payout.*``) are called from here without payments importing them.
It lives in payments, the lowest app that hears from Stripe, with the Stripe client
(``market.payments.stripe_client``) and the ``StripeEvent`` table it has always had.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from market.core.errors import DomainError
from market.core.json_limits import json_storable
from market.core.state_machine import transition
from market.core.tasks import enqueue_on_commit
from market.payments.error_codes import PaymentErrorCode
from market.payments.models import StripeEvent, StripeEventStatus

logger = logging.getLogger(__name__)

# 9999-12-31T23:59:59Z, the last second a datetime holds.
_LATEST_EVENT_TIMESTAMP = 253402300799

StripeEventHandler = Callable[[StripeEvent], bool]


class StripeEventRejected(Exception):
    """Raised by a handler when the event contradicts what we know (e.g. another amount): the
    event is failed with the reason and nothing changes; retrying would not help."""


class StripeEventHandlers:
    """Event type → the one handler that applies it."""

    def __init__(self) -> None:
        self._handlers: dict[str, StripeEventHandler] = {}

    def register(self, *event_types: str) -> Callable[[StripeEventHandler], StripeEventHandler]:
        """Decorate the handler of ``event_types``. A type has one handler: a second one for
        it is a configuration error, not a silent replacement."""

        def decorate(handler: StripeEventHandler) -> StripeEventHandler:
            for event_type in event_types:
                existing = self._handlers.get(event_type)
                if existing is not None and existing is not handler:
                    raise ImproperlyConfigured(
                        f"Stripe event {event_type} has a handler already: "
                        f"{existing.__module__}.{existing.__qualname__}."
                    )
                self._handlers[event_type] = handler
            return handler

        return decorate

    def get(self, event_type: str) -> StripeEventHandler | None:
        return self._handlers.get(event_type)

    def event_types(self) -> set[str]:
        return set(self._handlers)


stripe_event_handlers = StripeEventHandlers()
stripe_event_handler = stripe_event_handlers.register


def stripe_event_receive(*, payload: dict) -> tuple[StripeEvent, bool]:
    """Store a verified webhook event once and queue it for a worker; returns (event, is_new).

    A repeat delivery of a stored event id changes nothing and queues nothing.
    """
    if not (
        isinstance(payload, dict)
        and isinstance(payload.get("id"), str)
        and payload["id"]
        and isinstance(payload.get("type"), str)
        and isinstance(payload.get("created"), int)
    ):
        raise DomainError(
            PaymentErrorCode.INVALID_EVENT, "A Stripe event needs an id, a type and a created time."
        )
    # What the columns and jsonb cannot hold would fail in the database (a 500, not a refusal).
    if (
        len(payload["id"]) > StripeEvent._meta.get_field("event_id").max_length
        or len(payload["type"]) > StripeEvent._meta.get_field("type").max_length
        or not isinstance(payload.get("account") or "", str)
        or len(payload.get("account") or "") > StripeEvent._meta.get_field("account").max_length
        or not 0 <= payload["created"] <= _LATEST_EVENT_TIMESTAMP
        or not json_storable(payload)
    ):
        raise DomainError(
            PaymentErrorCode.INVALID_EVENT,
            "The Stripe event has a field that is too long, out of range or not storable text.",
        )
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


def stripe_events_sweep(*, now: dt.datetime | None = None) -> list[str]:
    """Queue again the events stored but never processed: received longer than
    ``STRIPE_EVENT_SWEEP_AFTER_SECONDS`` ago (the message to the worker was lost, e.g. the
    broker was down when the event committed). Stripe will not help: its next delivery of the
    same event is a repeat, which queues nothing. Safe, because processing is once per event."""
    stale = (now or timezone.now()) - dt.timedelta(
        seconds=settings.STRIPE_EVENT_SWEEP_AFTER_SECONDS
    )
    event_ids = list(
        StripeEvent.objects.filter(status=StripeEventStatus.RECEIVED, received_at__lte=stale)
        .order_by("received_at")
        .values_list("event_id", flat=True)[: settings.STRIPE_EVENT_SWEEP_BATCH]
    )
    for event_id in event_ids:
        enqueue_on_commit("payments.process_stripe_event", event_id=event_id)
    if event_ids:
        logger.warning("Re-queued %d Stripe events never processed.", len(event_ids))
    return event_ids


def _transition(event: StripeEvent, new: StripeEventStatus, *, error: str = "") -> bool:
    # The stored event is its own history: no event row, the error and time are on the row.
    return bool(
        transition(
            StripeEvent.objects,
            pk=event.pk,
            table=StripeEvent.ALLOWED_TRANSITIONS,
            source=event.status,
            to=new,
            updates={"error": error, "processed_at": timezone.now()},
        )
    )


def stripe_event_process(*, event_id: str) -> StripeEvent:
    """Apply a stored Stripe event once: dispatch by type to the handler registered for it,
    then mark it processed or ignored.

    Types no app registered, unknown accounts or PaymentIntents and stale events are marked
    ignored; an event that contradicts our records (a PaymentIntent of another amount or
    currency than its payment) is marked failed with the reason and changes nothing. The
    handler and the status change commit together, and the status moves by compare-and-set,
    so running twice (or in two workers at once) applies the event once. A failing handler
    leaves the event ``failed`` with the error, to be retried.
    """
    if not StripeEvent.objects.filter(event_id=event_id).exists():
        raise DomainError(PaymentErrorCode.NOT_FOUND, f"No stored event {event_id}.")
    try:
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().get(event_id=event_id)
            if event.status not in StripeEvent.ALLOWED_TRANSITIONS:
                return event
            handler = stripe_event_handlers.get(event.type)
            applied = handler(event) if handler is not None else False
            _transition(
                event, StripeEventStatus.PROCESSED if applied else StripeEventStatus.IGNORED
            )
    except StripeEventRejected as rejected:
        logger.error("Stripe event %s rejected: %s", event_id, rejected)
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().get(event_id=event_id)
            _transition(event, StripeEventStatus.FAILED, error=str(rejected)[:2000])
    except Exception as error:
        logger.exception("Stripe event %s failed", event_id)
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().get(event_id=event_id)
            _transition(event, StripeEventStatus.FAILED, error=repr(error)[:2000])
        raise
    event.refresh_from_db()
    return event
