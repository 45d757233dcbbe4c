"""Sellers creating, editing and publishing their listings through the API."""

import pytest
from graphql_relay import to_global_id

from market.catalog.models import Product, ProductStatus, ProductVariant
from market.sellers.models import SellerStatus
from tests.catalog.seller import support
from tests.factories import (
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductVariantFactory,
    SellerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PUBLIC_PRODUCTS = "{ products(first: 10) { edges { node { id name } } } }"


def _seller(status=SellerStatus.APPROVED):
    return SellerFactory(user=UserFactory(), status=status)


def _errors(response, name):
    return [(e["code"], e["field"]) for e in support.payload(response, name)["errors"]]


def test_seller_creates_a_draft_listing_with_attributes(gql_as):
    seller = _seller()
    category = CategoryFactory()
    AttributeFactory(slug="material", name="Material")

    response = gql_as(seller.user).post(
        support.PRODUCT_CREATE,
        {
            "input": {
                "name": "Qarabağ carpet",
                "categoryId": to_global_id("Category", category.pk),
                "attributes": [{"slug": "material", "values": ["Wool", "Silk"]}],
                "hsCode": "570110",
                "weightGrams": 4200,
                "availability": "MADE_TO_ORDER",
            }
        },
    )

    data = support.payload(response, "productCreate")
    assert data["errors"] == []
    assert data["product"]["status"] == "DRAFT"
    assert data["product"]["publishedAt"] is None
    product = Product.objects.get(seller=seller)
    assert (
        product.name,
        product.slug,
        product.hs_code,
        product.weight_grams,
        product.availability,
    ) == ("Qarabağ carpet", "qarabag-carpet", "570110", 4200, "made_to_order")
    assert sorted(product.attribute_values.values_list("name", flat=True)) == ["Silk", "Wool"]


@pytest.mark.parametrize(
    "input_fields,expected",
    [
        (
            {"attributes": [{"slug": "colour", "values": ["Red"]}]},
            ("UNKNOWN_ATTRIBUTE", "attributes"),
        ),
        ({"hsCode": "57.01"}, ("INVALID_HS_CODE", "hsCode")),
        ({"weightGrams": -5}, ("INVALID", "weightGrams")),
        ({"editionSize": 5, "editionNumber": 6}, ("INVALID", "editionNumber")),
        ({"originCountry": "XX"}, ("INVALID", "originCountry")),
        ({"name": "   "}, ("INVALID", "name")),
    ],
)
def test_product_create_refuses_invalid_input_and_creates_nothing(gql_as, input_fields, expected):
    seller = _seller()
    category = CategoryFactory()
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.PRODUCT_CREATE,
        {
            "input": {
                "name": "Rug",
                "categoryId": to_global_id("Category", category.pk),
                **input_fields,
            }
        },
    )

    assert _errors(response, "productCreate") == [expected]
    assert support.catalogue_rows() == before


def test_product_create_refuses_a_category_id_of_another_type(gql_as):
    seller = _seller()

    response = gql_as(seller.user).post(
        support.PRODUCT_CREATE,
        {"input": {"name": "Rug", "categoryId": to_global_id("Seller", seller.pk)}},
    )

    assert _errors(response, "productCreate") == [("NOT_FOUND", "categoryId")]
    assert Product.objects.count() == 0


def test_product_create_refuses_more_than_30_attributes(gql_as):
    seller = _seller()
    attributes = [{"slug": f"a{i}", "values": ["x"]} for i in range(31)]

    response = gql_as(seller.user).post(
        support.PRODUCT_CREATE,
        {
            "input": {
                "name": "Rug",
                "categoryId": to_global_id("Category", CategoryFactory().pk),
                "attributes": attributes,
            }
        },
    )

    assert _errors(response, "productCreate") == [("INVALID", "attributes")]
    assert Product.objects.count() == 0


def test_product_update_changes_only_the_given_fields_and_keeps_the_slug(gql_as):
    seller = _seller()
    product = ProductFactory(
        seller=seller,
        status=ProductStatus.DRAFT,
        slug="old-rug",
        hs_code="570110",
        weight_grams=900,
    )

    response = gql_as(seller.user).post(
        support.PRODUCT_UPDATE,
        {"id": support.gid(product), "input": {"name": "New rug", "weightGrams": None}},
    )

    assert _errors(response, "productUpdate") == []
    product.refresh_from_db()
    assert (product.name, product.slug, product.hs_code, product.weight_grams) == (
        "New rug",
        "old-rug",
        "570110",
        None,
    )


def test_product_update_refuses_an_invalid_hs_code_and_changes_nothing(gql_as):
    seller = _seller()
    product = ProductFactory(seller=seller, status=ProductStatus.DRAFT)
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.PRODUCT_UPDATE,
        {"id": support.gid(product), "input": {"name": "Renamed", "hsCode": "12"}},
    )

    assert _errors(response, "productUpdate") == [("INVALID_HS_CODE", "hsCode")]
    assert support.catalogue_rows() == before


def test_published_product_cannot_lose_its_export_data(gql_as):
    seller = _seller()
    product = support.publishable_draft(seller=seller)
    Product.objects.filter(pk=product.pk).update(status=ProductStatus.PUBLISHED)
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.PRODUCT_UPDATE, {"id": support.gid(product), "input": {"hsCode": None}}
    )

    assert _errors(response, "productUpdate") == [("EXPORT_DATA_MISSING", "hsCode")]
    assert support.catalogue_rows() == before


def test_not_approved_seller_can_create_a_draft_but_cannot_publish_it(gql_as):
    seller = _seller(status=SellerStatus.SUBMITTED)
    product = support.publishable_draft(seller=seller)
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.transition("productPublish"), {"id": support.gid(product)}
    )

    assert _errors(response, "productPublish") == [("SELLER_NOT_APPROVED", None)]
    assert support.catalogue_rows() == before


def test_publishing_an_exportable_product_needs_all_its_export_data(gql_as):
    seller = _seller()
    product = support.publishable_draft(seller=seller, hs_code="", length_mm=None, height_mm=None)
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.transition("productPublish"), {"id": support.gid(product)}
    )

    errors = support.payload(response, "productPublish")["errors"]
    assert errors == [
        {
            "code": "EXPORT_DATA_MISSING",
            "field": "hsCode",
            "message": "An exportable product needs its export data: hsCode, lengthMm, heightMm.",
        }
    ]
    assert support.catalogue_rows() == before


def test_a_product_not_for_export_publishes_without_export_data(gql_as):
    seller = _seller()
    product = support.publishable_draft(
        seller=seller,
        is_exportable=False,
        hs_code="",
        weight_grams=None,
        length_mm=None,
        width_mm=None,
        height_mm=None,
    )

    response = gql_as(seller.user).post(
        support.transition("productPublish"), {"id": support.gid(product)}
    )

    assert _errors(response, "productPublish") == []
    assert Product.objects.get(pk=product.pk).status == ProductStatus.PUBLISHED


def test_publishing_a_product_without_variants_is_refused(gql_as):
    seller = _seller()
    product = support.publishable_draft(seller=seller)
    product.variants.all().delete()
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.transition("productPublish"), {"id": support.gid(product)}
    )

    assert _errors(response, "productPublish") == [("NO_VARIANTS", "variants")]
    assert support.catalogue_rows() == before


def test_publishing_an_archived_product_is_refused(gql_as):
    seller = _seller()
    product = support.publishable_draft(seller=seller, status=ProductStatus.ARCHIVED)
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.transition("productPublish"), {"id": support.gid(product)}
    )

    errors = support.payload(response, "productPublish")["errors"]
    assert errors == [
        {
            "code": "INVALID_TRANSITION",
            "field": "status",
            "message": "This product is archived: it cannot be published.",
        }
    ]
    assert support.catalogue_rows() == before


def test_unpublishing_a_draft_is_refused(gql_as):
    seller = _seller()
    product = support.publishable_draft(seller=seller)
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(
        support.transition("productUnpublish"), {"id": support.gid(product)}
    )

    assert _errors(response, "productUnpublish") == [("INVALID_TRANSITION", "status")]
    assert support.catalogue_rows() == before


def test_first_publish_sets_published_at_and_a_later_publish_keeps_it(gql_as):
    seller = _seller()
    product = support.publishable_draft(seller=seller)
    client = gql_as(seller.user)

    first = support.payload(
        client.post(support.transition("productPublish"), {"id": support.gid(product)}),
        "productPublish",
    )
    client.post(support.transition("productUnpublish"), {"id": support.gid(product)})
    again = support.payload(
        client.post(support.transition("productPublish"), {"id": support.gid(product)}),
        "productPublish",
    )

    assert first["product"]["status"] == "PUBLISHED"
    assert first["product"]["publishedAt"] is not None
    assert again["product"]["publishedAt"] == first["product"]["publishedAt"]


def test_a_published_product_is_listed_publicly_until_it_is_unpublished(gql, gql_as):
    seller = _seller()
    product = support.publishable_draft(seller=seller, name="Kelaghayi")
    client = gql_as(seller.user)

    client.post(support.transition("productPublish"), {"id": support.gid(product)})
    listed = gql.execute(PUBLIC_PRODUCTS)["products"]["edges"]
    client.post(support.transition("productUnpublish"), {"id": support.gid(product)})
    unlisted = gql.execute(PUBLIC_PRODUCTS)["products"]["edges"]

    assert listed == [{"node": {"id": support.gid(product), "name": "Kelaghayi"}}]
    assert unlisted == []


def test_an_archived_product_can_be_restored_as_a_draft(gql_as):
    seller = _seller()
    product = support.publishable_draft(seller=seller, status=ProductStatus.ARCHIVED)

    response = gql_as(seller.user).post(
        support.transition("productRestore"), {"id": support.gid(product)}
    )

    assert support.payload(response, "productRestore")["product"]["status"] == "DRAFT"


def test_deleting_a_published_product_is_refused(gql_as):
    seller = _seller()
    product = support.publishable_draft(seller=seller, status=ProductStatus.PUBLISHED)
    before = support.catalogue_rows()

    response = gql_as(seller.user).post(support.PRODUCT_DELETE, {"id": support.gid(product)})

    assert _errors(response, "productDelete") == [("INVALID_TRANSITION", "status")]
    assert support.catalogue_rows() == before


def test_deleting_a_draft_removes_it_with_its_variants(gql_as):
    seller = _seller()
    product = support.publishable_draft(seller=seller)

    response = gql_as(seller.user).post(support.PRODUCT_DELETE, {"id": support.gid(product)})

    assert support.payload(response, "productDelete") == {
        "deletedId": support.gid(product),
        "errors": [],
    }
    assert not Product.objects.filter(pk=product.pk).exists()
    assert not ProductVariant.objects.filter(product_id=product.pk).exists()


def test_staff_manager_can_unpublish_any_sellers_product(gql_as):
    from tests.factories import StaffFactory

    product = support.publishable_draft(seller=_seller(), status=ProductStatus.PUBLISHED)
    ProductVariantFactory(product=product)
    manager = StaffFactory(permissions=["catalog.manage_catalog"])

    response = gql_as(manager).post(
        support.transition("productUnpublish"), {"id": support.gid(product)}
    )

    assert support.payload(response, "productUnpublish")["product"]["status"] == "DRAFT"
