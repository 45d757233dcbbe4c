"""Application documents: recognised from their content, limited in size, private."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from market.sellers.models import SellerDocument, SellerEvent, SellerStatus
from tests.factories import UserFactory
from tests.sellers.helpers import (
    DELETE_DOCUMENT,
    PDF_BYTES,
    UPLOAD,
    application,
    jpeg_bytes,
    png_bytes,
    snapshot,
    with_document,
)

pytestmark = pytest.mark.django_db


def upload(gql_as, user, name: str, data: bytes, kind: str = "portfolio") -> dict:
    response = gql_as(user).upload(
        UPLOAD, {"kind": kind, "file": None}, {"variables.file": SimpleUploadedFile(name, data)}
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["sellerDocumentUpload"]


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("certificate.pdf", PDF_BYTES, "application/pdf"),
        ("photo.png", png_bytes(), "image/png"),
        ("photo.jpg", jpeg_bytes(), "image/jpeg"),
        ("scan.png", PDF_BYTES, "application/pdf"),
    ],
)
def test_a_document_type_is_recognised_from_its_content(gql_as, name, data, content_type):
    seller = application(user=UserFactory())

    result = upload(gql_as, seller.user, name, data)

    assert result["errors"] == []
    assert result["document"] == {
        "id": result["document"]["id"],
        "kind": "portfolio",
        "originalName": name,
        "contentType": content_type,
        "sizeBytes": len(data),
    }
    document = SellerDocument.objects.get(seller=seller)
    assert document.file.read() == data
    assert list(SellerEvent.objects.values_list("kind", "note")) == [
        ("document_added", f"Portfolio: {name}")
    ]


def test_the_stored_file_name_is_not_the_uploaded_one(gql_as):
    seller = application(user=UserFactory())

    upload(gql_as, seller.user, "../../etc/passwd.pdf", PDF_BYTES)

    document = SellerDocument.objects.get(seller=seller)
    assert document.original_name == "passwd.pdf"
    assert document.file.name.startswith("seller-documents/")
    assert document.file.name.endswith(".pdf")
    assert "passwd" not in document.file.name


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("certificate.pdf", b"\x00\x01 random bytes that are no document"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"truncated"),
        ("page.html", b"<html><body>%PDF-</body></html>"),
    ],
)
def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused(gql_as, name, data):
    seller = application(user=UserFactory())
    before = snapshot()

    result = upload(gql_as, seller.user, name, data)

    assert result["errors"] == [
        {
            "field": "file",
            "code": "INVALID_DOCUMENT_TYPE",
            "message": "Documents must be PDF, JPEG or PNG files.",
        }
    ]
    assert snapshot() == before


def test_an_oversize_document_is_refused(gql_as, settings):
    settings.MARKET_MAX_DOCUMENT_BYTES = 64
    seller = application(user=UserFactory())
    before = snapshot()

    result = upload(gql_as, seller.user, "certificate.pdf", PDF_BYTES + b" " * 64)

    assert result["errors"] == [
        {
            "field": "file",
            "code": "DOCUMENT_TOO_LARGE",
            "message": "Documents may be at most 64 bytes.",
        }
    ]
    assert snapshot() == before


def test_an_unknown_document_kind_is_refused(gql_as):
    seller = application(user=UserFactory())
    before = snapshot()

    result = upload(gql_as, seller.user, "certificate.pdf", PDF_BYTES, kind="selfie")

    assert [(e["field"], e["code"]) for e in result["errors"]] == [("kind", "INVALID")]
    assert snapshot() == before


@pytest.mark.parametrize(
    "status", [SellerStatus.SUBMITTED, SellerStatus.APPROVED, SellerStatus.SUSPENDED]
)
def test_documents_cannot_be_added_once_submitted(gql_as, status):
    seller = application(user=UserFactory(), status=status)
    before = snapshot()

    result = upload(gql_as, seller.user, "certificate.pdf", PDF_BYTES)

    assert [e["code"] for e in result["errors"]] == ["INVALID_TRANSITION"]
    assert snapshot() == before


def test_the_owner_removes_a_document(gql_as):
    seller = application(user=UserFactory())
    document = with_document(seller)

    result = gql_as(seller.user).execute(DELETE_DOCUMENT, {"id": _gid(document)})

    assert result["sellerDocumentDelete"]["errors"] == []
    assert result["sellerDocumentDelete"]["seller"]["documents"] == []
    assert list(SellerEvent.objects.values_list("kind", "note")) == [
        ("document_removed", "Residency certificate: certificate.pdf")
    ]


def test_another_sellers_document_answers_not_found(gql_as):
    owner = application(user=UserFactory())
    document = with_document(owner)
    other = application(user=UserFactory())
    before = snapshot()

    result = gql_as(other.user).execute(DELETE_DOCUMENT, {"id": _gid(document)})

    assert [(e["field"], e["code"]) for e in result["sellerDocumentDelete"]["errors"]] == [
        ("id", "NOT_FOUND")
    ]
    assert snapshot() == before


def test_a_document_cannot_be_removed_once_submitted(gql_as):
    seller = application(user=UserFactory(), status=SellerStatus.SUBMITTED)
    document = with_document(seller)
    before = snapshot()

    result = gql_as(seller.user).execute(DELETE_DOCUMENT, {"id": _gid(document)})

    assert [e["code"] for e in result["sellerDocumentDelete"]["errors"]] == ["INVALID_TRANSITION"]
    assert snapshot() == before


def test_a_document_is_stored_outside_the_public_media_folder(settings):
    seller = application(user=UserFactory())

    document = with_document(seller)

    assert not document.file.path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018


def _gid(document) -> str:
    from graphql_relay import to_global_id

    return to_global_id("SellerDocument", document.pk)
