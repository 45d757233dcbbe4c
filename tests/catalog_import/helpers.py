import csv
import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import AttributeFactory, CategoryFactory

SAMPLE = Path(__file__).with_name("sample.csv")
HEADER = ["product_key", "name", "category", "sku", "price", "stock"]


def make_catalogue() -> None:
    """The categories and attributes that sample.csv names."""
    for slug in ("carpets", "instruments", "ceramics"):
        CategoryFactory(slug=slug, name=slug.title())
    AttributeFactory(slug="material", name="Material")
    AttributeFactory(slug="colour", name="Colour")


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def upload(data: bytes, name: str = "products.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")
