"""Who may call each listing mutation: anonymous, buyer, another seller, the owner, staff
without and with ``catalog.manage_catalog``. Every refusal leaves the catalogue as it was."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from graphql_relay import to_global_id

from market.catalog.models import Product, ProductImage, ProductStatus, ProductVariant
from tests.catalog.seller import support
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
    SellerFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OK, NOT_FOUND = "ok", "not_found"
UNAUTHENTICATED, DENIED = "unauthenticated", "permission_denied"

ROLES = ["anonymous", "buyer", "other_seller", "owner", "staff", "catalogue_manager"]
ON_A_LISTING = dict(zip(ROLES, [UNAUTHENTICATED, DENIED, NOT_FOUND, OK, DENIED, OK], strict=True))
# A new listing goes into the caller's own shop: staff have none to put it in.
CREATING = dict(zip(ROLES, [UNAUTHENTICATED, DENIED, OK, OK, DENIED, DENIED], strict=True))


@dataclass
class Call:
    name: str
    document: str
    variables: dict
    applied: object  # () -> bool: the change is in the database
    files: dict | None = None


def _product_create(owner):
    category = CategoryFactory()
    return Call(
        "productCreate",
        support.PRODUCT_CREATE,
        {"input": {"name": "Silk scarf", "categoryId": to_global_id("Category", category.pk)}},
        lambda: Product.objects.filter(name="Silk scarf").exists(),
    )


def _product_update(owner):
    product = ProductFactory(seller=owner, status=ProductStatus.DRAFT)
    return Call(
        "productUpdate",
        support.PRODUCT_UPDATE,
        {"id": support.gid(product), "input": {"name": "Renamed"}},
        lambda: Product.objects.get(pk=product.pk).name == "Renamed",
    )


def _status_change(name, start, end, **kwargs):
    def build(owner):
        product = support.publishable_draft(seller=owner, **kwargs)
        Product.objects.filter(pk=product.pk).update(status=start)
        return Call(
            name,
            support.transition(name),
            {"id": support.gid(product)},
            lambda: Product.objects.get(pk=product.pk).status == end,
        )

    return build


def _product_delete(owner):
    product = ProductFactory(seller=owner, status=ProductStatus.DRAFT)
    return Call(
        "productDelete",
        support.PRODUCT_DELETE,
        {"id": support.gid(product)},
        lambda: not Product.objects.filter(pk=product.pk).exists(),
    )


def _variant_create(owner):
    product = ProductFactory(seller=owner, status=ProductStatus.DRAFT)
    return Call(
        "productVariantCreate",
        support.VARIANT_CREATE,
        {
            "productId": support.gid(product),
            "input": {"sku": "NEW-1", "price": "10.00", "stockQuantity": 2},
        },
        lambda: ProductVariant.objects.filter(sku="NEW-1").exists(),
    )


def _variant_update(owner):
    variant = ProductVariantFactory(product__seller=owner)
    return Call(
        "productVariantUpdate",
        support.VARIANT_UPDATE,
        {"id": support.gid(variant), "input": {"price": "55.50"}},
        lambda: ProductVariant.objects.get(pk=variant.pk).price_amount == Decimal("55.50"),
    )


def _variant_delete(owner):
    variant = ProductVariantFactory(product__seller=owner, product__status=ProductStatus.DRAFT)
    return Call(
        "productVariantDelete",
        support.VARIANT_DELETE,
        {"id": support.gid(variant)},
        lambda: not ProductVariant.objects.filter(pk=variant.pk).exists(),
    )


def _variant_stock_set(owner):
    variant = ProductVariantFactory(product__seller=owner, stock_quantity=5)
    return Call(
        "productVariantStockSet",
        support.VARIANT_STOCK_SET,
        {"id": support.gid(variant), "quantity": 9},
        lambda: ProductVariant.objects.get(pk=variant.pk).stock_quantity == 9,
    )


def _image_create(owner):
    product = ProductFactory(seller=owner)
    return Call(
        "productImageCreate",
        support.IMAGE_CREATE,
        {"productId": support.gid(product), "image": None, "alt": "Front"},
        lambda: ProductImage.objects.filter(product=product).count() == 1,
        files={"variables.image": support.png_file()},
    )


def _image_reorder(owner):
    product = ProductFactory(seller=owner)
    first = ProductImageFactory(product=product, sort_order=0)
    second = ProductImageFactory(product=product, sort_order=1)
    return Call(
        "productImageReorder",
        support.IMAGE_REORDER,
        {"productId": support.gid(product), "imageIds": [support.gid(second), support.gid(first)]},
        lambda: list(product.images.values_list("pk", flat=True)) == [second.pk, first.pk],
    )


def _image_delete(owner):
    image = ProductImageFactory(product__seller=owner)
    return Call(
        "productImageDelete",
        support.IMAGE_DELETE,
        {"id": support.gid(image)},
        lambda: not ProductImage.objects.filter(pk=image.pk).exists(),
    )


CASES = {
    "productCreate": (_product_create, CREATING),
    "productUpdate": (_product_update, ON_A_LISTING),
    "productPublish": (
        _status_change("productPublish", ProductStatus.DRAFT, ProductStatus.PUBLISHED),
        ON_A_LISTING,
    ),
    "productUnpublish": (
        _status_change("productUnpublish", ProductStatus.PUBLISHED, ProductStatus.DRAFT),
        ON_A_LISTING,
    ),
    "productArchive": (
        _status_change("productArchive", ProductStatus.DRAFT, ProductStatus.ARCHIVED),
        ON_A_LISTING,
    ),
    "productRestore": (
        _status_change("productRestore", ProductStatus.ARCHIVED, ProductStatus.DRAFT),
        ON_A_LISTING,
    ),
    "productDelete": (_product_delete, ON_A_LISTING),
    "productVariantCreate": (_variant_create, ON_A_LISTING),
    "productVariantUpdate": (_variant_update, ON_A_LISTING),
    "productVariantDelete": (_variant_delete, ON_A_LISTING),
    "productVariantStockSet": (_variant_stock_set, ON_A_LISTING),
    "productImageCreate": (_image_create, ON_A_LISTING),
    "productImageReorder": (_image_reorder, ON_A_LISTING),
    "productImageDelete": (_image_delete, ON_A_LISTING),
}


def _caller(role, owner):
    return {
        "anonymous": lambda: None,
        "buyer": lambda: UserFactory(),
        "other_seller": lambda: SellerFactory(user=UserFactory()).user,
        "owner": lambda: owner.user,
        "staff": lambda: StaffFactory(),
        "catalogue_manager": lambda: StaffFactory(permissions=["catalog.manage_catalog"]),
    }[role]()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("mutation", list(CASES))
def test_listing_mutation_answers_each_caller_as_the_matrix_says(gql_as, mutation, role):
    build, expected_by_role = CASES[mutation]
    owner = SellerFactory(user=UserFactory())
    call = build(owner)
    client = gql_as(_caller(role, owner))
    before = support.catalogue_rows()

    if call.files:
        response = client.upload(call.document, call.variables, call.files)
    else:
        response = client.post(call.document, call.variables)

    expected = expected_by_role[role]
    body = response.json()
    if expected in (UNAUTHENTICATED, DENIED):
        assert support.top_level_code(response) == expected
        assert body["data"][call.name] is None
    else:
        errors = body["data"][call.name]["errors"]
        if expected == OK:
            assert errors == []
            assert call.applied()
            return
        assert [(e["code"], e["field"]) for e in errors] == [
            ("NOT_FOUND", "productId" if "productId" in call.variables else "id")
        ]
    assert support.catalogue_rows() == before


def _missing_id(global_id: str) -> str:
    from graphql_relay import from_global_id

    type_name, _ = from_global_id(global_id)
    return to_global_id(type_name, 987654)


@pytest.mark.parametrize("mutation", [name for name in CASES if name != "productCreate"])
def test_another_sellers_listing_answers_exactly_like_a_missing_one(gql_as, mutation):
    build, _ = CASES[mutation]
    call = build(SellerFactory(user=UserFactory()))
    client = gql_as(SellerFactory(user=UserFactory()).user)
    target = "productId" if "productId" in call.variables else "id"
    before = support.catalogue_rows()

    def errors_for(global_id):
        variables = {**call.variables, target: global_id}
        if call.files:
            response = client.upload(
                call.document, variables, {"variables.image": support.png_file()}
            )
        else:
            response = client.post(call.document, variables)
        return support.payload(response, call.name)["errors"]

    someone_elses = errors_for(call.variables[target])
    missing = errors_for(_missing_id(call.variables[target]))
    wrong_type = errors_for(to_global_id("Category", CategoryFactory().pk))

    assert someone_elses == missing == wrong_type
    assert someone_elses[0]["code"] == "NOT_FOUND"
    assert support.catalogue_rows() == before
