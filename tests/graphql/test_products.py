import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from graphql_relay import to_global_id

from market.catalog.models import Availability, ProductStatus
from market.catalog.services import product_refresh_derived_fields
from market.sellers.models import SellerStatus
from tests.factories import (
    AttributeValueFactory,
    CategoryFactory,
    ProductFactory,
    SellerFactory,
    listed_product,
)

pytestmark = pytest.mark.django_db

PRODUCTS = """
query Products($first: Int, $after: String, $last: Int, $before: String,
               $filter: ProductFilterInput, $sortBy: ProductSortInput, $currency: String) {
  products(first: $first, after: $after, last: $last, before: $before, filter: $filter,
           sortBy: $sortBy, currency: $currency) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name slug } }
  }
}
"""


def names(data):
    return [edge["node"]["name"] for edge in data["products"]["edges"]]


def test_only_published_priced_products_of_active_sellers_are_listed(gql):
    listed_product(name="Silk kelaghayi")
    listed_product(name="Draft vase", status=ProductStatus.DRAFT, published_at=None)
    listed_product(name="Old rug", status=ProductStatus.ARCHIVED)
    listed_product(name="Gone shop's tar", seller=SellerFactory(status=SellerStatus.SUSPENDED))
    ProductFactory(name="No variant, no price yet")

    data = gql.execute(PRODUCTS)

    assert names(data) == ["Silk kelaghayi"]
    assert data["products"]["totalCount"] == 1


def test_newest_products_come_first_by_default(gql):
    now = timezone.now()
    listed_product(name="Older", published_at=now - dt.timedelta(days=2))
    listed_product(name="Newer", published_at=now - dt.timedelta(days=1))

    assert names(gql.execute(PRODUCTS)) == ["Newer", "Older"]


def test_pages_follow_each_other_through_cursors(gql):
    for i in range(5):
        listed_product(name=f"Bowl {i}")
    sort = {"field": "NAME"}

    first = gql.execute(PRODUCTS, {"first": 2, "sortBy": sort})["products"]
    second = gql.execute(
        PRODUCTS, {"first": 2, "after": first["pageInfo"]["endCursor"], "sortBy": sort}
    )["products"]
    last = gql.execute(
        PRODUCTS, {"first": 2, "after": second["pageInfo"]["endCursor"], "sortBy": sort}
    )["products"]

    assert [e["node"]["name"] for e in first["edges"]] == ["Bowl 0", "Bowl 1"]
    assert [e["node"]["name"] for e in second["edges"]] == ["Bowl 2", "Bowl 3"]
    assert [e["node"]["name"] for e in last["edges"]] == ["Bowl 4"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert last["pageInfo"]["hasNextPage"] is False
    assert last["totalCount"] == 5


def test_last_and_before_page_backwards(gql):
    for i in range(4):
        listed_product(name=f"Plate {i}")
    sort = {"field": "NAME"}

    tail = gql.execute(PRODUCTS, {"last": 2, "sortBy": sort})["products"]
    before = gql.execute(
        PRODUCTS, {"last": 2, "before": tail["pageInfo"]["startCursor"], "sortBy": sort}
    )["products"]

    assert [e["node"]["name"] for e in tail["edges"]] == ["Plate 2", "Plate 3"]
    assert [e["node"]["name"] for e in before["edges"]] == ["Plate 0", "Plate 1"]
    assert before["pageInfo"]["hasPreviousPage"] is False


def test_sort_by_price_uses_the_cheapest_variant_both_ways(gql):
    listed_product(name="Mid", prices=["50.00", "500.00"])
    listed_product(name="Cheap", prices=["10.00"])
    listed_product(name="Dear", prices=["90.00"])

    ascending = gql.execute(PRODUCTS, {"sortBy": {"field": "PRICE"}})
    descending = gql.execute(PRODUCTS, {"sortBy": {"field": "PRICE", "direction": "DESC"}})

    assert names(ascending) == ["Cheap", "Mid", "Dear"]
    assert names(descending) == ["Dear", "Mid", "Cheap"]


def test_filter_by_category_includes_its_subcategories(gql):
    textiles = CategoryFactory(name="Textiles")
    kilims = CategoryFactory(name="Kilims", parent=textiles)
    ceramics = CategoryFactory(name="Ceramics")
    listed_product(name="Shirvan kilim", category=kilims)
    listed_product(name="Tablecloth", category=textiles)
    listed_product(name="Jug", category=ceramics)

    data = gql.execute(
        PRODUCTS,
        {
            "filter": {"categories": [to_global_id("Category", textiles.pk)]},
            "sortBy": {"field": "NAME"},
        },
    )

    assert names(data) == ["Shirvan kilim", "Tablecloth"]


def test_filter_by_category_and_maker_slugs_as_in_page_addresses(gql):
    textiles = CategoryFactory(name="Textiles", slug="textiles")
    kilims = CategoryFactory(name="Kilims", parent=textiles)
    nargiz = SellerFactory(slug="nargiz")
    listed_product(name="Shirvan kilim", category=kilims, seller=nargiz)
    listed_product(name="Tablecloth", category=textiles)
    listed_product(name="Jug", seller=nargiz)

    by_category = gql.execute(
        PRODUCTS, {"filter": {"categorySlugs": ["textiles"]}, "sortBy": {"field": "NAME"}}
    )
    by_maker = gql.execute(
        PRODUCTS, {"filter": {"sellerSlugs": ["nargiz"]}, "sortBy": {"field": "NAME"}}
    )
    both = gql.execute(
        PRODUCTS, {"filter": {"categorySlugs": ["textiles"], "sellerSlugs": ["nargiz"]}}
    )
    unknown = gql.execute(PRODUCTS, {"filter": {"categorySlugs": ["no-such-category"]}})

    assert names(by_category) == ["Shirvan kilim", "Tablecloth"]
    assert names(by_maker) == ["Jug", "Shirvan kilim"]
    assert names(both) == ["Shirvan kilim"]
    assert names(unknown) == []


def test_filter_by_seller_origin_stock_and_made_to_order(gql):
    nargiz = SellerFactory(name="Nargiz Ceramics")
    listed_product(
        name="Nargiz jug", seller=nargiz, stock=0, availability=Availability.MADE_TO_ORDER
    )
    listed_product(name="Nargiz cup", seller=nargiz, origin_country="GE")
    listed_product(name="Other cup")
    seller_id = to_global_id("Seller", nargiz.pk)

    by_seller = gql.execute(
        PRODUCTS, {"filter": {"sellers": [seller_id]}, "sortBy": {"field": "NAME"}}
    )
    by_origin = gql.execute(PRODUCTS, {"filter": {"originCountries": ["ge"]}})
    in_stock = gql.execute(PRODUCTS, {"filter": {"sellers": [seller_id], "inStock": True}})
    made_to_order = gql.execute(PRODUCTS, {"filter": {"madeToOrder": True}})

    assert names(by_seller) == ["Nargiz cup", "Nargiz jug"]
    assert names(by_origin) == ["Nargiz cup"]
    assert names(in_stock) == ["Nargiz cup"]
    assert names(made_to_order) == ["Nargiz jug"]


def test_price_range_filter_is_in_the_requested_currency(gql, eur_rate):
    # 1 EUR = 2 AZN: 60 AZN is 30 EUR, 300 AZN is 150 EUR.
    listed_product(name="Brooch", prices=["60.00"])
    listed_product(name="Carpet", prices=["300.00"])

    cheap = gql.execute(PRODUCTS, {"currency": "EUR", "filter": {"priceLte": "50"}})
    dear = gql.execute(
        PRODUCTS, {"currency": "EUR", "filter": {"priceGte": "100", "priceLte": "150"}}
    )

    assert names(cheap) == ["Brooch"]
    assert names(dear) == ["Carpet"]


def test_search_finds_name_maker_attribute_and_description(gql):
    wool = AttributeValueFactory(name="Merino wool")
    listed_product(name="Quba carpet")
    listed_product(name="Scarf", maker_name="Leyla Quliyeva")
    product = listed_product(name="Shawl")
    product.attribute_values.add(wool)
    product_refresh_derived_fields(product_ids=[product.pk])
    listed_product(name="Jug", description="Glazed in the Quba style")
    listed_product(name="Tar")

    def found(text):
        return set(names(gql.execute(PRODUCTS, {"filter": {"search": text}})))

    assert found("quba") == {"Quba carpet", "Jug"}
    assert found("Leyla") == {"Scarf"}
    assert found("merino") == {"Shawl"}


def test_prices_come_in_the_requested_currency_with_the_rate_used(gql, eur_rate):
    listed_product(name="Kelaghayi", slug="kelaghayi", prices=["45.00", "99.99"])

    data = gql.execute("""{ product(slug: "kelaghayi", currency: "EUR") {
        priceRange { start { amount currency formatted
                             conversion { baseCurrency currency rate source } }
                     stop { amount currency } }
        variants { price { amount currency } } } }""")

    price_range = data["product"]["priceRange"]
    assert price_range["start"]["amount"] == "22.50"
    assert price_range["start"]["currency"] == "EUR"
    assert price_range["start"]["formatted"] == "€22.50"
    assert price_range["start"]["conversion"] == {
        "baseCurrency": "AZN",
        "currency": "EUR",
        "rate": "2.0000000000",
        "source": "test",
    }
    assert price_range["stop"]["amount"] == "50.00"  # 49.995 rounds half up
    assert [v["price"]["amount"] for v in data["product"]["variants"]] == ["22.50", "50.00"]


def test_prices_default_to_the_base_currency(gql):
    listed_product(slug="tar", prices=["1200.00"])

    data = gql.execute(
        '{ product(slug: "tar") { priceRange { start { amount currency '
        "conversion { rate source } } } } }"
    )

    assert data["product"]["priceRange"]["start"] == {
        "amount": "1200.00",
        "currency": "AZN",
        "conversion": {"rate": "1", "source": "base"},
    }


def test_product_by_global_id_and_through_node(gql):
    product = listed_product(name="Copper tray")
    global_id = to_global_id("Product", product.pk)

    by_id = gql.execute("query($id: ID) { product(id: $id) { name } }", {"id": global_id})
    by_node = gql.execute(
        "query($id: ID!) { node(id: $id) { ... on Product { name } } }", {"id": global_id}
    )

    assert by_id["product"]["name"] == by_node["node"]["name"] == "Copper tray"


def test_a_draft_is_invisible_by_slug_and_by_node(gql):
    draft = listed_product(slug="secret", status=ProductStatus.DRAFT)

    by_slug = gql.execute('{ product(slug: "secret") { name } }')
    by_node = gql.execute(
        "query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("Product", draft.pk)}
    )

    assert by_slug["product"] is None
    assert by_node["node"] is None


def test_product_shows_provenance_export_data_and_attributes(gql):
    colour = AttributeValueFactory(
        attribute__name="Colour", attribute__slug="colour", name="Madder red"
    )
    product = listed_product(
        slug="kilim",
        maker_name="Aygun Mammadova",
        made_year=2024,
        edition_size=10,
        edition_number=3,
        hs_code="570110",
        weight_grams=2400,
        length_mm=2000,
        width_mm=1200,
        height_mm=5,
        availability=Availability.MADE_TO_ORDER,
        processing_days=14,
    )
    product.attribute_values.add(colour)

    data = gql.execute("""{ product(slug: "kilim") {
        provenance { makerName madeYear availability processingDays editionSize editionNumber }
        export { isExportable hsCode originCountry { code name } weightGrams
                 dimensions { lengthMm widthMm heightMm } }
        attributes { name values { name } } } }""")["product"]

    assert data["provenance"] == {
        "makerName": "Aygun Mammadova",
        "madeYear": 2024,
        "availability": "MADE_TO_ORDER",
        "processingDays": 14,
        "editionSize": 10,
        "editionNumber": 3,
    }
    assert data["export"] == {
        "isExportable": True,
        "hsCode": "570110",
        "originCountry": {"code": "AZ", "name": "Azerbaijan"},
        "weightGrams": 2400,
        "dimensions": {"lengthMm": 2000, "widthMm": 1200, "heightMm": 5},
    }
    assert data["attributes"] == [{"name": "Colour", "values": [{"name": "Madder red"}]}]


def test_categories_come_as_a_tree(gql):
    crafts = CategoryFactory(name="Crafts", slug="crafts")
    CategoryFactory(name="Copperware", slug="copperware", parent=crafts)
    CategoryFactory(name="Music", slug="music")

    data = gql.execute("{ categories { name level children { name level parent { slug } } } }")
    one = gql.execute('{ category(slug: "copperware") { name parent { name } } }')

    assert data["categories"] == [
        {
            "name": "Crafts",
            "level": 0,
            "children": [{"name": "Copperware", "level": 1, "parent": {"slug": "crafts"}}],
        },
        {"name": "Music", "level": 0, "children": []},
    ]
    assert one["category"] == {"name": "Copperware", "parent": {"name": "Crafts"}}


def test_sellers_and_a_seller_by_slug(gql):
    SellerFactory(name="Bakı Vinyl", slug="baki-vinyl", discipline="music", city="Baku")
    SellerFactory(name="Closed", slug="closed", status=SellerStatus.SUSPENDED)

    data = gql.execute("{ sellers(first: 10) { totalCount edges { node { name discipline } } } }")
    one = gql.execute('{ seller(slug: "baki-vinyl") { name city isResident country { code } } }')

    assert data["sellers"]["totalCount"] == 1
    assert data["sellers"]["edges"] == [{"node": {"name": "Bakı Vinyl", "discipline": "MUSIC"}}]
    assert one["seller"] == {
        "name": "Bakı Vinyl",
        "city": "Baku",
        "isResident": True,
        "country": {"code": "AZ"},
    }


def test_currencies_list_what_we_sell_in_with_their_rates(gql, eur_rate):
    data = gql.execute("{ currencies { code decimalPlaces isBase conversion { rate } } }")
    by_code = {c["code"]: c for c in data["currencies"]}

    assert by_code["AZN"] == {
        "code": "AZN",
        "decimalPlaces": 2,
        "isBase": True,
        "conversion": {"rate": "1"},
    }
    assert by_code["EUR"]["conversion"] == {"rate": "2.0000000000"}
    assert by_code["JPY"]["decimalPlaces"] == 0
    assert by_code["JPY"]["conversion"] is None


def test_variant_shows_stock_and_sku(gql):
    listed_product(slug="naghara", prices=[Decimal("80.00")], stock=3)

    data = gql.execute(
        '{ product(slug: "naghara") { inStock variants { sku quantityAvailable inStock } } }'
    )["product"]

    assert data["inStock"] is True
    assert data["variants"][0]["quantityAvailable"] == 3
    assert data["variants"][0]["sku"].startswith("SKU-")


def test_images_tell_their_pixel_sizes_and_the_thumbnails(gql):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from market.catalog.services import product_image_add, product_image_generate_thumbnail

    product = listed_product(slug="rug")
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 500), "teal").save(buffer, format="PNG")
    waiting = product_image_add(product=product, upload=ContentFile(buffer.getvalue(), "a.png"))
    query = """query { product(slug: "rug") {
      images { width height thumbnailWidth thumbnailHeight } } }"""

    before = gql.execute(query)["product"]["images"]
    product_image_generate_thumbnail(image_id=waiting.pk)
    after = gql.execute(query)["product"]["images"]

    # Until the worker made the thumbnail, listings show the image itself.
    assert before == [
        {"width": 1000, "height": 500, "thumbnailWidth": 1000, "thumbnailHeight": 500}
    ]
    assert after == [{"width": 1000, "height": 500, "thumbnailWidth": 320, "thumbnailHeight": 160}]


def test_origin_countries_are_those_of_published_work(gql):
    listed_product(origin_country="TR")
    listed_product(origin_country="AZ")
    listed_product(origin_country="AZ")
    listed_product(origin_country="FR", status=ProductStatus.DRAFT)

    data = gql.execute("{ productOriginCountries { code name } }")

    assert data["productOriginCountries"] == [
        {"code": "AZ", "name": "Azerbaijan"},
        {"code": "TR", "name": "Türkiye"},
    ]
