"""Which GraphQL answers are the same for every anonymous visitor, and their keys.

An answer is kept (``market.core.catalogue_cache``) only when it is a query whose every root
field is a public catalogue read below, asked without any ``Authorization`` header (the
storefront: by a visitor who is not signed in). Nothing else a visitor has (a cart's token, a
seller's or staff's rights) reaches these fields. The key holds everything the answer depends
on: the document's text, the operation's name, the variables, the language (country names),
the scheme and host (absolute image URLs), the base currency and the schema itself.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language
from graphql import FieldNode, OperationDefinitionNode, OperationType, print_schema

from market.core.catalogue_cache import ANSWER_PREFIX, CatalogueAnswer

# Public reads of the catalogue: their answers depend on nothing the visitor is or holds.
CATALOGUE_ROOT_FIELDS = frozenset(
    {
        "products",
        "product",
        "categories",
        "category",
        "productOriginCountries",
        "sellers",
        "seller",
        "__typename",
    }
)


def operation_is_catalogue_read(operation: OperationDefinitionNode | None) -> bool:
    """A query (never a mutation) whose root fields are all catalogue reads (no fragments)."""
    if operation is None or operation.operation != OperationType.QUERY:
        return False
    return all(
        isinstance(selection, FieldNode) and selection.name.value in CATALOGUE_ROOT_FIELDS
        for selection in operation.selection_set.selections
    )


@cache
def _schema_digest() -> str:
    from market.graphql.schema import schema

    return hashlib.sha256(print_schema(schema.graphql_schema).encode()).hexdigest()[:16]


@lru_cache(maxsize=256)
def _document_digest(document: str) -> str:
    """The same few documents come again and again (the storefront's, an app's): each is
    hashed once per process, not on every request."""
    return hashlib.sha256(document.encode()).hexdigest()


def catalogue_answer_key(
    request: HttpRequest,
    *,
    audience: str,
    document: str,
    operation_name: str | None,
    variables: Any,
) -> str:
    """``audience`` names the shape of what is kept: the API keeps whole responses
    (``{"data": …}``), the storefront only their data. The same document asked through each
    must never share a key, or one would read the other's shape."""
    parts = [
        audience,
        _document_digest(document),
        operation_name,
        variables,
        get_language(),
        request.scheme,
        request.get_host(),
        settings.MARKET_BASE_CURRENCY,
    ]
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"{ANSWER_PREFIX}{_schema_digest()}:{digest}"


def products_shown(context: Any, product_ids: list[int]) -> None:
    """Note the products an answer shows, when the request computes one to keep."""
    answer: CatalogueAnswer | None = getattr(context, "catalogue_answer", None)
    if answer is not None:
        answer.product_ids.update(product_ids)


def product_stock_shown(context: Any, product_ids: list[int]) -> None:
    """Note the products whose units on hand an answer shows (a sale of one drops it)."""
    answer: CatalogueAnswer | None = getattr(context, "catalogue_answer", None)
    if answer is not None:
        answer.stock_product_ids.update(product_ids)


def stock_filter_used(context: Any) -> None:
    """Note that an answer lists products by whether they are in stock (a sell-out drops it)."""
    answer: CatalogueAnswer | None = getattr(context, "catalogue_answer", None)
    if answer is not None:
        answer.stocked = True
