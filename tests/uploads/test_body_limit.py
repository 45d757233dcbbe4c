"""Bodies are capped before anything stores them: by Content-Length at once, and while reading
a body that declares no length; sessions, authentication and views never see them."""

import io
import json
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from market.catalog.models import ProductImage
from tests.catalog.seller import support
from tests.factories import ProductFactory, SellerFactory, UserFactory

pytestmark = pytest.mark.django_db

MULTIPART = "multipart/form-data; boundary=BoUnDaRy"


class CountingBody(io.BytesIO):
    """A request body that records how much of it the server read."""

    consumed = 0

    def read(self, size=-1, /):
        data = super().read(size)
        self.consumed += len(data)
        return data

    def readline(self, size=-1, /):
        line = super().readline(size)
        self.consumed += len(line)
        return line


def _refused(response, limit: int) -> bool:
    return response.status_code == 413 and response.json() == {
        "errors": [
            {
                "message": f"The request body is larger than {limit} bytes.",
                "extensions": {"code": "request_too_large"},
            }
        ]
    }


@pytest.fixture
def upload_temp_dir(settings, tmp_path) -> Path:
    folder = tmp_path / "upload-temp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def test_an_anonymous_body_declared_over_the_cap_is_refused_before_a_byte_is_read(
    client, settings, upload_temp_dir
):
    body = CountingBody(b"--BoUnDaRy\r\n" + b"x" * 1000)

    response = client.generic(
        "POST",
        "/graphql/",
        **{"CONTENT_TYPE": MULTIPART, "CONTENT_LENGTH": str(300 * 1024 * 1024), "wsgi.input": body},
    )

    assert _refused(response, settings.MARKET_MAX_REQUEST_BYTES)
    assert body.consumed == 0
    assert list(upload_temp_dir.iterdir()) == []


def test_the_cap_covers_the_largest_accepted_file_and_its_envelope(settings):
    largest = max(
        settings.MARKET_MAX_IMAGE_BYTES,
        settings.MARKET_MAX_IMPORT_BYTES,
        settings.MARKET_MAX_DOCUMENT_BYTES,
    )

    assert largest < settings.MARKET_MAX_REQUEST_BYTES <= largest + 1024 * 1024


def test_the_admin_sign_in_page_refuses_an_oversized_body_too(client, settings):
    body = CountingBody(b"username=a&password=b")

    response = client.generic(
        "POST",
        "/admin/login/",
        **{
            "CONTENT_TYPE": MULTIPART,
            "CONTENT_LENGTH": str(settings.MARKET_MAX_REQUEST_BYTES + 1),
            "wsgi.input": body,
        },
    )

    assert _refused(response, settings.MARKET_MAX_REQUEST_BYTES)
    assert body.consumed == 0


def test_a_body_without_a_length_is_read_only_up_to_the_cap_and_refused(client, settings):
    settings.MARKET_MAX_REQUEST_BYTES = 10_000
    query = {"query": "query ($pad: String) { __typename }", "variables": {"pad": "x" * 50_000}}
    body = CountingBody(json.dumps(query).encode())

    response = client.generic(
        "POST",
        "/graphql/",
        **{
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": "",
            "wsgi.input": body,
            "wsgi.input_terminated": True,
        },
    )

    assert _refused(response, 10_000)
    assert body.consumed <= 10_001


def test_a_body_without_a_length_under_the_cap_is_answered(client):
    body = CountingBody(json.dumps({"query": "{ __typename }"}).encode())

    response = client.generic(
        "POST",
        "/graphql/",
        **{
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": "",
            "wsgi.input": body,
            "wsgi.input_terminated": True,
        },
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def test_a_body_of_exactly_the_cap_is_answered(client, settings):
    body = json.dumps({"query": "{ __typename }"}).encode()
    settings.MARKET_MAX_REQUEST_BYTES = len(body)

    response = client.post("/graphql/", data=body, content_type="application/json")

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def test_an_image_upload_under_the_cap_still_works_and_leaves_no_temporary_file(
    gql_as, upload_temp_dir
):
    seller = SellerFactory(user=UserFactory())
    product = ProductFactory(seller=seller)
    buffer = io.BytesIO()  # noise does not compress: a few MB, past Django's in-memory limit
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(buffer, format="PNG")

    response = gql_as(seller.user).upload(
        support.IMAGE_CREATE,
        {"productId": support.gid(product), "image": None},
        {"variables.image": SimpleUploadedFile("noise.png", buffer.getvalue())},
    )

    assert support.payload(response, "productImageCreate")["errors"] == []
    assert ProductImage.objects.filter(product=product).count() == 1
    assert list(upload_temp_dir.iterdir()) == []


def test_a_body_longer_than_its_declared_length_is_not_read_past_that_length(client):
    query = json.dumps({"query": "{ __typename }"}).encode()
    body = CountingBody(query + b" " * 1_000_000)

    response = client.generic(
        "POST",
        "/graphql/",
        **{
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(query)),
            "wsgi.input": body,
        },
    )

    assert response.json() == {"data": {"__typename": "Query"}}
    assert body.consumed == len(query)
