"""product_create and product_variant_create: the services the API and the CSV import share."""

from decimal import Decimal

import pytest

from market.catalog.models import AttributeValue, Product, ProductStatus, ProductVariant
from market.catalog.services import product_create, product_variant_create
from market.core.errors import DomainError
from market.sellers.models import SellerStatus
from tests.factories import (
    AttributeFactory,
    AttributeValueFactory,
    CategoryFactory,
    ProductFactory,
    ProductVariantFactory,
    SellerFactory,
)

pytestmark = pytest.mark.django_db


def _refused(call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    return caught.value


def test_product_create_makes_a_draft_with_a_slug_from_its_name():
    seller = SellerFactory(status=SellerStatus.SUBMITTED)
    category = CategoryFactory()

    product = product_create(seller=seller, name="Silk Kelaghayi", category_id=category.pk)

    assert product.status == ProductStatus.DRAFT
    assert product.slug == "silk-kelaghayi"
    assert product.seller == seller
    assert product.published_at is None


def test_product_create_gives_a_second_product_of_the_same_name_a_unique_slug():
    seller = SellerFactory()
    category = CategoryFactory()
    product_create(seller=seller, name="Kilim", category_id=category.pk)

    second = product_create(seller=seller, name="Kilim", category_id=category.pk)

    assert second.slug == "kilim-2"


def test_product_create_links_known_values_and_creates_new_ones_under_a_known_attribute():
    material = AttributeFactory(slug="material", name="Material")
    wool = AttributeValueFactory(attribute=material, name="Wool", slug="wool")

    product = product_create(
        seller=SellerFactory(),
        name="Rug",
        category_id=CategoryFactory().pk,
        attributes={"material": ["Wool", "Raw Silk"]},
    )

    assert set(product.attribute_values.values_list("slug", flat=True)) == {"wool", "raw-silk"}
    assert AttributeValue.objects.get(attribute=material, slug="raw-silk").name == "Raw Silk"
    assert product.attribute_values.get(slug="wool") == wool


def test_product_create_refuses_an_unknown_attribute_and_creates_nothing():
    error = _refused(
        product_create,
        seller=SellerFactory(),
        name="Rug",
        category_id=CategoryFactory().pk,
        attributes={"colour": ["Red"]},
    )

    assert (error.code, error.field) == ("unknown_attribute", "attributes")
    assert Product.objects.count() == 0
    assert AttributeValue.objects.count() == 0


def test_product_create_refuses_an_unknown_category():
    error = _refused(product_create, seller=SellerFactory(), name="Rug", category_id=987654)

    assert (error.code, error.field) == ("not_found", "categoryId")
    assert Product.objects.count() == 0


@pytest.mark.parametrize("hs_code", ["12345", "57.01.10", "12345678901", "57011a"])
def test_product_create_refuses_an_hs_code_that_is_not_6_to_10_digits(hs_code):
    error = _refused(
        product_create,
        seller=SellerFactory(),
        name="Rug",
        category_id=CategoryFactory().pk,
        hs_code=hs_code,
    )

    assert (error.code, error.field) == ("invalid_hs_code", "hsCode")
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    "field,camel",
    [
        ("weight_grams", "weightGrams"),
        ("length_mm", "lengthMm"),
        ("processing_days", "processingDays"),
        ("edition_size", "editionSize"),
    ],
)
def test_product_create_refuses_negative_numbers(field, camel):
    error = _refused(
        product_create,
        seller=SellerFactory(),
        name="Rug",
        category_id=CategoryFactory().pk,
        **{field: -1},
    )

    assert (error.code, error.field) == ("invalid", camel)
    assert Product.objects.count() == 0


def test_product_create_refuses_an_edition_number_beyond_the_edition_size():
    error = _refused(
        product_create,
        seller=SellerFactory(),
        name="Print",
        category_id=CategoryFactory().pk,
        edition_size=10,
        edition_number=11,
    )

    assert (error.code, error.field) == ("invalid", "editionNumber")
    assert Product.objects.count() == 0


def test_product_variant_create_quantizes_the_price_and_refreshes_the_price_range():
    product = ProductFactory(status=ProductStatus.DRAFT)

    variant = product_variant_create(
        product=product, sku="RUG-1", price_amount=Decimal("12.345"), stock_quantity=3
    )

    product.refresh_from_db()
    assert variant.price_amount == Decimal("12.35")
    assert (product.price_min_amount, product.price_max_amount) == (
        Decimal("12.35"),
        Decimal("12.35"),
    )


def test_product_variant_create_refuses_a_sku_used_by_any_other_product():
    ProductVariantFactory(sku="RUG-1")
    product = ProductFactory(status=ProductStatus.DRAFT)

    error = _refused(
        product_variant_create,
        product=product,
        sku="RUG-1",
        price_amount=Decimal("10"),
        stock_quantity=1,
    )

    assert (error.code, error.field) == ("duplicate_sku", "sku")
    assert ProductVariant.objects.filter(product=product).count() == 0


def test_product_variant_create_reports_a_sku_taken_between_check_and_insert(monkeypatch):
    ProductVariantFactory(sku="RUG-1")
    product = ProductFactory(status=ProductStatus.DRAFT)
    # Simulate losing the race: the check up front sees the SKU as free.
    monkeypatch.setattr("market.catalog.services._clean_sku", lambda sku, exclude_pk=None: sku)

    error = _refused(
        product_variant_create,
        product=product,
        sku="RUG-1",
        price_amount=Decimal("10"),
        stock_quantity=1,
    )

    assert (error.code, error.field) == ("duplicate_sku", "sku")
    assert ProductVariant.objects.filter(product=product).count() == 0


def test_product_variant_create_refuses_a_negative_price():
    product = ProductFactory(status=ProductStatus.DRAFT)

    error = _refused(
        product_variant_create,
        product=product,
        sku="RUG-1",
        price_amount=Decimal("-0.01"),
        stock_quantity=1,
    )

    assert (error.code, error.field) == ("invalid_price", "price")
    assert ProductVariant.objects.count() == 0


def test_product_variant_create_refuses_a_negative_stock():
    product = ProductFactory(status=ProductStatus.DRAFT)

    error = _refused(
        product_variant_create,
        product=product,
        sku="RUG-1",
        price_amount=Decimal("10"),
        stock_quantity=-1,
    )

    assert (error.code, error.field) == ("invalid_quantity", "stockQuantity")
    assert ProductVariant.objects.count() == 0


def test_product_create_takes_a_fresh_slug_when_a_racing_request_took_it(monkeypatch):
    seller = SellerFactory()
    category = CategoryFactory()
    ProductFactory(slug="kilim")
    # Simulate losing the race: the slug looked free when it was chosen.
    monkeypatch.setattr("market.catalog.services._unique_slug", lambda name: "kilim")

    product = product_create(seller=seller, name="Kilim", category_id=category.pk)

    assert product.slug.startswith("kilim-")
    assert len(product.slug) == len("kilim-") + 6
