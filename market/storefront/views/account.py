"""A buyer's account: register, verify the e-mail address, sign in and out, reset the password,
the account page with orders and addresses, and "Your data" (download it, delete the account).

The API checks everything (passwords, tokens, sign-in limits); a page that signs someone in
then keeps them signed in with Django's session (``django.contrib.auth.login``): the storefront
runs its operations in-process as the session's user, while the GraphQL endpoint itself goes
on trusting bearer tokens only.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from graphql_relay import from_global_id

from market.storefront import api
from market.storefront.views.shopping import STATUS_LABELS
from market.storefront.views.site import safe_next

# The refresh token the sign-in made: revoked on signing out.
REFRESH_TOKEN_SESSION_KEY = "storefront_refresh_token"
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Set in the fresh session after an account is deleted: the confirmation page is shown once.
ACCOUNT_DELETED_SESSION_KEY = "storefront_account_deleted"


def _form(
    request: HttpRequest,
    template: str,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    **context: Any,
) -> HttpResponse:
    return render(
        request,
        f"storefront/account/{template}",
        {"typed": typed or {}, "errors": errors or {}, **context},
        status=400 if errors else 200,
    )


def _typed(request: HttpRequest, *names: str) -> dict[str, str]:
    return {name: request.POST.get(name, "").strip() for name in names}


def _to_sign_in(next_path: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        reverse("storefront:sign_in") + "?" + urlencode({"next": next_path})
    )


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Who is signed in, their orders (each linking to its page) and the addresses used."""
    if not request.user.is_authenticated:
        return _to_sign_in(request.path)
    data = api.run(request, "Account")
    orders = [edge["node"] for edge in data["myOrders"]["edges"]]
    for order in orders:
        order["statusLabel"] = STATUS_LABELS.get(order["status"], order["status"])
    return render(request, "storefront/account/overview.html", {"me": data["me"], "orders": orders})


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _form(request, "register.html")
    typed = _typed(request, "email", "firstName", "lastName")
    payload = api.run(
        request,
        "AccountRegister",
        input={**typed, "password": request.POST.get("password", "")},
    )["accountRegister"]
    errors = api.field_errors(payload)
    if errors:
        return _form(request, "register.html", typed=typed, errors=errors)
    messages.success(
        request,
        _("Thank you. We sent a link to %(email)s: open it to confirm your address, then sign in.")
        % {"email": typed["email"]},
    )
    return HttpResponseRedirect(reverse("storefront:sign_in"))


@require_GET
def verify_email(request: HttpRequest) -> HttpResponse:
    """The link in our verification e-mail: ``?email=…&token=…``."""
    email, token = request.GET.get("email", ""), request.GET.get("token", "")
    errors: dict[str, list[str]] = {}
    if email and token:
        errors = api.field_errors(
            api.run(request, "AccountConfirmEmail", email=email, token=token)["accountConfirmEmail"]
        )
    else:
        errors = {"token": [_("This link is incomplete; open the one in our e-mail.")]}
    return render(
        request,
        "storefront/account/verified.html",
        {"errors": errors, "email": email},
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    target = safe_next(request, reverse("storefront:account"))
    if request.method == "GET":
        return _form(request, "sign_in.html", next=target)
    typed = _typed(request, "email")
    payload = api.run(
        request, "AccountSignIn", email=typed["email"], password=request.POST.get("password", "")
    )["tokenCreate"]
    errors = api.field_errors(payload)
    if errors or not payload["user"]:
        return _form(request, "sign_in.html", typed=typed, errors=errors, next=target)
    pk = from_global_id(payload["user"]["id"]).id
    user = get_user_model().objects.get(pk=pk)
    login(request, user, backend=SESSION_BACKEND)
    request.session[REFRESH_TOKEN_SESSION_KEY] = payload["refreshToken"]
    messages.success(request, _("You are signed in."))
    return HttpResponseRedirect(target)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Revoke the sign-in's refresh token and end the session (its cart goes with it)."""
    refresh = request.session.get(REFRESH_TOKEN_SESSION_KEY)
    if refresh:
        api.run(request, "AccountSignOut", refreshToken=refresh)
    logout(request)
    messages.success(request, _("You are signed out."))
    return HttpResponseRedirect(reverse("storefront:home"))


@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _form(request, "password_forgot.html")
    typed = _typed(request, "email")
    payload = api.run(request, "AccountPasswordForgot", email=typed["email"])
    errors = api.field_errors(payload["requestPasswordReset"])
    if errors:
        return _form(request, "password_forgot.html", typed=typed, errors=errors)
    messages.success(
        request,
        _("If %(email)s has an account, a link to choose a new password is on its way.")
        % {"email": typed["email"]},
    )
    return HttpResponseRedirect(reverse("storefront:sign_in"))


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """The link in our password-reset e-mail: ``?email=…&token=…``, then a new password."""
    email = request.POST.get("email") or request.GET.get("email", "")
    token = request.POST.get("token") or request.GET.get("token", "")
    link = {"email": email, "token": token}
    if request.method == "GET":
        return _form(request, "password_reset.html", link=link)
    payload = api.run(
        request,
        "AccountPasswordReset",
        email=email,
        token=token,
        password=request.POST.get("password", ""),
    )["setPassword"]
    errors = api.field_errors(payload)
    if errors:
        return _form(request, "password_reset.html", errors=errors, link=link)
    messages.success(request, _("Your new password is set: sign in with it."))
    return HttpResponseRedirect(reverse("storefront:sign_in"))


# --- Your data: download it, delete the account ------------------------------------------------


def _data_page(
    request: HttpRequest, *, errors: dict[str, list[str]] | None = None, details: str = ""
) -> HttpResponse:
    return render(
        request,
        "storefront/account/data.html",
        {
            "errors": errors or {},
            "details": details,
            "details_lang": "" if _speaks_english() else "en",
        },
        status=400 if errors else 200,
    )


def _speaks_english() -> bool:
    return (get_language() or "en").startswith("en")


def _erase_refusal(payload: dict[str, Any]) -> tuple[dict[str, list[str]], str]:
    """The API's refusal in the visitor's words: its codes mapped to our translated text, and
    the API's own message (English, with the order numbers) kept as the details of a refusal
    to wait, since only it says which orders hold the erasure up. In English that message is
    the explanation; in the other languages a translated one comes before it."""
    errors: dict[str, list[str]] = {}
    details = []
    for error in payload.get("errors") or []:
        if error["code"] == "INVALID_CREDENTIALS":
            errors.setdefault("password", []).append(_("The password is not correct."))
        elif error["code"] == "ERASURE_MUST_WAIT":
            said = errors.setdefault("", [])
            said.append(_("We cannot delete your account yet, and nothing was changed."))
            if not _speaks_english():
                said.append(
                    _(
                        "An order or your shop's money is not settled: unpaid orders must be "
                        "cancelled first, the others delivered and past the %(days)s-day refund "
                        "window, and a shop's payouts paid and its balance at zero."
                    )
                    % {"days": settings.PAYOUT_HOLD_DAYS}
                )
            details.append(error["message"])
        else:
            errors.setdefault(error.get("field") or "", []).append(error["message"])
    return errors, " ".join(details)


@require_GET
def your_data(request: HttpRequest) -> HttpResponse:
    """What we hold, a button to download it and the form that deletes the account."""
    if not request.user.is_authenticated:
        return _to_sign_in(request.path)
    return _data_page(request)


@require_POST
def data_download(request: HttpRequest) -> HttpResponse:
    """Everything we hold about the visitor as a JSON file (``accountPersonalDataExport``, which
    writes the export to their access log). Never cached: it is their whole record."""
    if not request.user.is_authenticated:
        return _to_sign_in(reverse("storefront:account_data"))
    payload = api.run(request, "AccountDataExport")["accountPersonalDataExport"]
    errors = api.field_errors(payload)
    if errors:
        return _data_page(request, errors=errors)
    document = json.dumps(json.loads(payload["data"]), indent=2, ensure_ascii=False)
    response = HttpResponse(document + "\n", content_type="application/json; charset=utf-8")
    filename = f"creative-market-data-{timezone.now().date().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account (``accountErase``): the password confirms it and a ticked box says the
    visitor means it. On success the visitor is signed out (the erasure already ended every
    session and token of theirs) and told once; a refusal changes nothing and says why."""
    if not request.user.is_authenticated:
        return _to_sign_in(reverse("storefront:account_data"))
    if request.POST.get("confirm") != "yes":
        errors = {"confirm": [_("Tick the box to confirm that you want your account deleted.")]}
        return _data_page(request, errors=errors)
    payload = api.run(request, "AccountErase", password=request.POST.get("password", ""))
    errors, details = _erase_refusal(payload["accountErase"])
    if errors:
        return _data_page(request, errors=errors, details=details)
    logout(request)
    request.session[ACCOUNT_DELETED_SESSION_KEY] = True
    return HttpResponseRedirect(reverse("storefront:account_deleted"))


@require_GET
def account_deleted(request: HttpRequest) -> HttpResponse:
    """The confirmation, shown once to the browser that deleted the account."""
    if not request.session.pop(ACCOUNT_DELETED_SESSION_KEY, False):
        return HttpResponseRedirect(reverse("storefront:home"))
    response = render(request, "storefront/account/deleted.html")
    add_never_cache_headers(response)
    return response
