"""Full-text search on PostgreSQL: weighted, stemmed, served by a GIN index."""

import pytest
from django.db import connection

from market.catalog.services import product_refresh_derived_fields
from tests.factories import AttributeValueFactory, listed_product

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SEARCH = """query($q: String) { products(filter: {search: $q}) {
    edges { node { name } } } }"""


def found(gql, text):
    return [e["node"]["name"] for e in gql.execute(SEARCH, {"q": text})["products"]["edges"]]


def test_name_outranks_maker_and_attributes_which_outrank_description(gql):
    listed_product(name="Teapot", description="Painted with a copper glaze")
    listed_product(name="Copper tray")
    tray = listed_product(name="Tray")
    tray.attribute_values.add(AttributeValueFactory(name="Copper"))
    product_refresh_derived_fields(product_ids=[tray.pk])

    assert found(gql, "copper") == ["Copper tray", "Tray", "Teapot"]


def test_search_matches_word_forms(gql):
    listed_product(name="Hand-knotted carpets from Quba")

    assert found(gql, "carpet") == ["Hand-knotted carpets from Quba"]


def test_search_understands_quoted_phrases_and_exclusions(gql):
    listed_product(name="Silk scarf")
    listed_product(name="Wool scarf")

    assert found(gql, "scarf -wool") == ["Silk scarf"]


def test_search_uses_a_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", ["product_search_vector_gin"]
        )
        row = cursor.fetchone()

    assert row is not None and "gin" in row[0].lower()
