"""What a seller is told about a failed payout: Stripe's message, never its internals."""

from market.payouts.models import Payout
from market.payouts.selectors import MAX_FAILURE_REASON, payout_failure_reason


def failed(last_error: str) -> Payout:
    return Payout(status="failed", last_error=last_error)


def test_stripes_request_id_is_left_out():
    payout = failed("Request req_Ab12: No such destination: 'acct_9'")

    assert payout_failure_reason(payout=payout) == "No such destination: 'acct_9'"


def test_network_details_after_the_message_are_left_out():
    payout = failed(
        "Unexpected error communicating with Stripe.  If this problem persists,\n"
        "let us know at support@stripe.com.\n\n(Network error: ConnectionError: "
        "HTTPConnectionPool(host='10.0.0.7', port=443))"
    )

    assert payout_failure_reason(payout=payout) == (
        "Unexpected error communicating with Stripe. If this problem persists, let us know at "
        "support@stripe.com."
    )


def test_our_own_reasons_are_shown_as_they_are():
    payout = failed("The seller's payout route is not verified.")

    assert payout_failure_reason(payout=payout) == "The seller's payout route is not verified."


def test_a_very_long_message_is_cut_short():
    reason = payout_failure_reason(payout=failed("x" * 2000))

    assert len(reason) == MAX_FAILURE_REASON and reason.endswith("…")


def test_no_reason_is_given_unless_the_payout_failed():
    for status in ("pending", "processing", "paid"):
        assert payout_failure_reason(payout=Payout(status=status, last_error="Down.")) is None
    assert payout_failure_reason(payout=failed("  ")) is None
