from workers.app import app

# Services are imported inside tasks: this module is loaded with the Celery app, before
# Django's models are ready.


class ExchangeRatesSourceUnreachable(Exception):
    """The bank could not be reached; the task retries with backoff."""


@app.task(
    name="core.refresh_exchange_rates",
    autoretry_for=(ExchangeRatesSourceUnreachable,),
    max_retries=6,
    retry_backoff=300,
    retry_jitter=True,
    # Up to 50 minutes between tries: a retry waits in the outbox, not in the broker.
    retry_backoff_max=50 * 60,
)
def refresh_exchange_rates() -> str:
    from market.core.rates_fetch import RefreshOutcome, exchange_rates_refresh

    result = exchange_rates_refresh()
    if result.outcome == RefreshOutcome.UNREACHABLE:
        raise ExchangeRatesSourceUnreachable(result.message)
    return result.message
