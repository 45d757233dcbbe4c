"""GraphQL documents and small helpers shared by the seller-listing tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from graphql_relay import to_global_id
from PIL import Image

from market.catalog.models import (
    AttributeValue,
    Product,
    ProductImage,
    ProductStatus,
    ProductVariant,
)
from tests.factories import ProductFactory, ProductVariantFactory

PRODUCT_FIELDS = "id name slug status publishedAt"
ERRORS = "errors { field code message }"

PRODUCT_CREATE = f"""mutation($input: ProductCreateInput!) {{
  productCreate(input: $input) {{ product {{ {PRODUCT_FIELDS} }} {ERRORS} }} }}"""
PRODUCT_UPDATE = f"""mutation($id: ID!, $input: ProductUpdateInput!) {{
  productUpdate(id: $id, input: $input) {{ product {{ {PRODUCT_FIELDS} }} {ERRORS} }} }}"""
PRODUCT_DELETE = f"""mutation($id: ID!) {{ productDelete(id: $id) {{ deletedId {ERRORS} }} }}"""
VARIANT_CREATE = f"""mutation($productId: ID!, $input: ProductVariantCreateInput!) {{
  productVariantCreate(productId: $productId, input: $input) {{
    variant {{ id sku price {{ amount currency }} quantityAvailable }}
    product {{ priceRange {{ start {{ amount }} stop {{ amount }} }} }} {ERRORS} }} }}"""
VARIANT_UPDATE = f"""mutation($id: ID!, $input: ProductVariantUpdateInput!) {{
  productVariantUpdate(id: $id, input: $input) {{
    variant {{ id sku price {{ amount }} quantityAvailable }} {ERRORS} }} }}"""
VARIANT_DELETE = f"""mutation($id: ID!) {{
  productVariantDelete(id: $id) {{ product {{ id }} {ERRORS} }} }}"""
VARIANT_STOCK_SET = f"""mutation($id: ID!, $quantity: Int!) {{
  productVariantStockSet(id: $id, quantity: $quantity) {{
    variant {{ quantityAvailable }} {ERRORS} }} }}"""
IMAGE_CREATE = f"""mutation($productId: ID!, $image: Upload!, $alt: String) {{
  productImageCreate(productId: $productId, image: $image, alt: $alt) {{
    image {{ id url alt }} product {{ images {{ id }} }} {ERRORS} }} }}"""
IMAGE_REORDER = f"""mutation($productId: ID!, $imageIds: [ID!]!) {{
  productImageReorder(productId: $productId, imageIds: $imageIds) {{
    product {{ images {{ id }} }} {ERRORS} }} }}"""
IMAGE_DELETE = f"""mutation($id: ID!) {{
  productImageDelete(id: $id) {{ product {{ images {{ id }} }} {ERRORS} }} }}"""


def transition(name: str) -> str:
    return f"""mutation($id: ID!) {{
  {name}(id: $id) {{ product {{ {PRODUCT_FIELDS} }} {ERRORS} }} }}"""


def gid(obj) -> str:
    type_name = {
        Product: "Product",
        ProductVariant: "ProductVariant",
        ProductImage: "ProductImage",
    }[type(obj)]
    return to_global_id(type_name, obj.pk)


def catalogue_rows() -> dict:
    """Every row a listing mutation could touch, to prove a refusal changed nothing."""
    return {
        "products": list(Product.objects.order_by("pk").values()),
        "variants": list(ProductVariant.objects.order_by("pk").values()),
        "images": list(ProductImage.objects.order_by("pk").values()),
        "values": list(AttributeValue.objects.order_by("pk").values()),
        "links": list(Product.attribute_values.through.objects.order_by("pk").values()),
    }


def png_file(name: str = "rug.png", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def publishable_draft(**kwargs) -> Product:
    """A draft with a priced variant and complete export data: everything publishing needs."""
    fields = dict(
        status=ProductStatus.DRAFT,
        published_at=None,
        hs_code="570110",
        origin_country="AZ",
        weight_grams=1200,
        length_mm=2000,
        width_mm=1500,
        height_mm=10,
    )
    fields.update(kwargs)
    product = ProductFactory(**fields)
    ProductVariantFactory(product=product)
    return product


def payload(response, name: str) -> dict:
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    return body["data"][name]


def top_level_code(response) -> str:
    body = response.json()
    assert body.get("errors"), body
    return body["errors"][0]["extensions"]["code"]
