from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "market.payouts"
    label = "payouts"

    def ready(self):
        # Payouts registers, as they load, its handlers of Stripe's events with the inbox and
        # what it must hear of refunds with payments: payments never imports payouts.
        from market.payouts import refund_reversals, stripe_events  # noqa: F401
