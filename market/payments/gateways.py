"""Payment gateways behind one interface: a dummy one (the demo) and Stripe.

A gateway starts a payment and confirms it after 3-D Secure; it answers with a
:class:`GatewayResult` and never touches the database (the services apply the result under a
compare-and-set). Amounts cross the gateway boundary as integers in the currency's minor units.
"""

from __future__ import annotations

import logging
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal

import stripe
from django.conf import settings

from market.core.errors import DomainError
from market.core.money import to_minor_units as money_to_minor_units
from market.payments.error_codes import PaymentErrorCode
from market.payments.models import Payment, PaymentGatewayName, PaymentStatus
from market.payments.stripe_client import stripe_client

AUTHENTICATION_FAILED = "payment_intent_authentication_failure"
UNEXPECTED_STATE = "payment_intent_unexpected_state"

logger = logging.getLogger(__name__)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """``amount`` in the currency's minor units, refused (``amount_mismatch``) when finer than
    the minor unit: it would be charged rounded."""
    try:
        return money_to_minor_units(amount, currency)
    except ValueError as error:
        raise DomainError(PaymentErrorCode.AMOUNT_MISMATCH, str(error), field="amount") from None


class GatewayRetryable(Exception):
    """The gateway could not answer now (network trouble, a timeout, a 5xx, rate limited): the
    same request, with the same idempotency key, may be sent again later. ``known`` is what was
    done before the failure (a PaymentIntent made, its confirmation unanswered), to record."""

    def __init__(self, message: str = "", *, known: GatewayResult | None = None) -> None:
        super().__init__(message)
        self.known = known


def stripe_error_is_transient(error: stripe.StripeError) -> bool:
    """Whether asking Stripe again (with the same idempotency key) may succeed: the network
    failed or timed out, Stripe rate-limited us, answered 5xx, or was still busy with the same
    key (409). Anything else is a refusal that a retry would only repeat."""
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError):
        return True
    status = error.http_status or 500
    return status >= 500 or status in (409, 429)


@dataclass(frozen=True)
class GatewayResult:
    """What the gateway says about a payment now."""

    status: PaymentStatus
    provider_id: str = ""
    client_secret: str = ""
    next_action: dict | None = None
    charge_id: str = ""
    decline_code: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class RefundResult:
    """What the gateway says about a refund: ``succeeded``, ``pending`` (Stripe settles some
    refunds later) or ``failed``."""

    status: str
    provider_id: str = ""
    failure_message: str = ""


class PaymentGateway(ABC):
    name: str

    @abstractmethod
    def check_card(self, card: str | None) -> None:
        """Refuse a malformed card argument before anything is written."""

    @abstractmethod
    def start(self, *, payment: Payment, card: str | None) -> GatewayResult:
        """Begin charging ``payment``; safe to call again for the same payment."""

    @abstractmethod
    def confirm(self, *, payment: Payment, authenticated: bool) -> GatewayResult:
        """Where the payment stands after the buyer's 3-D Secure step."""

    @abstractmethod
    def refund(
        self,
        *,
        payment: Payment,
        amount: Decimal,
        idempotency_key: str,
        metadata: dict | None = None,
    ) -> RefundResult:
        """Give ``amount`` (order currency) of a succeeded ``payment`` back to the buyer; the
        same ``idempotency_key`` again answers with the same refund. Called by a worker only
        (``payments.send_refund``); raises ``GatewayRetryable`` when asking again may help."""


class DummyGateway(PaymentGateway):
    """Deterministic test cards, no money moves (the demo and most tests)."""

    name = PaymentGatewayName.DUMMY
    SUCCEEDS = "4242424242424242"
    DECLINES = "4000000000000002"
    REQUIRES_ACTION = "4000002500003155"
    MAX_CARD_LENGTH = 32

    @staticmethod
    def _number(card: str | None) -> str:
        return "".join((card or "").split())

    def check_card(self, card: str | None) -> None:
        number = self._number(card)
        if not number or len(number) > self.MAX_CARD_LENGTH:
            raise DomainError(
                PaymentErrorCode.INVALID,
                f"Give a test card number, e.g. {self.SUCCEEDS}.",
                field="card",
            )

    def start(self, *, payment: Payment, card: str | None) -> GatewayResult:
        provider_id = payment.provider_id or f"dummy_{secrets.token_hex(12)}"
        ids = {
            "provider_id": provider_id,
            "client_secret": f"{provider_id}_secret_{secrets.token_hex(8)}",
        }
        number = self._number(card)
        if number == self.SUCCEEDS:
            return GatewayResult(PaymentStatus.SUCCEEDED, **ids)
        if number == self.REQUIRES_ACTION:
            return GatewayResult(
                PaymentStatus.REQUIRES_ACTION,
                **ids,
                next_action={"type": "three_d_secure", "hint": "confirm with orderPaymentConfirm"},
            )
        if number == self.DECLINES:
            return GatewayResult(
                PaymentStatus.FAILED,
                **ids,
                decline_code="card_declined",
                failure_message="Your card was declined.",
            )
        return GatewayResult(
            PaymentStatus.FAILED,
            **ids,
            decline_code="incorrect_number",
            failure_message="Your card number is incorrect.",
        )

    def confirm(self, *, payment: Payment, authenticated: bool) -> GatewayResult:
        if authenticated:
            return GatewayResult(PaymentStatus.SUCCEEDED)
        return GatewayResult(
            PaymentStatus.FAILED,
            decline_code=AUTHENTICATION_FAILED,
            failure_message="3-D Secure authentication failed.",
        )

    def refund(
        self,
        *,
        payment: Payment,
        amount: Decimal,
        idempotency_key: str,
        metadata: dict | None = None,
    ) -> RefundResult:
        to_minor_units(amount, payment.currency)
        return RefundResult("succeeded", provider_id=f"dummy_re_{idempotency_key}"[:255])


class StripeGateway(PaymentGateway):
    """One PaymentIntent per payment on the platform account, in the order's currency.

    The storefront confirms it with Stripe.js using ``client_secret``; the outcome arrives by
    the ``payment_intent.*`` webhooks. ``card`` may name a PaymentMethod (``pm_…``) to confirm
    at once (server-side confirmation, and the tests).
    """

    name = PaymentGatewayName.STRIPE

    def check_card(self, card: str | None) -> None:
        if card and not (card.startswith("pm_") and len(card) <= 255):
            raise DomainError(
                PaymentErrorCode.INVALID,
                "With Stripe, 'card' is a PaymentMethod id (pm_…); card numbers "
                "never reach our server.",
                field="card",
            )

    def start(self, *, payment: Payment, card: str | None) -> GatewayResult:
        """The payment's one PaymentIntent, made and (given ``card``) confirmed in two POSTs,
        each with a key derived from the payment and the step: ``payment-<id>-create`` (its
        parameters all come from the payment row, so a retry is always the same request and
        answers the same PaymentIntent) and ``payment-<id>-confirm``.

        When Stripe does not answer (:func:`stripe_error_is_transient`, after the SDK's own
        retries) ``GatewayRetryable`` is raised, carrying the PaymentIntent if it was made:
        starting the payment again asks Stripe again with the same keys, so the buyer is
        charged once. Another refusal is a ``gateway_error``; a declined card a failed result.
        """
        intent_id, client_secret = payment.provider_id, payment.client_secret
        if not intent_id:
            try:
                intent = stripe_client().v1.payment_intents.create(
                    params=self._create_params(payment),
                    options={"idempotency_key": f"payment-{payment.pk}-create"},
                )
            except stripe.StripeError as error:
                raise _stripe_failure(error, payment=payment) from error
            if not card:
                return self.result(intent.to_dict())
            intent_id, client_secret = intent.id, intent.client_secret or ""
        if not card:
            return self._read(payment=payment, intent_id=intent_id)
        made = GatewayResult(
            PaymentStatus.PENDING, provider_id=intent_id, client_secret=client_secret
        )
        try:
            intent = stripe_client().v1.payment_intents.confirm(
                intent_id,
                params={"payment_method": card},
                options={"idempotency_key": f"payment-{payment.pk}-confirm"},
            )
        except stripe.CardError as error:
            return self._declined(error)
        except (stripe.IdempotencyError, stripe.InvalidRequestError) as error:
            if isinstance(error, stripe.IdempotencyError) or error.code == UNEXPECTED_STATE:
                # Confirmed already (by an earlier attempt whose answer was lost, perhaps with
                # another card, or by Stripe.js): Stripe knows the outcome; read it.
                return self._read(payment=payment, intent_id=intent_id)
            raise _stripe_failure(error, payment=payment, known=made) from error
        except stripe.StripeError as error:
            raise _stripe_failure(error, payment=payment, known=made) from error
        return self.result(intent.to_dict())

    @staticmethod
    def _create_params(payment: Payment) -> dict:
        order = payment.order
        return {
            "amount": payment.amount_minor,
            "currency": payment.currency.lower(),
            "transfer_group": order.number,
            "metadata": {"order_number": order.number, "payment_id": str(payment.pk)},
            "payment_method_types": ["card"],
            "description": f"Creative Market order {order.number}",
        }

    def _read(self, *, payment: Payment, intent_id: str) -> GatewayResult:
        try:
            intent = stripe_client().v1.payment_intents.retrieve(intent_id)
        except stripe.StripeError as error:
            raise _stripe_failure(error, payment=payment) from error
        return self.result(intent.to_dict())

    def confirm(self, *, payment: Payment, authenticated: bool) -> GatewayResult:
        # The buyer authenticated with Stripe.js; Stripe knows the outcome, we read it.
        return self._read(payment=payment, intent_id=payment.provider_id)

    def refund(
        self,
        *,
        payment: Payment,
        amount: Decimal,
        idempotency_key: str,
        metadata: dict | None = None,
    ) -> RefundResult:
        """A Stripe refund of the payment's PaymentIntent, in minor units of its currency.

        A transient error (:func:`stripe_error_is_transient`) raises ``GatewayRetryable``: the
        refund stays pending and the worker asks again with the same key. A refusal answers
        failed, with Stripe's reason.
        """
        params = {
            "payment_intent": payment.provider_id,
            "amount": to_minor_units(amount, payment.currency),
            "metadata": metadata or {},
        }
        try:
            refund = stripe_client().v1.refunds.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as error:
            if stripe_error_is_transient(error):
                raise GatewayRetryable(error.user_message or str(error)) from error
            return RefundResult("failed", failure_message=error.user_message or str(error))
        status = {"succeeded": "succeeded", "failed": "failed", "canceled": "failed"}.get(
            refund.status, "pending"
        )
        return RefundResult(
            status,
            provider_id=refund.id,
            failure_message=getattr(refund, "failure_reason", None) or "",
        )

    @staticmethod
    def result(intent: dict) -> GatewayResult:
        """A PaymentIntent (as the API or a webhook shows it) as a gateway result."""
        ids = {"provider_id": intent["id"], "client_secret": intent.get("client_secret") or ""}
        status = intent.get("status")
        error = intent.get("last_payment_error") or {}
        if status == "succeeded":
            return GatewayResult(
                PaymentStatus.SUCCEEDED, **ids, charge_id=_charge_id(intent.get("latest_charge"))
            )
        if status == "requires_action":
            return GatewayResult(
                PaymentStatus.REQUIRES_ACTION, **ids, next_action=intent.get("next_action")
            )
        if status == "canceled":
            return GatewayResult(PaymentStatus.CANCELLED, **ids)
        if status == "requires_payment_method" and error:
            return GatewayResult(
                PaymentStatus.FAILED,
                **ids,
                decline_code=error.get("code") or "card_declined",
                failure_message=_failure_message(error),
            )
        return GatewayResult(PaymentStatus.PENDING, **ids)

    @staticmethod
    def _declined(error: stripe.CardError) -> GatewayResult:
        body = (error.json_body or {}).get("error") or {}
        intent = body.get("payment_intent") or {}
        return GatewayResult(
            PaymentStatus.FAILED,
            provider_id=intent.get("id") or "",
            client_secret=intent.get("client_secret") or "",
            decline_code=error.code or "card_declined",
            failure_message=_failure_message(body),
        )


def _charge_id(charge) -> str:
    if isinstance(charge, dict):
        return charge.get("id") or ""
    return charge or ""


def _failure_message(error: dict) -> str:
    message = error.get("message") or "The payment failed."
    detail = error.get("decline_code")
    return f"{message} ({detail})" if detail else message


def _stripe_failure(
    error: stripe.StripeError, *, payment: Payment, known: GatewayResult | None = None
) -> Exception:
    """What to raise for a Stripe error other than a declined card: ``GatewayRetryable`` when
    asking again may help, else a ``gateway_error`` that names no internals (Stripe's own words
    go to the log, with its request id, for us to read)."""
    transient = stripe_error_is_transient(error)
    logger.warning(
        "Stripe %s for payment %s: %s %s (request %s)",
        "did not answer" if transient else "refused a request",
        payment.pk,
        type(error).__name__,
        error.user_message or "",
        error.request_id or "-",
    )
    if transient:
        return GatewayRetryable(type(error).__name__, known=known)
    return DomainError(
        PaymentErrorCode.GATEWAY_ERROR,
        "The payment provider refused to take this payment. Try again later, or contact us.",
    )


GATEWAYS: dict[str, type[PaymentGateway]] = {
    PaymentGatewayName.DUMMY: DummyGateway,
    PaymentGatewayName.STRIPE: StripeGateway,
}


def gateway_get(name: str | None) -> PaymentGateway:
    """The named gateway (default ``PAYMENT_GATEWAY``), if it is enabled (``PAYMENT_GATEWAYS``)."""
    name = (name or settings.PAYMENT_GATEWAY).strip().lower()
    if name not in GATEWAYS or name not in settings.PAYMENT_GATEWAYS:
        raise DomainError(
            PaymentErrorCode.GATEWAY_NOT_AVAILABLE,
            f"Gateway '{name}' is not available; use one of: "
            f"{', '.join(settings.PAYMENT_GATEWAYS)}.",
            field="gateway",
        )
    return GATEWAYS[name]()
