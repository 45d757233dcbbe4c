from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "market.core"
    label = "core"

    def ready(self) -> None:
        # Registers the deploy checks (manage.py check --deploy).
        from market.core import checks  # noqa: F401
        from market.core.images import configure_pillow
        from market.core.metrics import scrape_gauge_register
        from market.core.models import ExchangeRate
        from market.core.outbox import outbox_lag_seconds
        from market.core.reference_cache import reference_table_register

        configure_pillow()
        # Quotes keep the latest rates in the shared cache: a new rate drops them.
        reference_table_register(ExchangeRate)
        scrape_gauge_register(
            "market_outbox_lag_seconds",
            "Age of the oldest task due and not yet handed to the broker (0 when none waits).",
            outbox_lag_seconds,
        )
