"""Racing calls for real: threads released together, each on its own database connection.

A race test builds its rows, then hands ``race`` the calls that compete (usually with
``pytest.mark.django_db(transaction=True)`` on PostgreSQL, where row locks are real).
"""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

from market.core.errors import DomainError


def race(*calls: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Run ``calls`` at once, one thread each, started together by a barrier; each thread
    closes its database connection when done. Returns, in the calls' order, each call's result
    or the exception it raised (a deadlock or an integrity error shows here)."""
    start = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=timeout)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - handed back to the test to assert on
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing call never finished"
    return outcomes


def domain_outcomes(outcomes: list[Any], *, ok: Any = None) -> list[Any]:
    """``race``'s outcomes as a test states them: a domain error as its code, a result as
    ``ok`` (or itself when ``ok`` is None); any other exception is raised, failing the test."""
    stated = []
    for outcome in outcomes:
        if isinstance(outcome, DomainError):
            stated.append(outcome.code)
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            stated.append(outcome if ok is None else ok)
    return stated
