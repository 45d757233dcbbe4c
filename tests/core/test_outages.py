"""An outage of a service (the cache, the broker, the relay's database) is logged when it starts,
then at most once a minute, and its end once; after a failure the service is left alone for
the caller's pause."""

import pytest

import market.core.outages
from market.core.outages import Outage


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(market.core.outages.time, "monotonic", lambda: now[0])
    return now


def test_the_first_failure_is_reported_and_the_next_ones_of_that_minute_are_not(clock):
    outage = Outage()

    first = outage.failed()
    clock[0] += 30
    second = outage.failed()
    clock[0] += 31
    third = outage.failed()

    assert (first, second, third) == (1, None, 3)


def test_the_end_of_a_reported_outage_says_how_many_failures_it_counted(clock):
    outage = Outage()
    outage.failed()
    outage.failed()

    assert outage.recovered() == 2
    assert outage.recovered() is None


def test_after_a_recovery_the_next_failure_is_reported_at_once(clock):
    outage = Outage()
    outage.failed()
    outage.recovered()
    clock[0] += 1

    assert outage.failed() == 1


def test_a_failure_pauses_the_service_for_the_callers_pause_and_a_recovery_ends_it(clock):
    outage = Outage()

    outage.failed(pause=10)
    clock[0] += 9.9
    paused_within = outage.pausing()
    clock[0] += 0.2
    paused_after = outage.pausing()
    outage.failed(pause=10)
    outage.recovered()

    assert (paused_within, paused_after, outage.pausing()) == (True, False, False)
