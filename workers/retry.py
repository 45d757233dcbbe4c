"""How long a task waits before it asks an outside service again."""

import random


def backoff_seconds(retries: int) -> float:
    """10 s doubling per retry, at most 10 minutes, plus up to half again of jitter so that
    tasks failing together do not come back together. The wait is spent in the outbox
    (``workers.outbox.OutboxTask.retry``), not in the broker, so it may exceed the broker's
    visibility timeout."""
    backoff = float(min(600, 10 * 2**retries))
    return backoff + random.uniform(0, backoff / 2)
