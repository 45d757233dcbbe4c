from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "market.core"
    label = "core"

    def ready(self) -> None:
        # Registers the deploy checks (manage.py check --deploy).
        from market.core import checks  # noqa: F401
        from market.core.images import configure_pillow
        from market.core.metrics import scrape_gauge_register
        from market.core.outbox import outbox_lag_seconds

        configure_pillow()
        scrape_gauge_register(
            "market_outbox_lag_seconds",
            "Age of the oldest task due and not yet handed to the broker (0 when none waits).",
            outbox_lag_seconds,
        )
