"""The demo's answer for ``/media/``: an upload is shown as an image or downloaded, never
rendered as a page of our site.

Django's static ``serve`` picks the type from the file's extension; a file named ``x.html`` on
the host that also serves ``/admin/`` would be a page of ours. Uploads are stored under names we
generate, and this view holds the rule on top: only the image types we accept keep their type,
everything else is ``application/octet-stream`` as an attachment, and no answer may be
sniffed into something else (``nosniff``). Production puts a web server or a bucket in front
with the same rules (docs/security.md).
"""

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.static import serve

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["X-Content-Type-Options"] = "nosniff"
    if response.status_code == 304:
        # Would overwrite the type the browser cached with the image.
        return response
    # An image opened on its own cannot run anything; anything opened as a document cannot
    # either, and a sandbox makes it an origin of its own.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if response.get("Content-Type", "").split(";")[0].strip() not in INLINE_TYPES:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = "attachment"
        if "Content-Encoding" in response:
            del response["Content-Encoding"]
    return response
