"""What the demo's /media/ answers: images as images, anything else as a download, never
sniffed (files stored before uploads got generated names may still be called x.html)."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.uploads.images import png_bytes


def _stored(name: str, data: bytes) -> str:
    path = Path(settings.MEDIA_ROOT) / "products" / "2026" / "01" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return f"/media/products/2026/01/{name}"


@pytest.mark.parametrize(
    "name, data",
    [
        ("x.html", png_bytes()),
        ("page.htm", b"<script>alert(document.cookie)</script>"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("notes", b"<html><body>hello</body></html>"),
    ],
)
def test_a_stored_file_that_is_not_an_accepted_image_type_is_served_as_a_download(
    client, name, data
):
    response = client.get(_stored(name, data))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data


@pytest.mark.parametrize(
    "name, content_type",
    [("a.png", "image/png"), ("a.jpg", "image/jpeg"), ("a.webp", "image/webp")],
)
def test_an_accepted_image_keeps_its_type_and_is_never_sniffed(client, name, content_type):
    response = client.get(_stored(name, png_bytes()))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.get("Content-Disposition", "inline").startswith("attachment")


def test_a_missing_media_file_is_not_found(client):
    assert client.get("/media/products/2026/01/missing.png").status_code == 404
