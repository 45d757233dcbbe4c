"""Browsing: home, the catalogue, categories, products and makers."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from market.storefront import api
from market.storefront.preferences import preferences_get


def home(request: HttpRequest) -> HttpResponse:
    data = api.run(request, "Home", currency=preferences_get(request).currency)
    return render(request, "storefront/home.html", data)


def product_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404


def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404


def maker_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def maker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404
