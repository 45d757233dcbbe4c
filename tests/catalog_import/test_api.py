"""Bulk listing through the GraphQL API: who may upload, who may read an import."""

import pytest

from market.catalog.import_models import ProductImport
from market.catalog.imports import product_import_create, product_import_run
from market.catalog.models import Product
from market.sellers.models import SellerStatus
from tests.catalog_import.helpers import SAMPLE, csv_bytes, make_catalogue, upload
from tests.factories import SellerFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

CREATE = """
mutation Import($file: Upload!) {
  productImportCreate(file: $file) {
    productImport { id status originalName totalRows processedRows productsCreated
                    variantsCreated errors { line field code message } createdAt finishedAt }
    errors { field code message }
  }
}
"""
ONE = """
query One($id: ID!) {
  productImport(id: $id) {
    id status totalRows processedRows productsCreated variantsCreated
    errors { line field code message } failureMessage
  }
}
"""
MANY = """
query Many($first: Int, $after: String) {
  productImports(first: $first, after: $after) {
    totalCount edges { node { originalName } } pageInfo { hasNextPage endCursor }
  }
}
"""


def post_file(client, data: bytes = None, name: str = "products.csv"):
    data = SAMPLE.read_bytes() if data is None else data
    response = client.upload(CREATE, {"file": None}, {"variables.file": upload(data, name)})
    assert response.status_code == 200, response.content
    return response.json()


def seller_user(**kwargs):
    return SellerFactory(user=UserFactory(), **kwargs).user


def imported_for(user, data: bytes = None) -> ProductImport:
    product_import = product_import_create(
        seller=user.seller, user=user, upload=upload(data or SAMPLE.read_bytes())
    )
    return product_import_run(import_id=product_import.pk)


def global_id(product_import) -> str:
    from graphql_relay import to_global_id

    return to_global_id("ProductImport", product_import.pk)


# --- productImportCreate -----------------------------------------------------------------------


def test_a_seller_uploads_a_csv_and_gets_a_pending_import(
    gql_as, django_capture_on_commit_callbacks
):
    make_catalogue()
    user = seller_user()

    with django_capture_on_commit_callbacks() as callbacks:
        body = post_file(gql_as(user), name="autumn.csv")

    payload = body["data"]["productImportCreate"]
    assert payload["errors"] == []
    created = payload["productImport"]
    assert {
        key: created[key]
        for key in (
            "status",
            "originalName",
            "totalRows",
            "processedRows",
            "productsCreated",
            "variantsCreated",
            "errors",
            "finishedAt",
        )
    } == {
        "status": "PENDING",
        "originalName": "autumn.csv",
        "totalRows": 4,
        "processedRows": 0,
        "productsCreated": 0,
        "variantsCreated": 0,
        "errors": [],
        "finishedAt": None,
    }
    assert ProductImport.objects.get().seller == user.seller
    assert len(callbacks) == 1


def test_a_seller_not_yet_approved_may_import_drafts(gql_as):
    user = seller_user(status=SellerStatus.SUBMITTED)

    payload = post_file(gql_as(user))["data"]["productImportCreate"]

    assert payload["errors"] == []
    assert payload["productImport"]["status"] == "PENDING"


def test_anonymous_upload_is_refused_and_stores_nothing(gql_as):
    body = post_file(gql_as(None))

    assert body["errors"][0]["extensions"]["code"] == "unauthenticated"
    assert ProductImport.objects.count() == 0


def test_a_buyer_without_a_shop_may_not_upload(gql_as):
    body = post_file(gql_as(UserFactory()))

    assert body["errors"][0]["extensions"]["code"] == "permission_denied"
    assert ProductImport.objects.count() == 0


@pytest.mark.parametrize("permissions", [[], ["catalog.manage_catalog"]])
def test_staff_without_a_shop_may_not_upload(gql_as, permissions):
    body = post_file(gql_as(StaffFactory(permissions=permissions)))

    assert body["errors"][0]["extensions"]["code"] == "permission_denied"
    assert ProductImport.objects.count() == 0


def test_a_refused_file_answers_with_a_coded_error_and_stores_nothing(gql_as):
    data = csv_bytes(
        [["k", "Rug", "carpets", "R-1", "1"]],
        header=["product_key", "name", "category", "sku", "stock"],
    )

    payload = post_file(gql_as(seller_user()), data)["data"]["productImportCreate"]

    assert payload == {
        "productImport": None,
        "errors": [
            {
                "field": "file",
                "code": "MISSING_COLUMN",
                "message": "Missing required columns: price.",
            }
        ],
    }
    assert ProductImport.objects.count() == 0
    assert Product.objects.count() == 0


def test_an_oversize_file_is_refused_and_stores_nothing(gql_as, settings):
    settings.MARKET_MAX_IMPORT_BYTES = 100

    payload = post_file(gql_as(seller_user()))["data"]["productImportCreate"]

    assert [e["code"] for e in payload["errors"]] == ["FILE_TOO_LARGE"]
    assert ProductImport.objects.count() == 0


def test_a_file_sent_as_text_instead_of_an_upload_is_refused(gql_as):
    body = gql_as(seller_user()).post(CREATE, {"file": "product_key,name"}).json()

    payload = body["data"]["productImportCreate"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("file", "INVALID_CSV")]
    assert ProductImport.objects.count() == 0


# --- productImport / productImports ------------------------------------------------------------


def test_the_owner_reads_the_report_of_a_finished_import(gql_as):
    make_catalogue()
    user = seller_user()
    data = csv_bytes(
        [
            ["rug", "Rug", "carpets", "RUG-1", "100.00", "1"],
            ["bowl", "Bowl", "ceramics", "BOWL-1", "-1", "1"],
        ]
    )
    product_import = imported_for(user, data)

    found = gql_as(user).execute(ONE, {"id": global_id(product_import)})["productImport"]

    assert found == {
        "id": global_id(product_import),
        "status": "COMPLETED",
        "totalRows": 2,
        "processedRows": 2,
        "productsCreated": 1,
        "variantsCreated": 1,
        "errors": [
            {
                "line": 3,
                "field": "price",
                "code": "invalid_price",
                "message": "A price must not be negative.",
            }
        ],
        "failureMessage": None,
    }


def test_another_seller_cannot_read_the_import(gql_as):
    make_catalogue()
    product_import = imported_for(seller_user())

    found = gql_as(seller_user()).execute(ONE, {"id": global_id(product_import)})

    assert found == {"productImport": None}


def test_a_missing_import_answers_null(gql_as):
    from graphql_relay import to_global_id

    found = gql_as(seller_user()).execute(ONE, {"id": to_global_id("ProductImport", 999)})

    assert found == {"productImport": None}


@pytest.mark.parametrize("who", ["anonymous", "buyer", "staff"])
def test_only_sellers_read_imports(gql_as, who):
    make_catalogue()
    product_import = imported_for(seller_user())
    user = {
        "anonymous": None,
        "buyer": UserFactory(),
        "staff": StaffFactory(permissions=["catalog.manage_catalog"]),
    }[who]

    errors = gql_as(user).errors(ONE, {"id": global_id(product_import)})

    expected = "unauthenticated" if who == "anonymous" else "permission_denied"
    assert errors[0]["extensions"]["code"] == expected


def test_a_seller_lists_only_their_own_imports_newest_first(gql_as):
    make_catalogue()
    user = seller_user()
    for name in ("first.csv", "second.csv", "third.csv"):
        product_import_create(
            seller=user.seller, user=user, upload=upload(SAMPLE.read_bytes(), name)
        )
    imported_for(seller_user())

    page = gql_as(user).execute(MANY, {"first": 2})["productImports"]

    assert page["totalCount"] == 3
    assert [e["node"]["originalName"] for e in page["edges"]] == ["third.csv", "second.csv"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = gql_as(user).execute(MANY, {"first": 2, "after": page["pageInfo"]["endCursor"]})
    assert [e["node"]["originalName"] for e in rest["productImports"]["edges"]] == ["first.csv"]


def test_listing_imports_costs_the_same_queries_whatever_the_page_size(
    gql_as, django_assert_max_num_queries
):
    user = seller_user()
    for _ in range(5):
        product_import_create(seller=user.seller, user=user, upload=upload(SAMPLE.read_bytes()))
    client = gql_as(user)

    with django_assert_max_num_queries(4):
        page = client.execute(MANY, {"first": 5})["productImports"]

    assert page["totalCount"] == 5
