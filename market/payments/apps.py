from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "market.payments"
    label = "payments"

    def ready(self):
        # Payments' handlers of Stripe's events register with the inbox as they load.
        from market.payments import refunds, services  # noqa: F401
