"""The address sign-in limits count for: the client's, never one it can choose."""

import pytest
from django.test import RequestFactory

from market.accounts.throttling import request_client_address


def request(remote_addr: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().post("/graphql/", **extra)


def test_without_trusted_proxies_the_client_is_remote_addr_whatever_the_header_says():
    assert request_client_address(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@pytest.mark.parametrize(
    "count, forwarded_for, expected",
    [
        (1, "192.0.2.1, 203.0.113.7", "203.0.113.7"),
        (2, "192.0.2.1, 203.0.113.7, 10.0.0.3", "203.0.113.7"),
        (2, "203.0.113.7", "203.0.113.7"),
        (1, "", "10.0.0.2"),
    ],
)
def test_behind_trusted_proxies_the_client_is_the_first_hop_they_did_not_add(
    settings, count, forwarded_for, expected
):
    settings.MARKET_TRUSTED_PROXY_COUNT = count

    assert request_client_address(request("10.0.0.2", forwarded_for)) == expected


def test_an_ipv6_client_counts_as_its_64_network():
    """One client usually holds a whole /64: new addresses from it are the same client."""
    first = request_client_address(request("2001:db8:1:2::1"))
    second = request_client_address(request("2001:db8:1:2:ffff::9"))

    assert first == second == "2001:db8:1:2::/64"
    assert request_client_address(request("2001:db8:1:3::1")) != first


def test_an_ipv4_mapped_ipv6_address_counts_as_the_ipv4_address():
    assert request_client_address(request("::ffff:203.0.113.7")) == "203.0.113.7"


def test_a_forwarded_hop_that_is_no_address_counts_as_unknown(settings):
    settings.MARKET_TRUSTED_PROXY_COUNT = 1

    assert request_client_address(request("10.0.0.2", "<script>")) == "unknown"
