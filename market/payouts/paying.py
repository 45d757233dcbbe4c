"""Paying sellers: payouts made from delivered order parts, paid once through the seller's route.

A payout moves pending → processing → paid (or failed) by compare-and-set with an event row, so
two workers racing for one payout cannot both pay it. The money leaves outside any database
transaction (a Stripe call cannot be rolled back), between two short transactions; a worker
killed in between leaves the payout in processing, and the sweeper re-queues it: the Stripe
transfer's idempotency key ``payout-<id>`` returns the transfer already made instead of a second.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from market.core.errors import DomainError
from market.core.money import base_currency, quantize
from market.core.selectors import exchange_rate_get_latest
from market.core.state_machine import transition
from market.core.tasks import enqueue_on_commit
from market.ledger.selectors import part_payable_now
from market.ledger.services import ledger_record_payout
from market.orders.models import OrderPart
from market.payouts import pain001
from market.payouts.error_codes import PayoutErrorCode
from market.payouts.models import (
    BankPayoutBatch,
    BankPayoutBatchStatus,
    Payout,
    PayoutAccount,
    PayoutEvent,
    PayoutRelease,
    PayoutRouteName,
    PayoutState,
)
from market.payouts.refund_reversals import refunds_reverse_after_payout
from market.payouts.routes import (
    PayoutRefused,
    PayoutResult,
    PayoutRetryable,
    PayoutStatus,
    order_charge_id_subquery,
    payout_route_for,
)
from market.payouts.selectors import (
    PAYABLE_PART_STATUSES,
    part_due_condition,
    payout_status_get,
)

logger = logging.getLogger(__name__)

NO_VERIFIED_ROUTE = "no verified route"
_NO_BANK_FILE = "There is no such bank file."
_NO_PAYOUT = "There is no such payout."


@dataclass
class DuePayouts:
    created: list[Payout] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # part id -> reason


def _transition(
    payout: Payout, to: PayoutState, *, note: str = "", data: dict | None = None, **changes
) -> bool:
    """Compare-and-set ``payout`` from its current status to ``to``; an event on success."""
    now = timezone.now()
    if not transition(
        Payout.objects,
        pk=payout.pk,
        table=Payout.ALLOWED_TRANSITIONS,
        source=PayoutState(payout.status),
        to=to,
        updates={"updated_at": now, **changes},
        event=lambda old, new: PayoutEvent.objects.create(
            payout=payout, from_status=old, to_status=new, note=note, data=data or {}
        ),
    ):
        return False
    # The row now holds exactly these values: set them rather than read the row back (which
    # would also drop the seller, part and order loaded with the payout).
    for name, value in {"status": to, "updated_at": now, **changes}.items():
        setattr(payout, name, value)
    return True


@dataclass(frozen=True)
class PartReleased:
    release: PayoutRelease
    payout: Payout | None  # None: the seller's route is not ready, or nothing is owed
    skipped: str = ""  # why there is no payout yet


@transaction.atomic
def payout_release(*, part_id: int, actor) -> PartReleased:
    """Staff (``payouts.manage_payouts``) release an order part for payout before its hold
    period ends: its payout is created now and queued for ``payouts.execute`` when it commits.
    When the seller's payout route is not ready, the release stands and the daily
    ``payouts_create_due`` pays it once the route is. Releasing twice changes nothing (the part
    keeps its one payout); a part that was not paid for, or was cancelled or refunded, cannot be
    released."""
    part = (
        OrderPart.objects.select_for_update(of=("self",))
        .select_related("seller", "order")
        .filter(pk=part_id)
        .first()
    )
    if part is None:
        raise DomainError(PayoutErrorCode.NOT_FOUND, "There is no such order part.", field="id")
    if part.status not in PAYABLE_PART_STATUSES:
        raise DomainError(
            PayoutErrorCode.NOT_RELEASABLE,
            f"A part that is {part.get_status_display().lower()} cannot be paid out.",
            field="id",
        )
    release, _ = PayoutRelease.objects.get_or_create(
        order_part=part, defaults={"released_by": actor}
    )
    part.payout_release = release
    existing = Payout.objects.filter(order_part=part).first()
    if existing is not None:
        return PartReleased(release=release, payout=existing)
    payout, skipped = _part_payout_create(part=part)
    return PartReleased(release=release, payout=payout, skipped=skipped)


@transaction.atomic
def payout_retry(*, payout_id: int, actor) -> Payout:
    """Staff (``payouts.manage_payouts``) try a failed payout again, e.g. once the seller has
    fixed their payout route: failed → pending with its attempts reset, and queued. The part
    keeps its one payout (never a second), and the claim pays no more than is still owed.
    Only a failed payout can be retried (``not_retryable``); retrying twice queues it once."""
    payout = (
        Payout.objects.select_for_update(of=("self",))
        .select_related("seller")
        .filter(pk=payout_id)
        .first()
    )
    if payout is None:
        raise DomainError(PayoutErrorCode.NOT_FOUND, _NO_PAYOUT, field="id")
    if payout.status != PayoutState.FAILED:
        raise DomainError(
            PayoutErrorCode.NOT_RETRYABLE,
            f"Only a failed payout can be retried; this one is "
            f"{payout.get_status_display().lower()}.",
            field="id",
        )
    _transition(
        payout,
        PayoutState.PENDING,
        note=f"retried by {actor.email}",
        attempts=0,
        last_error="",
        route=payout_route_for(payout.seller).name,
    )
    enqueue_on_commit("payouts.execute", payout_id=payout.pk)
    return payout


def _due_parts(now: dt.datetime):
    return (
        OrderPart.objects.filter(part_due_condition(now=now), payout__isnull=True)
        .select_related("seller", "order", "payout_release")
        .order_by("pk")
    )


def payouts_create_due(*, now: dt.datetime | None = None) -> DuePayouts:
    """One payout per order part delivered more than ``PAYOUT_HOLD_DAYS`` ago, or released by
    staff, for the amount the ledger says the seller is owed for it (``part_payable``, AZN).

    Never for a seller whose payout route is not ready (unverified bank account, Stripe account
    without payouts): those parts are skipped with the reason "no verified route" and picked up
    on a later run. Idempotent: the part is unique on the payout, a second run creates nothing.
    Each payout is queued for ``payouts.execute`` when its row commits.

    Never more than the seller's whole balance either: a refund after an earlier part was paid
    out by bank (which cannot be reversed) leaves the seller owing, and that debt is netted
    from the next payouts.
    """

    now = now or timezone.now()
    result = DuePayouts()
    for part in _due_parts(now):
        payout, skipped = _part_payout_create(part=part)
        if skipped:
            result.skipped[part.pk] = skipped
        elif payout is not None:
            result.created.append(payout)
    if result.skipped:
        logger.info("Payouts skipped: %s", result.skipped)
    return result


def _part_payout_create(*, part: OrderPart) -> tuple[Payout | None, str]:
    """The part's payout of what the ledger says it is owed, queued on commit; or None and why
    not (no ready route, nothing owed), or None and "" when another run made it first."""
    if not payout_status_get(seller=part.seller).is_ready:
        return None, NO_VERIFIED_ROUTE
    amount = part_payable_now(part=part)
    if amount <= 0:
        return None, "nothing owed"
    return _payout_create(part=part, amount=amount), ""


def _payout_create(*, part: OrderPart, amount: Decimal) -> Payout | None:
    release = getattr(part, "payout_release", None)
    try:
        with transaction.atomic():
            payout = Payout.objects.create(
                seller=part.seller,
                order_part=part,
                amount=quantize(amount, base_currency()),
                currency=base_currency(),
                route=payout_route_for(part.seller).name,
                released_by=release.released_by if release else None,
                released_at=release.released_at if release else None,
            )
            PayoutEvent.objects.create(
                payout=payout,
                to_status=PayoutState.PENDING,
                note="released by staff" if release else "hold ended",
            )
            enqueue_on_commit("payouts.execute", payout_id=payout.pk)
    except IntegrityError:
        # Another run created this part's payout first.
        return None
    return payout


def _seller_status(seller) -> PayoutStatus:
    """``payout_status_get`` for a seller loaded with its ``payout_account``: no query."""
    try:
        account = seller.payout_account
    except PayoutAccount.DoesNotExist:
        account = None
    return payout_route_for(seller).status(account)


# What paying a payout reads: the payout, the seller's payout account (all of it) and country,
# and the order's number, currency and rate; not the rest of the seller, part and order.
_PAYOUT_FIELDS = [field.name for field in Payout._meta.concrete_fields] + [
    f"seller__payout_account__{field.name}" for field in PayoutAccount._meta.concrete_fields
]


@transaction.atomic
def _payout_claim(*, payout_id: int, now: dt.datetime) -> Payout | None:
    # Everything paying it needs, in one query, passed on to the route and the ledger.
    payout = (
        Payout.objects.select_related("seller__payout_account", "order_part__order")
        .only(
            *_PAYOUT_FIELDS,
            "seller__country",
            "order_part__order_id",
            "order_part__seller_id",
            "order_part__order__number",
            "order_part__order__currency",
            "order_part__order__exchange_rate",
        )
        .annotate(order_charge_id=order_charge_id_subquery("order_part__order"))
        .filter(pk=payout_id)
        .first()
    )
    if payout is None:
        return None
    if payout.status == PayoutState.PENDING:
        if not _seller_status(payout.seller).is_ready:
            _transition(
                payout,
                PayoutState.FAILED,
                note=NO_VERIFIED_ROUTE,
                last_error="The seller's payout route is not verified.",
            )
            return None
        # A refund may have come in since the payout was created: pay no more than is owed.
        payable = part_payable_now(part=payout.order_part)
        if payable <= 0:
            _transition(
                payout,
                PayoutState.FAILED,
                note="nothing owed after refunds",
                last_error="Refunds since the payout was created left nothing owed.",
            )
            return None
        if payable < payout.amount:
            Payout.objects.filter(pk=payout.pk, status=PayoutState.PENDING).update(amount=payable)
            payout.amount = payable
        claimed = _transition(
            payout,
            PayoutState.PROCESSING,
            note="attempt",
            attempts=payout.attempts + 1,
            processing_started_at=now,
        )
        return payout if claimed else None
    stale = now - dt.timedelta(seconds=settings.PAYOUT_SWEEP_AFTER_SECONDS)
    if (
        payout.status == PayoutState.PROCESSING
        and payout.route == PayoutRouteName.STRIPE_CONNECT
        and payout.processing_started_at
        and payout.processing_started_at <= stale
    ):
        # A worker died mid-payout: take it over (compare-and-set on the start time, so only
        # one resumer); the transfer's idempotency key makes the retry return the same one.
        resumed = Payout.objects.filter(
            pk=payout.pk,
            status=PayoutState.PROCESSING,
            processing_started_at=payout.processing_started_at,
        ).update(processing_started_at=now, attempts=payout.attempts + 1, updated_at=now)
        if resumed:
            PayoutEvent.objects.create(
                payout=payout,
                from_status=PayoutState.PROCESSING,
                to_status=PayoutState.PROCESSING,
                note="resumed",
            )
            payout.processing_started_at, payout.updated_at = now, now
            payout.attempts += 1
            return payout
    return None


def payout_execute(*, payout_id: int) -> Payout | None:
    """Pay one payout through its route, once.

    Claims the payout (pending → processing, compare-and-set: only one worker proceeds; or a
    processing Stripe payout left longer than ``PAYOUT_SWEEP_AFTER_SECONDS`` by a dead worker),
    then the route pays it outside any transaction. Stripe: processing → paid with the transfer
    id and the ledger's payout entry. Bank: stays processing, approved for the next
    ``bank_batch_create``. A Stripe error worth retrying puts it back to pending and raises
    ``PayoutRetryable`` (the task retries with backoff) until ``PAYOUT_MAX_ATTEMPTS``, then it
    is failed with the last error; a refusal fails it at once. Anything else: nothing to do.
    """
    payout = _payout_claim(payout_id=payout_id, now=timezone.now())
    if payout is None:
        return None
    route = payout_route_for(payout.seller)
    try:
        result = route.pay(payout)
    except PayoutRetryable as error:
        _payout_attempt_failed(payout=payout, error=str(error), retry=True)
        raise
    except PayoutRefused as error:
        _payout_attempt_failed(payout=payout, error=str(error), retry=False)
        return payout
    payout = _payout_record_result(payout=payout, result=result)
    if payout.status == PayoutState.PAID:
        # A refund that came in while the transfer was in flight had nothing to reverse yet.
        refunds_reverse_after_payout(payout=payout)
    return payout


@transaction.atomic
def _payout_record_result(*, payout: Payout, result: PayoutResult) -> Payout:
    if result.outcome == PayoutResult.AWAITING_BATCH:
        PayoutEvent.objects.create(
            payout=payout,
            from_status=payout.status,
            to_status=payout.status,
            note="approved for the bank batch",
        )
        return payout
    paid = _transition(
        payout,
        PayoutState.PAID,
        note="transferred",
        data={"stripe_transfer_id": result.stripe_transfer_id},
        stripe_transfer_id=result.stripe_transfer_id,
        transfer_amount=result.transfer_amount,
        transfer_currency=result.transfer_currency,
        paid_at=timezone.now(),
        last_error="",
    )
    if paid:
        ledger_record_payout(payout=payout)
    return payout


@transaction.atomic
def _payout_attempt_failed(*, payout: Payout, error: str, retry: bool) -> None:
    give_up = not retry or payout.attempts >= settings.PAYOUT_MAX_ATTEMPTS
    logger.warning(
        "Payout %s attempt %s failed (%s): %s",
        payout.pk,
        payout.attempts,
        "giving up" if give_up else "will retry",
        error,
    )
    _transition(
        payout,
        PayoutState.FAILED if give_up else PayoutState.PENDING,
        note=error[:500],
        last_error=error,
    )


@transaction.atomic
def payouts_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Re-queue payouts that a lost message or a killed worker left behind: pending, or
    processing on Stripe, for longer than ``PAYOUT_SWEEP_AFTER_SECONDS``. Safe because
    ``payout_execute`` claims by compare-and-set and transfers with an idempotency key."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.PAYOUT_SWEEP_AFTER_SECONDS)
    ids = list(
        Payout.objects.filter(
            Q(status=PayoutState.PENDING, updated_at__lte=stale)
            | Q(
                status=PayoutState.PROCESSING,
                route=PayoutRouteName.STRIPE_CONNECT,
                processing_started_at__lte=stale,
            ),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for payout_id in ids:
        enqueue_on_commit("payouts.execute", payout_id=payout_id)
    return ids


def _bank_amount(payout: Payout, currency: str) -> Decimal | None:
    if currency == payout.currency:
        return payout.amount
    rate = exchange_rate_get_latest(currency=currency)
    if rate is None:
        return None
    return quantize(payout.amount / rate.rate, currency)


@transaction.atomic
def bank_batch_create(*, date: dt.date) -> BankPayoutBatch | None:
    """The day's pain.001.001.03 file for every bank payout approved (processing) and not yet
    in a file: debtor the platform's account (``BANK_DEBTOR_*``), one credit transfer per
    payout to the seller's verified account in its currency (converted from AZN at the latest
    rate when it differs), end-to-end id the payout id.

    The file must validate against the ISO XSD, or nothing is stored and nothing changes.
    Decision: a payout counts as paid when its instruction is in the day's file (the bank
    executes the file; a returned transfer is a reversal, handled with refunds). One file per
    day: a second call for a date that has one returns it unchanged. None when nothing is due.
    """
    existing = BankPayoutBatch.objects.filter(date=date).first()
    if existing is not None:
        return existing
    payouts = list(
        Payout.objects.select_for_update(of=("self",))
        .filter(
            route=PayoutRouteName.BANK_TRANSFER,
            status=PayoutState.PROCESSING,
            bank_batch__isnull=True,
        )
        .select_related("seller__payout_account", "order_part__order")
        .order_by("pk")
    )
    lines = []
    for payout in payouts:
        account = payout.seller.payout_account
        amount = _bank_amount(payout, account.currency)
        if amount is None or not account.bank_verified:
            logger.warning(
                "Bank payout %s left for a later batch (no rate or unverified).", payout.pk
            )
            continue
        lines.append(
            (
                payout,
                pain001.CreditTransfer(
                    end_to_end_id=f"PAYOUT-{payout.pk}",
                    amount=amount,
                    currency=account.currency,
                    creditor=pain001.Party(
                        name=account.account_holder, iban=account.iban, bic=account.bic
                    ),
                    remittance=f"Creative Market payout {payout.pk} order "
                    f"{payout.order_part.order.number}",
                ),
            )
        )
    if not lines:
        return None
    message_id = f"CM-PAYOUTS-{date:%Y%m%d}"
    now = timezone.now()
    try:
        xml = pain001.build(
            message_id=message_id,
            created_at=now,
            execution_date=date,
            debtor=pain001.Party(
                name=settings.BANK_DEBTOR_NAME,
                iban=settings.BANK_DEBTOR_IBAN,
                bic=settings.BANK_DEBTOR_BIC,
            ),
            transfers=[transfer for _, transfer in lines],
        )
    except pain001.InvalidBankFile as error:
        raise DomainError(
            PayoutErrorCode.INVALID_BANK_FILE,
            f"The bank file for {date} does not validate: {error}",
        ) from error
    batch = BankPayoutBatch(date=date, message_id=message_id, payout_count=len(lines))
    batch.file.save(f"{message_id}.xml", ContentFile(xml), save=False)
    batch.save()
    _bank_payouts_mark_paid(batch=batch, lines=lines, now=now)
    return batch


def bank_batch_file_open(*, batch_id: int):
    """The bank file of ``batch_id`` opened for reading. It holds sellers' full IBANs: the
    caller lets only staff who manage payouts read it."""
    batch = BankPayoutBatch.objects.filter(pk=batch_id).exclude(file="").first()
    if batch is None:
        raise DomainError(PayoutErrorCode.NOT_FOUND, _NO_BANK_FILE, field="id")
    return batch, batch.file.open("rb")


@transaction.atomic
def bank_batch_mark_sent(*, batch_id: int, actor) -> BankPayoutBatch:
    """Staff (``payouts.manage_payouts``) say they uploaded the day's file to the bank: the
    batch becomes ``sent`` with who and when. Saying it again changes nothing (the first
    sender and time stay)."""
    batch = BankPayoutBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise DomainError(PayoutErrorCode.NOT_FOUND, _NO_BANK_FILE, field="id")
    if batch.status != BankPayoutBatchStatus.SENT:
        batch.status = BankPayoutBatchStatus.SENT
        batch.sent_at, batch.sent_by = timezone.now(), actor
        batch.save(update_fields=["status", "sent_at", "sent_by"])
    return batch


def _bank_payouts_mark_paid(*, batch, lines, now) -> None:
    for payout, transfer in lines:
        paid = _transition(
            payout,
            PayoutState.PAID,
            note="in bank batch",
            data={"batch": batch.message_id},
            bank_batch=batch,
            paid_at=now,
            transfer_amount=transfer.amount,
            transfer_currency=transfer.currency,
        )
        if not paid:
            raise DomainError(
                PayoutErrorCode.INVALID_BANK_FILE,
                f"Payout {payout.pk} changed while its batch was made.",
            )
        ledger_record_payout(payout=payout)
