"""Variants through the API: unique SKUs, prices in the base currency, stock counts."""

from decimal import Decimal

import pytest

from market.catalog.models import Product, ProductStatus
from tests.catalog.seller import support
from tests.factories import ProductFactory, ProductVariantFactory, SellerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _owner():
    return SellerFactory(user=UserFactory())


def _errors(response, name):
    return [(e["code"], e["field"]) for e in support.payload(response, name)["errors"]]


def test_variant_create_rounds_the_price_to_the_base_currency_and_updates_the_price_range(gql_as):
    seller = _owner()
    product = ProductFactory(seller=seller, status=ProductStatus.DRAFT)

    response = gql_as(seller.user).post(
        support.VARIANT_CREATE,
        {
            "productId": support.gid(product),
            "input": {"sku": "RUG-RED", "price": "149.995", "stockQuantity": 3},
        },
    )

    data = support.payload(response, "productVariantCreate")
    assert data["errors"] == []
    assert data["variant"]["sku"] == "RUG-RED"
    assert data["variant"]["price"] == {"amount": "150.00", "currency": "AZN"}
    assert data["variant"]["quantityAvailable"] == 3
    assert data["product"]["priceRange"] == {
        "start": {"amount": "150.00"},
        "stop": {"amount": "150.00"},
    }
    assert Product.objects.get(pk=product.pk).price_min_amount == Decimal("150.00")


def test_variant_create_refuses_a_sku_another_seller_uses(gql_as):
    ProductVariantFactory(sku="RUG-1")
    seller = _owner()
    product = ProductFactory(seller=seller, status=ProductStatus.DRAFT)
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.VARIANT_CREATE,
        {
            "productId": support.gid(product),
            "input": {"sku": "RUG-1", "price": "10.00", "stockQuantity": 1},
        },
    )

    assert _errors(response, "productVariantCreate") == [("DUPLICATE_SKU", "sku")]
    assert support.catalogue_rows() == before


@pytest.mark.parametrize(
    "input_fields,expected",
    [
        ({"price": "-1.00"}, ("INVALID_PRICE", "price")),
        ({"stockQuantity": -1}, ("INVALID_QUANTITY", "stockQuantity")),
        ({"sku": ""}, ("INVALID", "sku")),
    ],
)
def test_variant_create_refuses_invalid_input_and_creates_nothing(gql_as, input_fields, expected):
    seller = _owner()
    product = ProductFactory(seller=seller, status=ProductStatus.DRAFT)
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.VARIANT_CREATE,
        {
            "productId": support.gid(product),
            "input": {"sku": "RUG-1", "price": "10.00", "stockQuantity": 1, **input_fields},
        },
    )

    assert _errors(response, "productVariantCreate") == [expected]
    assert support.catalogue_rows() == before


def test_variant_update_changes_the_price_and_the_products_price_range(gql_as):
    seller = _owner()
    variant = ProductVariantFactory(product__seller=seller, price_amount=Decimal("100.00"))

    response = gql_as(seller.user).post(
        support.VARIANT_UPDATE, {"id": support.gid(variant), "input": {"price": "80.5"}}
    )

    assert support.payload(response, "productVariantUpdate")["variant"]["price"] == {
        "amount": "80.50"
    }
    assert Product.objects.get(pk=variant.product_id).price_max_amount == Decimal("80.50")


def test_variant_update_refuses_a_sku_already_in_use(gql_as):
    ProductVariantFactory(sku="TAKEN")
    seller = _owner()
    variant = ProductVariantFactory(product__seller=seller, sku="MINE")
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.VARIANT_UPDATE,
        {"id": support.gid(variant), "input": {"sku": "TAKEN", "price": "1.00"}},
    )

    assert _errors(response, "productVariantUpdate") == [("DUPLICATE_SKU", "sku")]
    assert support.catalogue_rows() == before


def test_variant_update_keeps_its_own_sku(gql_as):
    seller = _owner()
    variant = ProductVariantFactory(product__seller=seller, sku="MINE")

    response = gql_as(seller.user).post(
        support.VARIANT_UPDATE, {"id": support.gid(variant), "input": {"sku": "MINE"}}
    )

    assert _errors(response, "productVariantUpdate") == []


def test_stock_set_refuses_a_negative_quantity(gql_as):
    seller = _owner()
    variant = ProductVariantFactory(product__seller=seller, stock_quantity=4)
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.VARIANT_STOCK_SET, {"id": support.gid(variant), "quantity": -2}
    )

    assert _errors(response, "productVariantStockSet") == [("INVALID_QUANTITY", "quantity")]
    assert support.catalogue_rows() == before


def test_stock_set_sets_the_quantity(gql_as):
    seller = _owner()
    variant = ProductVariantFactory(product__seller=seller, stock_quantity=4)

    response = gql_as(seller.user).post(
        support.VARIANT_STOCK_SET, {"id": support.gid(variant), "quantity": 0}
    )

    assert support.payload(response, "productVariantStockSet")["variant"] == {
        "quantityAvailable": 0
    }


def test_the_last_variant_of_a_published_product_cannot_be_deleted(gql_as):
    seller = _owner()
    variant = ProductVariantFactory(product__seller=seller, product__status=ProductStatus.PUBLISHED)
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(support.VARIANT_DELETE, {"id": support.gid(variant)})

    assert _errors(response, "productVariantDelete") == [("NO_VARIANTS", "id")]
    assert support.catalogue_rows() == before


def test_deleting_one_of_two_variants_updates_the_price_range(gql_as):
    seller = _owner()
    product = ProductFactory(seller=seller, status=ProductStatus.PUBLISHED)
    cheap = ProductVariantFactory(product=product, price_amount=Decimal("10.00"))
    ProductVariantFactory(product=product, price_amount=Decimal("30.00"))

    response = gql_as(seller.user).post(support.VARIANT_DELETE, {"id": support.gid(cheap)})

    assert _errors(response, "productVariantDelete") == []
    product.refresh_from_db()
    assert (product.price_min_amount, product.price_max_amount) == (
        Decimal("30.00"),
        Decimal("30.00"),
    )
