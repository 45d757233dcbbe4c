from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def request_memo(info, key: str, load: Callable[[], T]) -> T:
    """Load something once per GraphQL request (e.g. the category tree), keyed by ``key``."""
    memo = info.context.__dict__.setdefault("_market_memo", {})
    if key not in memo:
        memo[key] = load()
    return memo[key]


def absolute_url(info, url: str) -> str:
    request = info.context
    return request.build_absolute_uri(url) if hasattr(request, "build_absolute_uri") else url
