"""What Stripe's ``transfer.*`` and ``payout.*`` webhook events change on our payouts.

Registered with Stripe's inbox (``market.payments.stripe_inbox``) in ``PayoutsConfig.ready()``;
the inbox applies each event id once, inside its transaction. Events still arrive late, out of
order and under several ids for one fact, so each function here also refuses to move anything
backwards or to record one fact twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from market.core.money import from_minor_units
from market.ledger.services import ledger_record_payout
from market.payments.models import StripeEvent
from market.payments.stripe_inbox import stripe_event_handler
from market.payouts.accounts import payout_account_sync_from_stripe
from market.payouts.models import (
    Payout,
    PayoutAccount,
    PayoutAccountEvent,
    PayoutAccountEventKind,
    PayoutEvent,
    PayoutState,
)

logger = logging.getLogger(__name__)

TRANSFER_REVERSED = "transfer reversed"


def _payout_for_transfer(transfer: dict) -> Payout | None:
    """The payout of a Stripe transfer: by its id, or by the ``payout_id`` metadata we sent
    when a killed worker never stored the id."""
    payouts = Payout.objects.select_for_update(of=("self",)).select_related(
        "seller__payout_account"
    )
    payout = payouts.filter(stripe_transfer_id=transfer.get("id") or None).first()
    payout_id = str((transfer.get("metadata") or {}).get("payout_id") or "")
    if payout is None and payout_id.isdigit():
        payout = payouts.filter(pk=int(payout_id), stripe_transfer_id__isnull=True).first()
    return payout


@transaction.atomic
def payout_transfer_event_apply(*, transfer: dict, stripe_event_id: str) -> bool:
    """Reconcile a payout with its Stripe transfer (``transfer.created|updated|reversed``).

    - A transfer for a payout that a killed worker left processing marks it paid with the
      transfer (as ``payout_execute`` would have), once: the payout moves by compare-and-set.
    - A reversal (``amount_reversed`` grown past what was recorded) is written as a payout event;
      the payout stays paid — money taken back is the refunds' business, not a payout's state.
    - A transfer to another account or in another currency than the payout's, a transfer we do
      not know and anything already recorded change nothing. Returns whether anything changed.
    """
    payout = _payout_for_transfer(transfer)
    if payout is None:
        return False
    destination = payout.seller.payout_account.stripe_account_id
    currency = str(transfer.get("currency") or "").upper()
    expected_currency = payout.transfer_currency or payout.order_part.order.currency.upper()
    if transfer.get("destination") != destination or currency != expected_currency:
        logger.error(
            "Transfer %s does not match payout %s (destination %s %s, expected %s %s)",
            transfer.get("id"),
            payout.pk,
            transfer.get("destination"),
            currency,
            destination,
            expected_currency,
        )
        return False
    changed = False
    if payout.status == PayoutState.PROCESSING and not payout.stripe_transfer_id:
        changed = _payout_paid_by_transfer(
            payout=payout, transfer=transfer, currency=currency, stripe_event_id=stripe_event_id
        )
    amount_reversed = int(transfer.get("amount_reversed") or 0)
    recorded = max(
        (
            int(data.get("amount_reversed") or 0)
            for data in PayoutEvent.objects.filter(
                payout=payout, note=TRANSFER_REVERSED
            ).values_list("data", flat=True)
        ),
        default=0,
    )
    if amount_reversed > recorded:
        PayoutEvent.objects.create(
            payout=payout,
            from_status=payout.status,
            to_status=payout.status,
            note=TRANSFER_REVERSED,
            data={
                "stripe_event_id": stripe_event_id,
                "stripe_transfer_id": transfer.get("id"),
                "amount_reversed": amount_reversed,
                "currency": currency,
                "reversed": bool(transfer.get("reversed")),
            },
        )
        changed = True
    return changed


def _payout_paid_by_transfer(
    *, payout: Payout, transfer: dict, currency: str, stripe_event_id: str
) -> bool:
    rows = Payout.objects.filter(
        pk=payout.pk,
        status=PayoutState.PROCESSING,
        stripe_transfer_id__isnull=True,
    ).update(
        status=PayoutState.PAID,
        stripe_transfer_id=transfer["id"],
        transfer_amount=from_minor_units(transfer.get("amount") or 0, currency),
        transfer_currency=currency,
        paid_at=timezone.now(),
        last_error="",
        updated_at=timezone.now(),
    )
    if not rows:
        return False
    PayoutEvent.objects.create(
        payout=payout,
        from_status=PayoutState.PROCESSING,
        to_status=PayoutState.PAID,
        note="transferred (from webhook)",
        data={"stripe_transfer_id": transfer["id"], "stripe_event_id": stripe_event_id},
    )
    payout.refresh_from_db()
    ledger_record_payout(payout=payout)
    return True


@transaction.atomic
def payout_account_bank_payout_apply(
    *,
    stripe_account_id: str,
    stripe_payout: dict,
    event_type: str,
    event_created: int,
    stripe_event_id: str,
) -> bool:
    """Record Stripe's payout from a seller's connected account to their bank
    (``payout.paid`` / ``payout.failed``) on the seller's payout account.

    Each Stripe payout's outcome is recorded once as an account event. The account shows the
    outcome of the most recent event only (by Stripe's ``created``), so a late, older event never
    hides a newer failure or brings back a fixed one; a failure appears in the seller's payout
    status as something to fix. Unknown accounts and types are ignored. Returns whether
    anything was recorded.
    """
    failed = event_type == "payout.failed"
    if event_type not in {"payout.paid", "payout.failed"} or not stripe_account_id:
        return False
    account = (
        PayoutAccount.objects.select_for_update()
        .filter(stripe_account_id=stripe_account_id)
        .first()
    )
    if account is None:
        return False
    kind = (
        PayoutAccountEventKind.STRIPE_PAYOUT_FAILED
        if failed
        else PayoutAccountEventKind.STRIPE_PAYOUT_PAID
    )
    if PayoutAccountEvent.objects.filter(
        account=account, kind=kind, data__stripe_payout_id=stripe_payout.get("id")
    ).exists():
        return False
    failure = ""
    if failed:
        failure = (
            stripe_payout.get("failure_message")
            or stripe_payout.get("failure_code")
            or "the bank refused the payout"
        )[:500]
    PayoutAccountEvent.objects.create(
        account=account,
        kind=kind,
        data={
            "stripe_payout_id": stripe_payout.get("id"),
            "stripe_event_id": stripe_event_id,
            "amount": stripe_payout.get("amount"),
            "currency": stripe_payout.get("currency"),
            "failure_code": stripe_payout.get("failure_code") or "",
            "event_created": event_created,
        },
    )
    created = dt.datetime.fromtimestamp(event_created, tz=dt.UTC)
    PayoutAccount.objects.filter(
        Q(bank_payout_synced_at__isnull=True) | Q(bank_payout_synced_at__lte=created),
        pk=account.pk,
    ).update(
        bank_payout_status="failed" if failed else "paid",
        bank_payout_failure=failure,
        bank_payout_synced_at=created,
        updated_at=timezone.now(),
    )
    return True


@stripe_event_handler("account.updated")
def _account_updated(event: StripeEvent) -> bool:
    return payout_account_sync_from_stripe(
        account=event.payload["data"]["object"], event_created=event.payload["created"]
    )


@stripe_event_handler("transfer.created", "transfer.updated", "transfer.reversed")
def _transfer_event(event: StripeEvent) -> bool:
    return payout_transfer_event_apply(
        transfer=event.payload["data"]["object"], stripe_event_id=event.event_id
    )


@stripe_event_handler("payout.paid", "payout.failed")
def _bank_payout_event(event: StripeEvent) -> bool:
    return payout_account_bank_payout_apply(
        stripe_account_id=event.account,
        stripe_payout=event.payload["data"]["object"],
        event_type=event.type,
        event_created=event.payload["created"],
        stripe_event_id=event.event_id,
    )
