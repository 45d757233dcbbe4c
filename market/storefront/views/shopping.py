"""Buying: the cart, checkout and payment, and an order's status."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def cart(request: HttpRequest) -> HttpResponse:
    raise Http404


def checkout(request: HttpRequest) -> HttpResponse:
    raise Http404


def order_status(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404
