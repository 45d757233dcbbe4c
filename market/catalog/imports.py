"""Bulk listing: a seller uploads a CSV of products and variants; a worker imports it.

The file
--------
UTF-8 (a byte-order mark is allowed), comma-separated, with a header row naming the columns in
any order. One row per variant; the rows that share a ``product_key`` form one product, whose
product columns are taken from the first row of the group (later rows may leave them empty).

===============  ========  =====================================================================
column           required  meaning
===============  ========  =====================================================================
product_key      yes       any text that groups the rows of one product within this file
name             yes       the product's name
category         yes       a category slug, e.g. ``carpets``
description                free text
attributes                 ``material=Wool|Silk; colour=Madder red`` (attribute slug = values)
maker_name                 who made it, when not the seller
made_year                  e.g. ``2024``
availability               ``ready_to_ship`` (default) or ``made_to_order``
processing_days            working days before it ships (default 1)
edition_size               empty for an open edition
edition_number
is_exportable              ``true`` (default) or ``false`` (also yes/no, 1/0)
hs_code                    6 to 10 digits
origin_country             ISO 3166-1 alpha-2 (default ``AZ``)
weight_grams, length_mm, width_mm, height_mm   whole numbers
sku              yes       unique across the marketplace
variant_name               e.g. ``120 × 180 cm``
price            yes       in AZN, a dot as the decimal separator: ``450.00``
stock            yes       a whole number
===============  ========  =====================================================================

Refused up front, nothing imported: a file larger than ``MARKET_MAX_IMPORT_BYTES``
(``file_too_large``), not UTF-8 or not readable as CSV or without rows (``invalid_csv``), a
required column missing (``missing_column``), an unknown or repeated column
(``unknown_column``), more than ``MAX_IMPORT_ROWS`` rows (``too_many_rows``).

The import
----------
Each product is created with its variants through the catalogue's services in one transaction:
a product with any bad row is not imported at all, and every bad row of it is reported as
``{line, field, code, message}`` (``line`` counts the header as line 1; ``field`` is the CSV
column, null for the whole row). Imported products are drafts: publishing stays a deliberate act.

Running twice and resuming: a run claims a pending import with a compare-and-set; a second run
of a claimed import does nothing (``ProductImportBusy`` while the first still shows signs of
life, so its task can retry later). A run that stopped half-way (its worker died) is taken over
once it has been silent for longer than a run may last (``claim_expires_after``: the task's hard
time limit and a margin): the new run resumes after the last product group that was committed,
because each group's commit and the import's ``groups_done`` advance in the same transaction.
Every run holds an ``attempt`` number and checks it at each write, so a run that lost the import
to a newer one stops without writing.

Long files: a run given a time budget imports product groups until the budget is spent, then
hands the import back (running → pending) and queues the next run in the same transaction. So
no run comes near the worker's time limits, and a message the broker hands out again after its
worker died finds, at worst, a run's worth of silence to wait out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from market.catalog.import_models import ProductImport, ProductImportStatus
from market.catalog.models import Category
from market.catalog.services import product_create, product_variant_create
from market.core.errors import DomainError
from market.core.state_machine import transition
from market.core.storage import generated_name
from market.core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

# The status changes a run may make, each a compare-and-set on (status, attempt); running →
# running is a takeover of an interrupted run, running → pending a run that spent its time
# budget handing the rest to the next run.
TRANSITIONS: dict[str, set[str]] = {
    ProductImportStatus.PENDING: {ProductImportStatus.RUNNING},
    ProductImportStatus.RUNNING: {
        ProductImportStatus.RUNNING,
        ProductImportStatus.PENDING,
        ProductImportStatus.COMPLETED,
        ProductImportStatus.FAILED,
    },
}

MAX_IMPORT_ROWS = 5_000
MAX_REPORTED_ERRORS = 1_000
# Workers' clocks may differ a little: a claim is taken over only this long after its run
# must have ended.
CLAIM_MARGIN = dt.timedelta(seconds=5)
# When no hard time limit is set, a run's length is unknown: wait this long.
CLAIM_EXPIRY_WITHOUT_TIME_LIMIT = dt.timedelta(minutes=5)


def claim_expires_after() -> dt.timedelta:
    """How long a run may be silent before another takes its import over.

    A worker kills a task at its hard time limit (``CELERY_TASK_TIME_LIMIT``), so a run whose
    last sign of life is older than that (and a margin) is gone."""
    limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None)
    if not limit:
        return CLAIM_EXPIRY_WITHOUT_TIME_LIMIT
    return dt.timedelta(seconds=limit) + CLAIM_MARGIN


class ProductImportErrorCode(StrEnum):
    """Why an upload was refused as a whole (row problems are reported on the import)."""

    FILE_TOO_LARGE = "file_too_large"
    INVALID_CSV = "invalid_csv"
    MISSING_COLUMN = "missing_column"
    UNKNOWN_COLUMN = "unknown_column"
    TOO_MANY_ROWS = "too_many_rows"


class RowErrorCode(StrEnum):
    """Codes of row problems found while reading a row; the catalogue's services add theirs
    (``not_found``, ``unknown_attribute``, ``invalid_hs_code``, ``duplicate_sku``, …)."""

    REQUIRED = "required"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    TOO_MANY_ERRORS = "too_many_errors"


PRODUCT_COLUMNS = (
    "product_key",
    "name",
    "category",
    "description",
    "attributes",
    "maker_name",
    "made_year",
    "availability",
    "processing_days",
    "edition_size",
    "edition_number",
    "is_exportable",
    "hs_code",
    "origin_country",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
)
VARIANT_COLUMNS = ("sku", "variant_name", "price", "stock")
COLUMNS = PRODUCT_COLUMNS + VARIANT_COLUMNS
REQUIRED_COLUMNS = ("product_key", "name", "category", "sku", "price", "stock")
_COUNT_COLUMNS = (
    "made_year",
    "processing_days",
    "edition_size",
    "edition_number",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
)
_TEXT_COLUMNS = ("description", "maker_name", "hs_code")

# The services name fields as the GraphQL API does (camelCase): back to the CSV's columns.
_PRODUCT_FIELD_COLUMNS = {
    "name": "name",
    "categoryId": "category",
    "description": "description",
    "attributes": "attributes",
    "makerName": "maker_name",
    "madeYear": "made_year",
    "availability": "availability",
    "processingDays": "processing_days",
    "editionSize": "edition_size",
    "editionNumber": "edition_number",
    "isExportable": "is_exportable",
    "hsCode": "hs_code",
    "originCountry": "origin_country",
    "weightGrams": "weight_grams",
    "lengthMm": "length_mm",
    "widthMm": "width_mm",
    "heightMm": "height_mm",
}
_VARIANT_FIELD_COLUMNS = {
    "sku": "sku",
    "name": "variant_name",
    "price": "price",
    "priceAmount": "price",
    "stockQuantity": "stock",
    "quantity": "stock",
}
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


class ProductImportBusy(Exception):
    """Another run holds the import and is alive; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float):
        super().__init__(f"The import is being run; retry after {retry_after:.0f} s.")
        self.retry_after = retry_after


class _LostOwnership(Exception):
    """A newer run took the import over: this one stops without writing."""


class _RollBack(Exception):
    """Leave a product's transaction without keeping anything of it."""


# --- Reading the file --------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]
    extra_cells: int = 0

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


def parse_csv(data: bytes) -> list[CsvRow]:
    """The file's rows, or a ``DomainError`` when the file as a whole is unusable."""
    if len(data) > settings.MARKET_MAX_IMPORT_BYTES:
        raise _file_too_large()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(
            ProductImportErrorCode.INVALID_CSV,
            f"The file is not UTF-8 text (byte {exc.start + 1}).",
            field="file",
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        columns = _check_header(header)
        rows: list[CsvRow] = []
        while True:
            line = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                break
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, often left at the end by spreadsheets
            if len(rows) == MAX_IMPORT_ROWS:
                raise DomainError(
                    ProductImportErrorCode.TOO_MANY_ROWS,
                    f"A file holds at most {MAX_IMPORT_ROWS} rows; split it.",
                    field="file",
                )
            rows.append(
                CsvRow(
                    line=line,
                    values=dict(zip(columns, cells, strict=False)),
                    extra_cells=max(0, len(cells) - len(columns)),
                )
            )
    except csv.Error as exc:
        raise DomainError(
            ProductImportErrorCode.INVALID_CSV,
            f"Line {reader.line_num}: the file is not valid CSV ({exc}).",
            field="file",
        ) from None
    if not rows:
        raise DomainError(
            ProductImportErrorCode.INVALID_CSV, "The file has a header but no rows.", field="file"
        )
    return rows


def _check_header(header: list[str] | None) -> list[str]:
    if not header or not any(cell.strip() for cell in header):
        raise DomainError(
            ProductImportErrorCode.INVALID_CSV,
            "The file is empty: its first line must name the columns.",
            field="file",
        )
    columns = [cell.strip().lower() for cell in header]
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise DomainError(
            ProductImportErrorCode.UNKNOWN_COLUMN,
            f"Unknown columns: {', '.join(repr(c) for c in unknown)}. "
            f"Known columns: {', '.join(COLUMNS)}.",
            field="file",
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise DomainError(
            ProductImportErrorCode.UNKNOWN_COLUMN,
            f"Columns named twice: {', '.join(repeated)}.",
            field="file",
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise DomainError(
            ProductImportErrorCode.MISSING_COLUMN,
            f"Missing required columns: {', '.join(missing)}.",
            field="file",
        )
    return columns


def _file_too_large() -> DomainError:
    return DomainError(
        ProductImportErrorCode.FILE_TOO_LARGE,
        f"An import file is at most {settings.MARKET_MAX_IMPORT_BYTES} bytes.",
        field="file",
    )


def group_rows(rows: list[CsvRow]) -> list[list[CsvRow]]:
    """Rows of one product together, products in the order they first appear.

    A row without a ``product_key`` stands alone (and is reported as such).
    """
    groups: dict[str, list[CsvRow]] = {}
    ordered: list[list[CsvRow]] = []
    for row in rows:
        key = row.get("product_key")
        if not key:
            ordered.append([row])
        elif key in groups:
            groups[key].append(row)
        else:
            groups[key] = [row]
            ordered.append(groups[key])
    return ordered


class _RowReader:
    """Typed values of one row; problems are collected, not raised, so all are reported."""

    def __init__(self, row: CsvRow, errors: list[dict]):
        self.row = row
        self.errors = errors

    def error(self, column: str | None, code: str, message: str) -> None:
        self.errors.append(row_error(self.row.line, column, code, message))

    def required(self, column: str) -> str:
        value = self.row.get(column)
        if not value:
            self.error(column, RowErrorCode.REQUIRED, f"'{column}' is required.")
        return value

    def integer(self, column: str) -> int | None:
        value = self.row.get(column)
        if not value:
            return None
        if not _INTEGER.fullmatch(value):
            self.error(column, RowErrorCode.INVALID, f"'{value}' is not a whole number.")
            return None
        return int(value)

    def decimal(self, column: str) -> Decimal | None:
        value = self.row.get(column)
        if not _DECIMAL.fullmatch(value):
            self.error(
                column, RowErrorCode.INVALID, f"'{value}' is not an amount: write it like 450.00."
            )
            return None
        return Decimal(value)

    def boolean(self, column: str) -> bool | None:
        value = self.row.get(column).lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.error(column, RowErrorCode.INVALID, f"'{value}' is neither true nor false.")
        return None

    def attributes(self, column: str) -> dict[str, list[str]] | None:
        text = self.row.get(column)
        parsed: dict[str, list[str]] = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            slug, sep, values = part.partition("=")
            names = [v.strip() for v in values.split("|") if v.strip()]
            if not sep or not slug.strip() or not names:
                self.error(
                    column, RowErrorCode.INVALID, f"'{part}' is not like 'material=Wool|Silk'."
                )
                return None
            parsed.setdefault(slug.strip().lower(), []).extend(names)
        return parsed


def row_error(line: int | None, field: str | None, code: str, message: str) -> dict:
    return {"line": line, "field": field, "code": str(code), "message": message}


def _product_arguments(row: CsvRow, categories: dict[str, int], errors: list[dict]) -> dict | None:
    """Keyword arguments for ``product_create`` from a group's first row, or None if bad."""
    before = len(errors)
    read = _RowReader(row, errors)
    arguments: dict = {"name": read.required("name")}
    slug = read.required("category")
    if slug:
        category_id = categories.get(slug.lower())
        if category_id is None:
            read.error("category", RowErrorCode.NOT_FOUND, f"There is no category '{slug}'.")
        arguments["category_id"] = category_id
    for column in _TEXT_COLUMNS:
        arguments[column] = row.get(column)
    for column in _COUNT_COLUMNS:
        value = read.integer(column)
        if value is not None:
            arguments[column] = value
    if row.get("attributes"):
        arguments["attributes"] = read.attributes("attributes")
    if row.get("availability"):
        arguments["availability"] = row.get("availability").lower()
    if row.get("is_exportable"):
        arguments["is_exportable"] = read.boolean("is_exportable")
    if row.get("origin_country"):
        arguments["origin_country"] = row.get("origin_country").upper()
    return arguments if len(errors) == before else None


def _variant_arguments(row: CsvRow, errors: list[dict]) -> dict | None:
    """Keyword arguments for ``product_variant_create`` from one row, or None if bad."""
    before = len(errors)
    read = _RowReader(row, errors)
    if row.extra_cells:
        read.error(
            None,
            RowErrorCode.INVALID,
            f"The row has {row.extra_cells} more values than the header has columns.",
        )
    arguments: dict[str, Any] = {"sku": read.required("sku"), "name": row.get("variant_name")}
    if read.required("price"):
        arguments["price_amount"] = read.decimal("price")
    if read.required("stock"):
        arguments["stock_quantity"] = read.integer("stock")
    return arguments if len(errors) == before else None


def _service_error(line: int, error: DomainError, columns: dict[str, str]) -> dict:
    head = re.split(r"[.\[]", error.field or "", maxsplit=1)[0]
    return row_error(line, columns.get(head), error.code, error.message)


# --- Services ----------------------------------------------------------------------------------


@transaction.atomic
def product_import_create(*, seller, user, upload: UploadedFile | ContentFile) -> ProductImport:
    """Accept a CSV for import by a worker, after checking the file as a whole.

    Too large, not UTF-8 CSV, a missing required column, an unknown column or too many rows
    refuse the upload and store nothing; row problems are found and reported by the worker.
    """
    if upload.size is not None and upload.size > settings.MARKET_MAX_IMPORT_BYTES:
        raise _file_too_large()
    data = upload.read(settings.MARKET_MAX_IMPORT_BYTES + 1)
    rows = parse_csv(data)
    name = PurePosixPath((upload.name or "products.csv").replace("\\", "/")).name[:255]
    product_import = ProductImport(
        seller=seller, uploaded_by=user, original_name=name, total_rows=len(rows)
    )
    # Kept privately under our name: the seller's file name is only shown back to them.
    product_import.file.save(generated_name(".csv"), ContentFile(data), save=False)
    product_import.save()
    enqueue_on_commit("catalog.run_product_import", import_id=product_import.pk)
    return product_import


def product_import_run(
    *, import_id: int, time_budget: dt.timedelta | None = None
) -> ProductImport | None:
    """Import the products of one upload, each with its variants or not at all.

    Safe to call again: a finished import is left as it is, a running one is left to its run
    (``ProductImportBusy``) until that run has been silent for ``claim_expires_after()``; then
    this run takes over and resumes after the last committed product. Row problems do not fail
    the import: it completes and lists them. An unexpected error fails it with a message.

    With a ``time_budget``, the run stops starting new products once the budget is spent (it
    always finishes at least one) and hands the rest to a new run it queues; interrupted by the
    soft time limit half-way through a product, it does the same (the product rolled back).
    """
    claimed = _claim(import_id)
    if claimed is None:
        return ProductImport.objects.filter(pk=import_id).first()
    product_import, attempt = claimed
    deadline = None if time_budget is None else time.monotonic() + time_budget.total_seconds()
    groups: list[list[CsvRow]] = []
    groups_run = 0
    try:
        with product_import.file.open("rb") as fh:
            groups = group_rows(parse_csv(fh.read()))
        categories = {slug.lower(): pk for slug, pk in Category.objects.values_list("slug", "pk")}
        errors = list(product_import.errors)
        for group in groups[product_import.groups_done :]:
            if deadline is not None and groups_run and time.monotonic() >= deadline:
                finished = _hand_over(product_import, attempt)
                break
            group_errors = _import_group(product_import, attempt, group, categories)
            if group_errors:
                _report(errors, group_errors)
                _skip_group(product_import, attempt, rows=len(group), errors=errors)
            groups_run += 1
        else:
            finished = _finish(product_import, attempt, ProductImportStatus.COMPLETED)
    except _LostOwnership:
        finished = False
    except SoftTimeLimitExceeded:
        if groups_run:
            finished = _hand_over(product_import, attempt)
        else:
            # Not one product fits in a run: a new run would stop at the same place.
            logger.error("Product import %s: one product took longer than a run.", import_id)
            finished = _finish(
                product_import,
                attempt,
                ProductImportStatus.FAILED,
                message=_too_slow_message(groups, product_import),
            )
    except Exception as exc:
        logger.exception("Product import %s failed.", import_id)
        message = (
            exc.message
            if isinstance(exc, DomainError)
            else "The import stopped on an unexpected error; the products imported before it "
            "are kept as drafts."
        )
        finished = _finish(product_import, attempt, ProductImportStatus.FAILED, message=message)
    if not finished:
        logger.info("Product import %s was taken over by a newer run.", import_id)
    return ProductImport.objects.get(pk=import_id)


def _claim(import_id: int) -> tuple[ProductImport, int] | None:
    """Take the import for this run: (the import, this run's attempt), or None when finished.

    A pending import moves to running; a running one is taken over (running → running) only
    once its run has gone silent. Either is one compare-and-set on (status, attempt, heartbeat),
    so of two runs claiming at once only one wins."""
    product_import = ProductImport.objects.filter(pk=import_id).first()
    if product_import is None:
        return None
    now = timezone.now()
    source = product_import.status
    if ProductImportStatus.RUNNING not in TRANSITIONS.get(source, ()):
        return None
    updates: dict[str, Any] = {"attempt": F("attempt") + 1, "heartbeat_at": now}
    if source == ProductImportStatus.PENDING:
        if product_import.started_at is None:
            updates["started_at"] = now
    else:  # running: taken over only once its run has gone silent
        last_seen = product_import.heartbeat_at or product_import.created_at
        expires_after = claim_expires_after()
        if now - last_seen < expires_after:
            raise ProductImportBusy((last_seen + expires_after - now).total_seconds() + 1)
        updates["takeovers"] = F("takeovers") + 1
    claimed = transition(
        ProductImport.objects.filter(
            attempt=product_import.attempt, heartbeat_at=product_import.heartbeat_at
        ),
        pk=import_id,
        table=TRANSITIONS,
        source=source,
        to=ProductImportStatus.RUNNING,
        updates=updates,
    )
    if not claimed:  # another run claimed it between our read and our write
        raise ProductImportBusy(claim_expires_after().total_seconds())
    if source == ProductImportStatus.RUNNING:
        logger.warning(
            "Product import %s resumes after %s product groups.",
            import_id,
            product_import.groups_done,
        )
    product_import.refresh_from_db()
    return product_import, product_import.attempt


def _import_group(
    product_import: ProductImport, attempt: int, rows: list[CsvRow], categories: dict[str, int]
) -> list[dict]:
    """Create one product and its variants, or nothing; return the group's row problems."""
    errors: list[dict] = []
    first = rows[0]
    if not first.get("product_key"):
        errors.append(
            row_error(
                first.line,
                "product_key",
                RowErrorCode.REQUIRED,
                "'product_key' is required: it groups the rows of a product.",
            )
        )
    product_arguments = _product_arguments(first, categories, errors)
    variants = [(row, _variant_arguments(row, errors)) for row in rows]
    if product_arguments is None or not first.get("product_key"):
        return errors
    # Each service is its own savepoint: after a refused variant the product's transaction
    # goes on, so every bad row of the product is found before it is rolled back.
    try:
        with transaction.atomic():
            try:
                product = product_create(seller=product_import.seller, **product_arguments)
            except DomainError as error:
                errors.append(_service_error(first.line, error, _PRODUCT_FIELD_COLUMNS))
                raise _RollBack from None
            except IntegrityError:
                errors.append(
                    row_error(
                        first.line,
                        None,
                        RowErrorCode.INVALID,
                        "The product conflicts with one that exists.",
                    )
                )
                raise _RollBack from None
            created = 0
            for row, arguments in variants:
                if arguments is None:
                    continue
                try:
                    product_variant_create(product=product, **arguments)
                    created += 1
                except DomainError as error:
                    errors.append(_service_error(row.line, error, _VARIANT_FIELD_COLUMNS))
                except IntegrityError:
                    errors.append(
                        row_error(
                            row.line,
                            None,
                            RowErrorCode.INVALID,
                            "The variant conflicts with one that exists.",
                        )
                    )
            if errors:
                raise _RollBack
            # The product and the import's cursor commit together: a run that takes over
            # after a crash neither repeats nor skips this product.
            _advance(
                product_import,
                attempt,
                rows=len(rows),
                products_created=1,
                variants_created=created,
            )
    except _RollBack:
        pass
    return errors


def _advance(product_import: ProductImport, attempt: int, *, rows: int, **counts) -> None:
    updated = ProductImport.objects.filter(pk=product_import.pk, attempt=attempt).update(
        groups_done=F("groups_done") + 1,
        processed_rows=F("processed_rows") + rows,
        heartbeat_at=timezone.now(),
        **{name: F(name) + value for name, value in counts.items()},
    )
    if not updated:
        raise _LostOwnership


def _skip_group(
    product_import: ProductImport, attempt: int, *, rows: int, errors: list[dict]
) -> None:
    """Move past a refused product and report why. Nothing of the product was kept, so a run
    that repeats this after a crash refuses it again and creates nothing."""
    updated = ProductImport.objects.filter(pk=product_import.pk, attempt=attempt).update(
        groups_done=F("groups_done") + 1,
        processed_rows=F("processed_rows") + rows,
        errors=errors,
        heartbeat_at=timezone.now(),
    )
    if not updated:
        raise _LostOwnership


def _hand_over(product_import: ProductImport, attempt: int) -> bool:
    """Give the rest of the import to a new run: back to pending, with the next run's message
    queued in the same transaction (sent once it commits). False if this run had lost it."""
    with transaction.atomic():
        handed_over = transition(
            ProductImport.objects.filter(attempt=attempt),
            pk=product_import.pk,
            table=TRANSITIONS,
            source=ProductImportStatus.RUNNING,
            to=ProductImportStatus.PENDING,
            updates={"heartbeat_at": timezone.now()},
        )
        if handed_over:
            enqueue_on_commit("catalog.run_product_import", import_id=product_import.pk)
    if handed_over:
        logger.info("Product import %s continues in a new run.", product_import.pk)
    return bool(handed_over)


def _too_slow_message(groups: list[list[CsvRow]], product_import: ProductImport) -> str:
    product_import.refresh_from_db(fields=["groups_done"])
    if product_import.groups_done >= len(groups):
        return "The file took longer to read than a worker may run."
    line = groups[product_import.groups_done][0].line
    return (
        f"The product on line {line} took longer to import than a worker may run; the "
        "products before it are kept as drafts. Split its variants over several products."
    )


def _report(errors: list[dict], new: list[dict]) -> None:
    """Append row problems, up to a cap that keeps the import row a reasonable size."""
    for error in new:
        if len(errors) >= MAX_REPORTED_ERRORS:
            if errors[-1]["code"] != RowErrorCode.TOO_MANY_ERRORS:
                errors.append(
                    row_error(
                        None,
                        None,
                        RowErrorCode.TOO_MANY_ERRORS,
                        f"More than {MAX_REPORTED_ERRORS} problems: the rest "
                        "are not listed. Fix these and upload again.",
                    )
                )
            return
        errors.append(error)


def _finish(
    product_import: ProductImport, attempt: int, status: ProductImportStatus, message: str = ""
) -> bool:
    if status not in TRANSITIONS[ProductImportStatus.RUNNING]:
        raise ValueError(f"A run cannot move an import to {status}.")
    now = timezone.now()
    # Only this run's attempt may finish it: a run that was taken over loses the race.
    return bool(
        transition(
            ProductImport.objects.filter(attempt=attempt),
            pk=product_import.pk,
            table=TRANSITIONS,
            source=ProductImportStatus.RUNNING,
            to=status,
            updates={"failure_message": message, "finished_at": now, "heartbeat_at": now},
        )
    )


# --- Reads -------------------------------------------------------------------------------------


def product_import_list_for_seller(*, seller) -> QuerySet[ProductImport]:
    """The seller's own imports, newest first."""
    return ProductImport.objects.filter(seller=seller).order_by("-created_at", "-pk")


def product_import_get_for_seller(*, seller, import_id: int) -> ProductImport | None:
    """One of the seller's imports; another seller's answers exactly like a missing one."""
    return product_import_list_for_seller(seller=seller).filter(pk=import_id).first()
