"""The file as a whole is checked when it is uploaded: a refused file stores nothing."""

import codecs

import pytest

from market.catalog.import_models import ProductImport, ProductImportStatus
from market.catalog.imports import MAX_IMPORT_ROWS, product_import_create
from market.catalog.models import Product
from market.core.errors import DomainError
from tests.catalog_import.helpers import HEADER, SAMPLE, csv_bytes, make_catalogue, upload
from tests.factories import SellerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    return SellerFactory(user=UserFactory())


def refused(seller, data: bytes) -> DomainError:
    with pytest.raises(DomainError) as refusal:
        product_import_create(seller=seller, user=seller.user, upload=upload(data))
    assert ProductImport.objects.count() == 0
    assert Product.objects.count() == 0
    return refusal.value


def test_upload_stores_the_file_and_schedules_the_import_after_commit(
    seller, django_capture_on_commit_callbacks
):
    make_catalogue()

    with django_capture_on_commit_callbacks() as callbacks:
        product_import = product_import_create(
            seller=seller, user=seller.user, upload=upload(SAMPLE.read_bytes(), "rugs.csv")
        )

    product_import.refresh_from_db()
    assert product_import.status == ProductImportStatus.PENDING
    assert product_import.total_rows == 4
    assert product_import.processed_rows == 0
    assert product_import.original_name == "rugs.csv"
    assert product_import.uploaded_by == seller.user
    with product_import.file.open("rb") as fh:
        assert fh.read() == SAMPLE.read_bytes()
    assert len(callbacks) == 1
    assert Product.objects.count() == 0  # rows are the worker's job


def test_a_byte_order_mark_is_accepted(seller):
    data = codecs.BOM_UTF8 + csv_bytes([["k", "Rug", "carpets", "R-1", "10.00", "1"]])

    product_import = product_import_create(seller=seller, user=seller.user, upload=upload(data))

    assert product_import.total_rows == 1


def test_a_missing_required_column_refuses_the_whole_file(seller):
    data = csv_bytes(
        [["k", "Rug", "carpets", "R-1", "1"]],
        header=["product_key", "name", "category", "sku", "stock"],
    )

    error = refused(seller, data)

    assert (error.code, error.field) == ("missing_column", "file")
    assert error.message == "Missing required columns: price."


def test_an_unknown_column_refuses_the_whole_file(seller):
    data = csv_bytes(
        [["k", "Rug", "carpets", "R-1", "10.00", "1", "red"]], header=[*HEADER, "colour"]
    )

    error = refused(seller, data)

    assert (error.code, error.field) == ("unknown_column", "file")
    assert error.message.startswith("Unknown columns: 'colour'.")


def test_a_column_named_twice_refuses_the_whole_file(seller):
    data = csv_bytes([["k", "Rug", "carpets", "R-1", "10.00", "1", "2"]], header=[*HEADER, "stock"])

    assert refused(seller, data).code == "unknown_column"


def test_a_file_that_is_not_utf8_is_refused(seller):
    data = "product_key,name,category,sku,price,stock\nk,Xalça,carpets,R-1,10,1\n".encode("cp1254")

    error = refused(seller, data)

    assert (error.code, error.field) == ("invalid_csv", "file")


def test_an_empty_file_is_refused(seller):
    assert refused(seller, b"").code == "invalid_csv"


def test_a_header_without_rows_is_refused(seller):
    assert refused(seller, csv_bytes([])).code == "invalid_csv"


def test_broken_csv_quoting_is_refused(seller):
    data = csv_bytes([]) + b'k,"Rug,carpets,R-1,10.00,1\n'

    assert refused(seller, data).code == "invalid_csv"


def test_a_file_over_the_size_limit_is_refused(seller, settings):
    data = csv_bytes([["k", "Rug", "carpets", "R-1", "10.00", "1"]])
    settings.MARKET_MAX_IMPORT_BYTES = len(data) - 1

    error = refused(seller, data)

    assert (error.code, error.field) == ("file_too_large", "file")


def test_more_rows_than_the_limit_are_refused(seller):
    rows = [[f"k{i}", "Rug", "carpets", f"R-{i}", "10.00", "1"] for i in range(MAX_IMPORT_ROWS + 1)]

    assert refused(seller, csv_bytes(rows)).code == "too_many_rows"


def test_exactly_the_row_limit_is_accepted(seller):
    rows = [[f"k{i}", "Rug", "carpets", f"R-{i}", "10.00", "1"] for i in range(MAX_IMPORT_ROWS)]

    product_import = product_import_create(
        seller=seller, user=seller.user, upload=upload(csv_bytes(rows))
    )

    assert product_import.total_rows == MAX_IMPORT_ROWS
