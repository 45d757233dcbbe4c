"""A buyer's account: register, verify the e-mail address, sign in and out, reset the password,
and the account page with orders and addresses."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def overview(request: HttpRequest) -> HttpResponse:
    raise Http404


def register(request: HttpRequest) -> HttpResponse:
    raise Http404


def sign_in(request: HttpRequest) -> HttpResponse:
    raise Http404


def sign_out(request: HttpRequest) -> HttpResponse:
    raise Http404


def password_forgot(request: HttpRequest) -> HttpResponse:
    raise Http404


def verify_email(request: HttpRequest) -> HttpResponse:
    raise Http404


def password_reset(request: HttpRequest) -> HttpResponse:
    raise Http404
