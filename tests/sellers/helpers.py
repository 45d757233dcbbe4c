"""Documents, operations and checks shared by the seller tests."""

import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from market.sellers.models import Seller, SellerDocument, SellerEvent, SellerStatus
from tests.factories import SellerFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_upload(name: str = "certificate.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def application(*, user, status=SellerStatus.DRAFT, **fields) -> Seller:
    """A complete application (every field a reviewer needs) owned by ``user``."""
    values = dict(
        user=user,
        status=status,
        resident_programme="Crafts residency 2026",
        membership_number="RC-0042",
        contact_email=user.email,
        contact_phone="+994 50 123 45 67",
    )
    values.update(fields)
    return SellerFactory(**values)


def with_document(seller: Seller) -> SellerDocument:
    return SellerDocument.objects.create(
        seller=seller,
        kind="residency_certificate",
        content_type="application/pdf",
        size_bytes=len(PDF_BYTES),
        original_name="certificate.pdf",
        file=ContentFile(PDF_BYTES, name="certificate.pdf"),
    )


def snapshot(seller: Seller | None = None) -> tuple:
    """Every row this area owns (or one seller's), to prove a refused request changed
    nothing."""
    sellers = Seller.objects.order_by("pk")
    events = SellerEvent.objects.order_by("pk")
    documents = SellerDocument.objects.order_by("pk")
    if seller is not None:
        sellers = sellers.filter(pk=seller.pk)
        events = events.filter(seller=seller)
        documents = documents.filter(seller=seller)
    return list(sellers.values()), list(events.values()), list(documents.values())


PROFILE = """
    id name slug status bio discipline residentProgramme membershipNumber city
    country { code } contactEmail contactPhone rejectionReason submittedAt decidedAt
    documents { id kind originalName contentType sizeBytes }
    events { kind fromStatus toStatus note actorEmail }
"""

ERRORS = "errors { field code message }"

CREATE = f"""mutation ($input: SellerApplicationCreateInput!) {{
  sellerApplicationCreate(input: $input) {{ seller {{ {PROFILE} }} {ERRORS} }} }}"""

UPDATE = f"""mutation ($input: SellerApplicationUpdateInput!) {{
  sellerApplicationUpdate(input: $input) {{ seller {{ {PROFILE} }} {ERRORS} }} }}"""

UPLOAD = f"""mutation ($kind: String!, $file: Upload!) {{
  sellerDocumentUpload(kind: $kind, file: $file) {{
    document {{ id kind originalName contentType sizeBytes }} seller {{ status }} {ERRORS} }} }}"""

DELETE_DOCUMENT = f"""mutation ($id: ID!) {{
  sellerDocumentDelete(id: $id) {{ seller {{ {PROFILE} }} {ERRORS} }} }}"""

SUBMIT = f"""mutation {{ sellerApplicationSubmit {{ seller {{ {PROFILE} }} {ERRORS} }} }}"""

APPROVE = f"""mutation ($id: ID!) {{
  sellerApplicationApprove(id: $id) {{ seller {{ {PROFILE} }} {ERRORS} }} }}"""

REJECT = f"""mutation ($id: ID!, $reason: String!) {{
  sellerApplicationReject(id: $id, reason: $reason) {{ seller {{ {PROFILE} }} {ERRORS} }} }}"""

SUSPEND = f"""mutation ($id: ID!, $reason: String!) {{
  sellerSuspend(id: $id, reason: $reason) {{ seller {{ {PROFILE} }} {ERRORS} }} }}"""

REINSTATE = f"""mutation ($id: ID!) {{
  sellerReinstate(id: $id) {{ seller {{ {PROFILE} }} {ERRORS} }} }}"""


def seller_gid(seller: Seller) -> str:
    from graphql_relay import to_global_id

    return to_global_id("Seller", seller.pk)
