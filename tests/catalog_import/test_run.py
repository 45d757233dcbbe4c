"""The worker's side: products with their variants or not at all, every bad row reported."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from market.catalog import imports
from market.catalog.import_models import ProductImport, ProductImportStatus
from market.catalog.imports import ProductImportBusy, product_import_create, product_import_run
from market.catalog.models import Availability, Product, ProductStatus, ProductVariant
from market.core.models import OutboxMessage
from tests.catalog_import.helpers import HEADER, SAMPLE, csv_bytes, make_catalogue, upload
from tests.factories import ProductVariantFactory, SellerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    make_catalogue()
    return SellerFactory(user=UserFactory())


def uploaded(seller, data: bytes) -> ProductImport:
    return product_import_create(seller=seller, user=seller.user, upload=upload(data))


def run(product_import: ProductImport) -> ProductImport:
    return product_import_run(import_id=product_import.pk)


def test_a_good_file_creates_draft_products_with_their_variants_and_attributes(seller):
    product_import = run(uploaded(seller, SAMPLE.read_bytes()))

    assert product_import.status == ProductImportStatus.COMPLETED
    assert (
        product_import.total_rows,
        product_import.processed_rows,
        product_import.products_created,
        product_import.variants_created,
    ) == (4, 4, 3, 4)
    assert product_import.errors == []
    assert product_import.started_at is not None and product_import.finished_at is not None
    assert set(Product.objects.values_list("name", "status", "seller")) == {
        ("Guba rug", ProductStatus.DRAFT, seller.pk),
        ("Tar strings", ProductStatus.DRAFT, seller.pk),
        ("Cobalt bowl", ProductStatus.DRAFT, seller.pk),
    }
    rug = Product.objects.get(name="Guba rug")
    assert rug.category.slug == "carpets"
    assert list(rug.variants.values_list("sku", "name", "price_amount", "stock_quantity")) == [
        ("GUBA-120", "120 × 180 cm", Decimal("1450.00"), 2),
        ("GUBA-150", "150 × 220 cm", Decimal("2100.00"), 1),
    ]
    assert sorted(rug.attribute_values.values_list("attribute__slug", "name")) == [
        ("colour", "Madder red"),
        ("material", "Silk"),
        ("material", "Wool"),
    ]
    assert (
        rug.maker_name,
        rug.made_year,
        rug.processing_days,
        rug.hs_code,
        rug.weight_grams,
        rug.is_exportable,
    ) == ("Aygun Mammadova", 2024, 3, "570110", 8200, True)
    strings = Product.objects.get(name="Tar strings")
    assert (strings.availability, strings.processing_days, strings.is_exportable) == (
        Availability.MADE_TO_ORDER,
        14,
        False,
    )
    bowl = Product.objects.get(name="Cobalt bowl")
    assert (bowl.edition_size, bowl.edition_number) == (50, 7)
    assert bowl.variants.get().price_amount == Decimal("80.00")


def test_a_bad_row_keeps_its_whole_product_out_and_the_other_products_in(seller):
    data = csv_bytes(
        [
            ["rug", "Rug", "carpets", "RUG-1", "100.00", "1"],
            ["bowl", "Bowl", "ceramics", "BOWL-1", "20.00", "3"],
            ["bowl", "", "", "BOWL-2", "-5.00", "3"],
            ["vase", "Vase", "pottery", "VASE-1", "30.00", "1"],
            ["mug", "Mug", "ceramics", "RUG-1", "10.00", "1"],
        ]
    )

    product_import = run(uploaded(seller, data))

    assert product_import.status == ProductImportStatus.COMPLETED
    assert product_import.errors == [
        {
            "line": 4,
            "field": "price",
            "code": "invalid_price",
            "message": "A price must not be negative.",
        },
        {
            "line": 5,
            "field": "category",
            "code": "not_found",
            "message": "There is no category 'pottery'.",
        },
        {
            "line": 6,
            "field": "sku",
            "code": "duplicate_sku",
            "message": "The SKU 'RUG-1' is already in use.",
        },
    ]
    assert list(Product.objects.values_list("name", flat=True)) == ["Rug"]
    assert list(ProductVariant.objects.values_list("sku", flat=True)) == ["RUG-1"]
    assert (
        product_import.processed_rows,
        product_import.products_created,
        product_import.variants_created,
    ) == (5, 1, 1)


def test_every_bad_row_of_a_product_is_reported(seller):
    data = csv_bytes(
        [
            ["bowl", "Bowl", "ceramics", "BOWL-1", "20.00", "many"],
            ["bowl", "", "", "BOWL-2", "20.00", "2"],
            ["bowl", "", "", "BOWL-3", "12,50", "2"],
            ["bowl", "", "", "BOWL-4", "-1", "2"],
        ]
    )

    product_import = run(uploaded(seller, data))

    assert product_import.errors == [
        {
            "line": 2,
            "field": "stock",
            "code": "invalid",
            "message": "'many' is not a whole number.",
        },
        {
            "line": 4,
            "field": "price",
            "code": "invalid",
            "message": "'12,50' is not an amount: write it like 450.00.",
        },
        {
            "line": 5,
            "field": "price",
            "code": "invalid_price",
            "message": "A price must not be negative.",
        },
    ]
    assert Product.objects.count() == 0
    assert ProductVariant.objects.count() == 0


def test_a_variant_sku_already_in_the_marketplace_is_reported(seller):
    ProductVariantFactory(sku="TAKEN-1")
    data = csv_bytes([["rug", "Rug", "carpets", "TAKEN-1", "100.00", "1"]])

    product_import = run(uploaded(seller, data))

    assert product_import.errors == [
        {
            "line": 2,
            "field": "sku",
            "code": "duplicate_sku",
            "message": "The SKU 'TAKEN-1' is already in use.",
        }
    ]
    assert Product.objects.filter(seller=seller).count() == 0


def test_product_problems_are_reported_on_the_first_row_under_their_column(seller):
    header = [*HEADER, "hs_code", "attributes"]
    data = csv_bytes(
        [
            ["rug", "Rug", "carpets", "RUG-1", "100.00", "1", "57.01", ""],
            ["rug", "", "", "RUG-2", "100.00", "1", "", ""],
            ["bowl", "Bowl", "ceramics", "BOWL-1", "20.00", "1", "", "size=Large"],
            ["mug", "Mug", "ceramics", "MUG-1", "20.00", "1", "", "colour"],
        ],
        header=header,
    )

    product_import = run(uploaded(seller, data))

    assert product_import.errors == [
        {
            "line": 2,
            "field": "hs_code",
            "code": "invalid_hs_code",
            "message": "An HS code is 6 to 10 digits, without dots or spaces.",
        },
        {
            "line": 4,
            "field": "attributes",
            "code": "unknown_attribute",
            "message": "There is no attribute 'size'.",
        },
        {
            "line": 5,
            "field": "attributes",
            "code": "invalid",
            "message": "'colour' is not like 'material=Wool|Silk'.",
        },
    ]
    assert Product.objects.count() == 0


def test_missing_values_are_reported_per_column(seller):
    data = csv_bytes(
        [["", "Rug", "carpets", "RUG-1", "100.00", "1"], ["bowl", "", "ceramics", "", "20.00", ""]]
    )

    product_import = run(uploaded(seller, data))

    assert [(e["line"], e["field"], e["code"]) for e in product_import.errors] == [
        (2, "product_key", "required"),
        (3, "name", "required"),
        (3, "sku", "required"),
        (3, "stock", "required"),
    ]
    assert product_import.processed_rows == 2


def test_line_numbers_count_the_header_and_multi_line_values(seller):
    data = (
        b"product_key,name,category,description,sku,price,stock\n"
        b'rug,Rug,carpets,"Two\nlines",RUG-1,100.00,1\n'
        b"\n"
        b"bowl,Bowl,ceramics,,BOWL-1,abc,1\n"
    )

    product_import = run(uploaded(seller, data))

    assert [(e["line"], e["field"]) for e in product_import.errors] == [(5, "price")]
    assert Product.objects.get().description == "Two\nlines"


def test_progress_is_visible_while_the_import_runs(seller, monkeypatch):
    product_import = uploaded(
        seller,
        csv_bytes([[f"k{i}", f"Rug {i}", "carpets", f"RUG-{i}", "100.00", "1"] for i in range(4)]),
    )
    seen = []
    create_variant = imports.product_variant_create

    def watching(**kwargs):
        seen.append(
            ProductImport.objects.values_list("status", "processed_rows").get(pk=product_import.pk)
        )
        return create_variant(**kwargs)

    monkeypatch.setattr(imports, "product_variant_create", watching)

    run(product_import)

    assert seen == [("running", 0), ("running", 1), ("running", 2), ("running", 3)]
    product_import.refresh_from_db()
    assert (product_import.status, product_import.processed_rows) == ("completed", 4)


def test_running_the_same_import_twice_creates_nothing_twice(seller):
    product_import = uploaded(seller, SAMPLE.read_bytes())
    run(product_import)

    again = run(product_import)

    assert (again.status, again.products_created, again.variants_created) == ("completed", 3, 4)
    assert Product.objects.count() == 3
    assert ProductVariant.objects.count() == 4


def test_a_run_leaves_an_import_that_another_live_run_holds_alone(seller):
    product_import = uploaded(seller, SAMPLE.read_bytes())
    ProductImport.objects.filter(pk=product_import.pk).update(
        status=ProductImportStatus.RUNNING, attempt=1, heartbeat_at=timezone.now()
    )

    with pytest.raises(ProductImportBusy):
        run(product_import)

    assert Product.objects.count() == 0
    assert ProductImport.objects.get(pk=product_import.pk).attempt == 1


class WorkerDied(BaseException):
    """Stands for the worker process being killed half-way."""


def test_an_interrupted_import_resumes_after_the_last_committed_product(seller, monkeypatch):
    product_import = uploaded(seller, SAMPLE.read_bytes())
    create_product = imports.product_create
    calls = []

    def dies_on_the_second_product(**kwargs):
        calls.append(kwargs["name"])
        if len(calls) == 2:
            raise WorkerDied
        return create_product(**kwargs)

    monkeypatch.setattr(imports, "product_create", dies_on_the_second_product)
    with pytest.raises(WorkerDied):
        run(product_import)
    monkeypatch.setattr(imports, "product_create", create_product)
    interrupted = ProductImport.objects.get(pk=product_import.pk)
    assert (interrupted.status, interrupted.groups_done, interrupted.processed_rows) == (
        "running",
        1,
        2,
    )
    ProductImport.objects.filter(pk=product_import.pk).update(
        heartbeat_at=timezone.now() - imports.claim_expires_after() - dt.timedelta(seconds=1)
    )

    resumed = run(product_import)

    assert (
        resumed.status,
        resumed.attempt,
        resumed.takeovers,
        resumed.processed_rows,
        resumed.products_created,
        resumed.variants_created,
    ) == ("completed", 2, 1, 4, 3, 4)
    assert sorted(Product.objects.values_list("name", flat=True)) == [
        "Cobalt bowl",
        "Guba rug",
        "Tar strings",
    ]


def test_a_run_that_was_taken_over_stops_without_writing(seller, monkeypatch):
    product_import = uploaded(seller, SAMPLE.read_bytes())
    create_product = imports.product_create

    def taken_over_meanwhile(**kwargs):
        ProductImport.objects.filter(pk=product_import.pk).update(attempt=99)
        return create_product(**kwargs)

    monkeypatch.setattr(imports, "product_create", taken_over_meanwhile)

    result = run(product_import)

    assert (result.status, result.processed_rows, result.products_created) == ("running", 0, 0)
    assert Product.objects.count() == 0


def test_an_unexpected_error_fails_the_import_with_a_message(seller, monkeypatch):
    product_import = uploaded(seller, SAMPLE.read_bytes())

    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(imports, "product_create", broken)

    failed = run(product_import)

    assert failed.status == ProductImportStatus.FAILED
    assert failed.failure_message == (
        "The import stopped on an unexpected error; the products imported before it are kept "
        "as drafts."
    )
    assert failed.finished_at is not None
    assert Product.objects.count() == 0


def test_reported_problems_are_capped(seller, monkeypatch):
    monkeypatch.setattr(imports, "MAX_REPORTED_ERRORS", 2)
    data = csv_bytes([[f"k{i}", "Rug", "nowhere", f"R-{i}", "1.00", "1"] for i in range(4)])

    product_import = run(uploaded(seller, data))

    assert [(e["line"], e["code"]) for e in product_import.errors] == [
        (2, "not_found"),
        (3, "not_found"),
        (None, "too_many_errors"),
    ]
    assert product_import.processed_rows == 4


def _runs_recorded(product_import) -> int:
    """Runs of this import recorded in the outbox (queued with the transaction that asks)."""
    return OutboxMessage.objects.filter(
        task_name="catalog.run_product_import", kwargs__import_id=product_import.pk
    ).count()


def test_a_run_whose_time_budget_is_spent_hands_the_rest_to_a_new_run(seller):
    product_import = uploaded(seller, SAMPLE.read_bytes())

    before = _runs_recorded(product_import)
    paused = product_import_run(import_id=product_import.pk, time_budget=dt.timedelta(0))

    # At least one product per run, so that every run gets somewhere.
    assert (paused.status, paused.groups_done, paused.processed_rows, paused.attempt) == (
        "pending",
        1,
        2,
        1,
    )
    assert _runs_recorded(product_import) == before + 1  # the next run, recorded once
    assert Product.objects.count() == 1


def test_runs_with_a_spent_budget_import_the_file_once_product_by_product(seller):
    product_import = uploaded(seller, SAMPLE.read_bytes())
    runs = 0
    while product_import.status != ProductImportStatus.COMPLETED:
        product_import = product_import_run(
            import_id=product_import.pk, time_budget=dt.timedelta(0)
        )
        runs += 1

    assert runs == 3
    assert (
        product_import.attempt,
        product_import.takeovers,
        product_import.processed_rows,
        product_import.products_created,
        product_import.variants_created,
        product_import.errors,
    ) == (3, 0, 4, 3, 4, [])
    assert product_import.started_at < product_import.finished_at
    assert Product.objects.count() == 3


def test_a_silent_run_is_taken_over_only_after_the_hard_time_limit(seller, settings):
    settings.CELERY_TASK_TIME_LIMIT = 50
    product_import = uploaded(seller, SAMPLE.read_bytes())
    ProductImport.objects.filter(pk=product_import.pk).update(
        status=ProductImportStatus.RUNNING,
        attempt=1,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=50),
    )

    # Still within the limit and its margin: that run may be alive.
    with pytest.raises(ProductImportBusy) as busy:
        run(product_import)
    assert 0 < busy.value.retry_after <= imports.CLAIM_MARGIN.total_seconds() + 1
    assert ProductImport.objects.get(pk=product_import.pk).takeovers == 0

    ProductImport.objects.filter(pk=product_import.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=50) - imports.CLAIM_MARGIN
    )
    resumed = run(product_import)

    assert (resumed.status, resumed.attempt, resumed.takeovers, resumed.products_created) == (
        "completed",
        2,
        1,
        3,
    )


def test_the_soft_time_limit_in_the_middle_of_a_product_hands_the_rest_to_a_new_run(
    seller, monkeypatch
):
    product_import = uploaded(seller, SAMPLE.read_bytes())
    create_product = imports.product_create
    calls = []

    def interrupted_on_the_second_product(**kwargs):
        calls.append(kwargs["name"])
        if len(calls) == 2:
            raise imports.SoftTimeLimitExceeded
        return create_product(**kwargs)

    monkeypatch.setattr(imports, "product_create", interrupted_on_the_second_product)
    before = _runs_recorded(product_import)
    paused = run(product_import)

    assert (paused.status, paused.groups_done, paused.products_created) == ("pending", 1, 1)
    assert _runs_recorded(product_import) == before + 1  # the next run, recorded once
    monkeypatch.setattr(imports, "product_create", create_product)
    finished = run(product_import)
    assert (finished.status, finished.products_created, finished.variants_created) == (
        "completed",
        3,
        4,
    )
    assert Product.objects.count() == 3


def test_a_product_that_alone_outlasts_the_soft_time_limit_fails_the_import(seller, monkeypatch):
    product_import = uploaded(seller, SAMPLE.read_bytes())

    def too_slow(**kwargs):
        raise imports.SoftTimeLimitExceeded

    monkeypatch.setattr(imports, "product_create", too_slow)

    failed = run(product_import)

    assert failed.status == ProductImportStatus.FAILED
    assert failed.failure_message.startswith(
        "The product on line 2 took longer to import than a worker may run"
    )
    assert Product.objects.count() == 0
