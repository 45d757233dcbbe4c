from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "market.payouts"
    label = "payouts"

    def ready(self):
        # Payouts registers, as they load, its handlers of Stripe's events with the inbox and
        # what it must hear of refunds with payments: payments never imports payouts. Its
        # gauge of failed payouts is read at each scrape of /metrics.
        from market.core.metrics import scrape_gauge_register
        from market.payouts import refund_reversals, stripe_events  # noqa: F401
        from market.payouts.selectors import payout_failed_count

        scrape_gauge_register(
            "market_payouts_failed",
            "Payouts in the failed state, waiting for staff.",
            payout_failed_count,
        )
