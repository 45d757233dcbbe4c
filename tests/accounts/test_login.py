"""Signing in with e-mail and password, and the limits on failed attempts: per client address,
and per account from one address, so that nobody can lock an account's owner out."""

import pytest

from market.accounts.models import RefreshToken
from tests.accounts.conftest import LOGIN, ME, PASSWORD, bearer_client, client_at, login
from tests.factories import UserFactory
from tests.servers import RedisServer, caches_forget_outages, redis_caches

pytestmark = pytest.mark.django_db

INVALID_CREDENTIALS = [
    {
        "field": None,
        "code": "INVALID_CREDENTIALS",
        "message": "The e-mail address or password is not correct.",
    }
]


@pytest.fixture
def small_throttle(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_MAX_FAILURES_PER_CLIENT = 5
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600


def fail_login(gql, email, times):
    for _ in range(times):
        assert login(gql, email, "wrong password")["errors"][0]["code"] == "INVALID_CREDENTIALS"


def test_signing_in_returns_an_access_token_that_speaks_for_the_user(gql):
    user = UserFactory(email="ada@example.com")

    payload = login(gql, "ada@example.com")

    assert payload["errors"] == []
    assert payload["user"]["email"] == "ada@example.com"
    assert bearer_client(payload["accessToken"]).execute(ME) == {"me": {"email": "ada@example.com"}}
    assert RefreshToken.objects.filter(user=user, revoked_at__isnull=True).count() == 1


def test_the_address_is_matched_in_any_case(gql):
    UserFactory(email="ada@example.com")

    payload = login(gql, "  Ada@EXAMPLE.com")

    assert payload["errors"] == []


def test_a_wrong_password_is_refused(gql):
    UserFactory(email="ada@example.com")

    payload = login(gql, "ada@example.com", "not the password")

    assert payload == {
        "accessToken": None,
        "refreshToken": None,
        "user": None,
        "errors": INVALID_CREDENTIALS,
    }
    assert RefreshToken.objects.count() == 0


def test_an_unknown_address_answers_exactly_like_a_wrong_password(gql):
    payload = login(gql, "nobody@example.com")

    assert payload == {
        "accessToken": None,
        "refreshToken": None,
        "user": None,
        "errors": INVALID_CREDENTIALS,
    }


def test_an_inactive_user_cannot_sign_in(gql):
    UserFactory(email="ada@example.com", is_active=False)

    payload = login(gql, "ada@example.com")

    assert payload["errors"] == INVALID_CREDENTIALS
    assert RefreshToken.objects.count() == 0


def test_an_unverified_user_may_sign_in(gql):
    UserFactory(email="ada@example.com", is_email_verified=False)

    payload = login(gql, "ada@example.com")

    assert payload["errors"] == []


def test_after_too_many_failures_even_the_right_password_is_refused(gql, small_throttle):
    UserFactory(email="ada@example.com")
    fail_login(gql, "ada@example.com", 3)

    payload = login(gql, "ada@example.com")

    assert payload == {
        "accessToken": None,
        "refreshToken": None,
        "user": None,
        "errors": [
            {
                "field": None,
                "code": "TOO_MANY_ATTEMPTS",
                "message": "Too many failed sign-ins: try again in up to 10 minutes.",
            }
        ],
    }
    assert RefreshToken.objects.count() == 0


@pytest.fixture
def evicting_cache_and_kept_limits(settings, tmp_path):
    """Production's advice: the cache on a Redis capped with allkeys-lru (anyone can fill it
    with new catalogue answers), the limits' counters on one that never evicts."""
    import redis

    (tmp_path / "cache").mkdir()
    (tmp_path / "limits").mkdir()
    cache_server = RedisServer(tmp_path / "cache")
    limits_server = RedisServer(tmp_path / "limits")
    capped = redis.Redis.from_url(cache_server.url)
    capped.config_set("maxmemory", "2mb")
    capped.config_set("maxmemory-policy", "allkeys-lru")
    settings.CACHES = {
        "default": redis_caches(cache_server.url)["default"],
        "limits": redis_caches(limits_server.url)["limits"],
    }
    caches_forget_outages()
    yield capped
    caches_forget_outages()
    cache_server.stop()
    limits_server.stop()


def test_filling_the_cache_does_not_forget_a_guessers_failures(
    gql, small_throttle, evicting_cache_and_kept_limits
):
    from django.core.cache import caches

    UserFactory(email="ada@example.com")
    fail_login(gql, "ada@example.com", 3)

    for number in range(400):  # 8 MB into a 2 MB cache
        caches["default"].set(f"flood:{number}", "x" * 20_000, 60)
    payload = login(gql, "ada@example.com")

    assert evicting_cache_and_kept_limits.info("stats")["evicted_keys"] > 0
    assert payload["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"


def test_failures_below_the_limit_do_not_block(gql, small_throttle):
    UserFactory(email="ada@example.com")
    fail_login(gql, "ada@example.com", 2)

    payload = login(gql, "ada@example.com")

    assert payload["errors"] == []


def test_the_throttle_counts_an_address_in_any_case(gql, small_throttle):
    UserFactory(email="ada@example.com")
    fail_login(gql, "ADA@example.com", 2)
    fail_login(gql, "ada@example.com", 1)

    payload = login(gql, "ada@example.com")

    assert payload["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"


def test_unknown_addresses_are_throttled_too(gql, small_throttle):
    fail_login(gql, "nobody@example.com", 3)

    payload = login(gql, "nobody@example.com")

    assert payload["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"


def test_the_throttle_holds_one_address_only(gql, small_throttle):
    UserFactory(email="ada@example.com")
    UserFactory(email="eve@example.com")
    fail_login(gql, "eve@example.com", 3)

    payload = login(gql, "ada@example.com")

    assert payload["errors"] == []


def test_a_success_starts_the_failure_count_afresh(gql, small_throttle):
    UserFactory(email="ada@example.com")
    fail_login(gql, "ada@example.com", 2)
    assert login(gql, "ada@example.com")["errors"] == []
    fail_login(gql, "ada@example.com", 2)

    payload = login(gql, "ada@example.com")

    assert payload["errors"] == []


def test_signing_in_works_again_once_the_window_has_passed(gql, settings, clock):
    # The window is the lifetime of the failures' cache entry: a local cache reads this
    # process's clock, which the test moves (Redis keeps the server's time).
    settings.CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"sign-in-window-{alias}",
        }
        for alias in ("default", "limits")
    }
    settings.LOGIN_MAX_FAILURES = 2
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 60
    UserFactory(email="ada@example.com")
    fail_login(gql, "ada@example.com", 2)
    clock.shift(59)
    assert login(gql, "ada@example.com")["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"

    clock.shift(2)
    payload = login(gql, "ada@example.com")

    assert payload["errors"] == []


def test_an_absurdly_long_password_is_refused_without_hashing_it(gql):
    UserFactory(email="ada@example.com")

    payload = gql.execute(LOGIN, {"email": "ada@example.com", "password": PASSWORD * 1000})

    assert payload["tokenCreate"]["errors"] == INVALID_CREDENTIALS


def test_the_owner_signs_in_from_their_own_address_while_an_attacker_is_refused(db, small_throttle):
    """Failures against an account lock only the address they came from."""
    UserFactory(email="ada@example.com")
    attacker, owner = client_at("203.0.113.7"), client_at("198.51.100.9")
    fail_login(attacker, "ada@example.com", 3)

    from_owner = login(owner, "ada@example.com")
    from_attacker = login(attacker, "ada@example.com")

    assert from_owner["errors"] == []
    assert from_attacker["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"
    assert RefreshToken.objects.count() == 1


def test_one_client_trying_many_addresses_is_refused_for_every_account(db, small_throttle):
    UserFactory(email="ada@example.com")
    attacker = client_at("203.0.113.7")
    for number in range(5):
        fail_login(attacker, f"guess{number}@example.com", 1)

    refused = login(attacker, "ada@example.com")
    elsewhere = login(client_at("198.51.100.9"), "ada@example.com")

    assert refused["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"
    assert refused["accessToken"] is None
    assert elsewhere["errors"] == []
    assert RefreshToken.objects.count() == 1


def test_signing_in_to_an_own_account_does_not_clear_the_address_count(db, small_throttle):
    """Else a client could interleave sign-ins to its own account with guesses at others'."""
    UserFactory(email="eve@example.com")
    attacker = client_at("203.0.113.7")
    for number in range(4):
        fail_login(attacker, f"guess{number}@example.com", 1)
        assert login(attacker, "eve@example.com")["errors"] == []
    fail_login(attacker, "guess4@example.com", 1)

    payload = login(attacker, "eve@example.com")

    assert payload["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"


def test_a_forged_x_forwarded_for_is_ignored_without_trusted_proxies(db, small_throttle):
    UserFactory(email="ada@example.com")
    for number in range(5):
        fail_login(
            client_at("203.0.113.7", forwarded_for=f"10.0.0.{number}"),
            f"guess{number}@example.com",
            1,
        )

    payload = login(client_at("203.0.113.7", forwarded_for="10.0.0.99"), "ada@example.com")

    assert payload["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"


def test_behind_a_trusted_proxy_the_client_is_the_hop_the_proxy_added(db, small_throttle, settings):
    """What the client itself wrote into X-Forwarded-For (left of the proxy's hop) is not
    believed: rotating it does not escape the limit."""
    settings.MARKET_TRUSTED_PROXY_COUNT = 1
    UserFactory(email="ada@example.com")
    proxy = "10.0.0.2"
    for number in range(3):
        fail_login(
            client_at(proxy, forwarded_for=f"192.0.2.{number}, 203.0.113.7"), "ada@example.com", 1
        )

    attacker = login(client_at(proxy, forwarded_for="192.0.2.99, 203.0.113.7"), "ada@example.com")
    owner = login(client_at(proxy, forwarded_for="198.51.100.9"), "ada@example.com")

    assert attacker["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"
    assert owner["errors"] == []
