"""``/sitemap.xml``: every public product, category and maker, in every language."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def sitemap(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # built with the catalogue pages
