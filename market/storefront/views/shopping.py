"""Buying: the cart, checkout and payment, and an order's status.

Every page and form here runs the API's operations (``graphql/operations/storefront/``); a
mutation's errors are shown at the field the API names (inputs are named after the API's
fields, e.g. ``shippingAddress.postalCode``), with what the visitor typed kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from market.storefront import api
from market.storefront.cart import (
    CART_CURRENCY_SESSION_KEY,
    cart_forget_gone,
    cart_load,
    cart_remember,
    cart_remember_checkout,
    cart_token,
    is_gone,
)
from market.storefront.preferences import preferences_get
from market.storefront.views.site import safe_next

# "Place order" repeats its idempotency key for the checkout it was made for, so a double
# submit (or a retry after a lost answer) gets the one order back instead of a second one.
PLACE_ORDER_SESSION_KEY = "storefront_place_order"
ADDRESS_FIELDS = (
    ("name", gettext_lazy("Full name"), "name", True),
    ("companyName", gettext_lazy("Company (optional)"), "organization", False),
    ("streetAddress1", gettext_lazy("Street and number"), "address-line1", True),
    ("streetAddress2", gettext_lazy("Flat, floor (optional)"), "address-line2", False),
    ("city", gettext_lazy("City"), "address-level2", True),
    ("postalCode", gettext_lazy("Postal code"), "postal-code", False),
    ("countryArea", gettext_lazy("Region or state (optional)"), "address-level1", False),
    ("country", gettext_lazy("Country"), "country", True),
    ("phone", gettext_lazy("Phone (optional)"), "tel", False),
)
ADDRESS_PREFIXES = ("shippingAddress", "billingAddress")
OPEN_PAYMENT = {"PENDING", "REQUIRES_ACTION"}
STATUS_LABELS = {
    "UNPAID": gettext_lazy("awaiting payment"),
    "PAID": gettext_lazy("paid"),
    "IN_FULFILMENT": gettext_lazy("being made or packed"),
    "SHIPPED": gettext_lazy("shipped"),
    "DELIVERED": gettext_lazy("delivered"),
    "COMPLETED": gettext_lazy("completed"),
    "CANCELLED": gettext_lazy("cancelled"),
    "REFUNDED": gettext_lazy("refunded"),
}


GRAPHQL_INT_MAX = 2**31 - 1  # GraphQL's Int is 32-bit; a bigger one is refused before resolvers


def _quantity(value: str | None, default: int = 1) -> int | None:
    """A whole number from a form (None when it is not one, or is beyond what a GraphQL ``Int``
    holds: the API is not asked)."""
    try:
        number = int((value or "").strip() or default)
    except ValueError:
        return None
    return number if -GRAPHQL_INT_MAX - 1 <= number <= GRAPHQL_INT_MAX else None


def _first_message(errors: list[dict[str, Any]]) -> str:
    return errors[0]["message"] if errors else ""


# --- The cart --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def cart(request: HttpRequest) -> HttpResponse:
    """GET: the cart per maker. POST: "Add to cart" (``variant``, ``quantity``, ``next``), or a
    line's new quantity (``action=update``) or its removal (``action=remove``)."""
    if request.method == "POST":
        if request.POST.get("action") in ("update", "remove"):
            return _cart_line_change(request)
        return _cart_add(request)
    data = cart_load(request, "Cart")
    checkout = (data or {}).get("checkout")
    return render(request, "storefront/cart.html", {"checkout": checkout, **_cart_parts(checkout)})


def _cart_parts(checkout: dict[str, Any] | None) -> dict[str, Any]:
    """The cart's lines grouped per maker, each line with its prices from the quote."""
    if not checkout:
        return {"parts": [], "has_problems": False}
    lines = {line["variant"]["id"]: line for line in checkout["lines"]}
    parts = [
        {
            "seller": part["seller"],
            "subtotal": part["subtotal"],
            "lines": [{**lines[quoted["variantId"]], "quote": quoted} for quoted in part["lines"]],
        }
        for part in checkout["quote"]["parts"]
    ]
    return {"parts": parts, "has_problems": any(line["problem"] for line in lines.values())}


def _cart_add(request: HttpRequest) -> HttpResponse:
    target = safe_next(request, reverse("storefront:cart"))
    quantity = _quantity(request.POST.get("quantity"))
    variant = request.POST.get("variant", "").strip()
    if not variant or quantity is None:
        messages.error(request, _("Choose an item and a quantity to add to your cart."))
        return _cart_answer(request, target)
    lines = [{"variantId": variant, "quantity": quantity}]
    token = cart_token(request)
    if token:
        payload = api.run(request, "CartLinesAdd", token=token, lines=lines)["checkoutLinesAdd"]
        if is_gone(payload["errors"]):
            cart_forget_gone(request)
            token = None
    if not token:
        payload = _cart_create(request, lines)
    if payload["errors"]:
        messages.error(request, _first_message(payload["errors"]))
    else:
        cart_remember_checkout(request, payload["checkout"])
        messages.success(request, _("Added to your cart."))
    return _cart_answer(request, target)


def _cart_create(request: HttpRequest, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """A new checkout in the visitor's currency (in the base currency while no rate for it is
    known: the cart then shows base prices rather than refusing the item)."""
    currency = preferences_get(request).currency
    payload = api.run(request, "CartCreate", currency=currency, lines=lines)["checkoutCreate"]
    if any(error["field"] == "currency" for error in payload["errors"]):
        payload = api.run(request, "CartCreate", lines=lines)["checkoutCreate"]
    request.session[CART_CURRENCY_SESSION_KEY] = currency
    return payload


def _cart_answer(request: HttpRequest, target: str) -> HttpResponse:
    """PRG to ``target``; to htmx, the header's cart link (and the messages) to swap in."""
    if getattr(request, "htmx", False):
        return render(request, "storefront/_cart_link.html")
    return HttpResponseRedirect(target)


def _cart_line_change(request: HttpRequest) -> HttpResponse:
    token = cart_token(request)
    quantity = (
        0 if request.POST.get("action") == "remove" else _quantity(request.POST.get("quantity"))
    )
    if not token:
        return HttpResponseRedirect(reverse("storefront:cart"))
    if quantity is None:
        messages.error(request, _("The quantity must be a positive whole number."))
        return HttpResponseRedirect(reverse("storefront:cart"))
    payload = api.run(
        request,
        "CartLineUpdate",
        token=token,
        variantId=request.POST.get("variant", ""),
        quantity=quantity,
    )["checkoutLineUpdate"]
    if is_gone(payload["errors"]):
        cart_forget_gone(request)
    elif payload["errors"]:
        messages.error(request, _first_message(payload["errors"]))
    else:
        cart_remember_checkout(request, payload["checkout"])
        messages.success(request, _("Removed.") if quantity == 0 else _("Quantity changed."))
    return _cart_answer(request, reverse("storefront:cart"))


# --- Checkout ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    """One page: contact and addresses, delivery per maker (and DAP or DDP), the review, and
    "Place order". Each form posts here (``step``) and comes back by redirect when accepted."""
    if request.method == "POST" and request.POST.get("step") == "place":
        return _place_order(request)
    step = request.POST.get("step") if request.method == "POST" else None
    typed: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if step == "details":
        typed = _details_typed(request)
        errors = _details_save(request, typed)
    elif step == "delivery":
        errors = _delivery_save(request)
        typed = {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
    if step and not errors:
        return HttpResponseRedirect(
            reverse("storefront:checkout") + ("#delivery" if step == "details" else "#review")
        )
    return _checkout_page(request, typed=typed, errors=errors, step=step)


def _checkout_page(
    request: HttpRequest,
    *,
    typed: dict[str, Any],
    errors: dict[str, list[str]],
    step: str | None = None,
) -> HttpResponse:
    country = preferences_get(request).country
    shipping_country = typed.get("shippingAddress", {}).get("country") or country
    billing_country = typed.get("billingAddress", {}).get("country") or shipping_country
    data = cart_load(
        request,
        "CheckoutPage",
        shippingCountry=shipping_country,
        billingCountry=billing_country,
    )
    if data is None or not data["checkout"]["lines"]:
        messages.info(request, _("Your cart is empty."))
        return HttpResponseRedirect(reverse("storefront:cart"))
    shown = data["checkout"]
    if step != "details":
        # What the checkout holds (with the visitor's own country until an address is given).
        typed = {**_details_stored(request, shown, country), **typed}
        data = _formats_for(request, data, typed)
    _place_order_key(request, shown["token"])
    addresses = _address_forms(typed, errors, data)
    deliveries = [
        {
            **part,
            "name": f"deliveryMethod.{part['seller']['slug']}",
            "chosen": typed.get(f"deliveryMethod.{part['seller']['slug']}")
            or (part["shippingMethod"] or {}).get("id"),
            "errors": errors.get(f"deliveryMethod.{part['seller']['slug']}", []),
        }
        for part in shown["quote"]["parts"]
    ]
    shown_at_fields = {"email", "incoterm"} | {part["name"] for part in deliveries}
    shown_at_fields |= {field["name"] for form in addresses for field in form["fields"]}
    context = {
        "checkout": shown,
        "quote": shown["quote"],
        "typed": typed,
        "errors": errors,
        "other_errors": [
            text
            for field, texts in errors.items()
            if field not in shown_at_fields
            for text in texts
        ],
        "addresses": addresses,
        "deliveries": deliveries,
        "incoterm": typed.get("incoterm") or shown["quote"]["incoterm"],
        "has_problems": any(line["problem"] for line in shown["lines"]),
        "ready": _ready(shown),
    }
    return render(request, "storefront/checkout.html", context, status=400 if errors else 200)


def _details_typed(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    typed: dict[str, Any] = {
        "email": post.get("email", "").strip(),
        "billingSame": post.get("billingSame") == "on",
    }
    for prefix in ADDRESS_PREFIXES:
        typed[prefix] = {key: post.get(f"{prefix}.{key}", "").strip() for key, *_ in ADDRESS_FIELDS}
    if typed["billingSame"]:
        typed["billingAddress"] = dict(typed["shippingAddress"])
    return typed


def _details_stored(request: HttpRequest, checkout: dict[str, Any], country: str) -> dict[str, Any]:
    def address(stored: dict[str, Any] | None) -> dict[str, str]:
        if not stored:
            return {key: "" for key, *_ in ADDRESS_FIELDS} | {"country": country}
        return {key: stored.get(key) or "" for key, *_ in ADDRESS_FIELDS} | {
            "country": stored["country"]["code"]
        }

    shipping = address(checkout["shippingAddress"])
    billing = address(checkout["billingAddress"]) if checkout["billingAddress"] else shipping
    user = getattr(request, "user", None)
    email = checkout["email"] or (user.email if user is not None and user.is_authenticated else "")
    return {
        "email": email,
        "shippingAddress": shipping,
        "billingAddress": billing,
        "billingSame": billing == shipping,
    }


def _formats_for(
    request: HttpRequest, data: dict[str, Any], typed: dict[str, Any]
) -> dict[str, Any]:
    """The address formats for the countries the stored addresses are in (asked again only
    when these differ from the ones the page's query guessed)."""
    wanted = (typed["shippingAddress"]["country"], typed["billingAddress"]["country"])
    got = tuple(
        (data.get(key) or {}).get("country", {}).get("code")
        for key in ("shippingFormat", "billingFormat")
    )
    if wanted == got:
        return data
    return data | api.run(
        request, "AddressFormats", shippingCountry=wanted[0], billingCountry=wanted[1]
    )


def _address_input(address: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in address.items() if value}


def _collect(*payloads: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for payload in payloads:
        for field, texts in api.field_errors(payload).items():
            found.setdefault(field, []).extend(texts)
    return found


def _details_save(request: HttpRequest, typed: dict[str, Any]) -> dict[str, list[str]]:
    token = cart_token(request)
    if not token:
        return {"": [_("Your cart is empty.")]}
    data = api.run(
        request,
        "CheckoutDetailsUpdate",
        token=token,
        email=typed["email"],
        shippingAddress=_address_input(typed["shippingAddress"]),
        billingAddress=_address_input(typed["billingAddress"]),
    )
    errors = _collect(data["email"], data["shipping"], data["billing"])
    if typed["billingSame"]:
        # One set of fields stood for both addresses: the billing address's errors are theirs.
        for field in [field for field in errors if field.startswith("billingAddress.")]:
            shipping_field = "shippingAddress." + field.partition(".")[2]
            texts = errors.pop(field)
            if shipping_field not in errors:
                errors[shipping_field] = texts
    return errors


def _delivery_save(request: HttpRequest) -> dict[str, list[str]]:
    """A shipping method per maker (``deliveryMethod.<maker's slug>`` = method id, with the
    maker's id in ``seller.<slug>``) and the incoterm, each through its own mutation."""
    token = cart_token(request)
    if not token:
        return {"": [_("Your cart is empty.")]}
    errors: dict[str, list[str]] = {}
    for name, method in request.POST.items():
        if not name.startswith("deliveryMethod.") or not method:
            continue
        slug = name.partition(".")[2]
        payload = api.run(
            request,
            "CheckoutDeliveryUpdate",
            token=token,
            sellerId=request.POST.get(f"seller.{slug}", ""),
            shippingMethodId=method,
        )["checkoutDeliveryMethodUpdate"]
        for texts in api.field_errors(payload).values():
            errors.setdefault(name, []).extend(texts)
    incoterm = request.POST.get("incoterm", "")
    if incoterm in ("DAP", "DDP"):
        payload = api.run(request, "CheckoutIncotermUpdate", token=token, incoterm=incoterm)
        for texts in api.field_errors(payload["checkoutIncotermUpdate"]).values():
            errors.setdefault("incoterm", []).extend(texts)
    elif incoterm:
        errors["incoterm"] = [_("Choose DAP or DDP.")]
    return errors


def _address_forms(
    typed: dict[str, Any], errors: dict[str, list[str]], data: dict[str, Any]
) -> list[dict[str, Any]]:
    """The two address fieldsets: each field with its value, errors and the country's rules."""
    forms = []
    for prefix, section, legend, format_key in (
        ("shippingAddress", "shipping", _("Shipping address"), "shippingFormat"),
        ("billingAddress", "billing", _("Billing address"), "billingFormat"),
    ):
        values = typed.get(prefix) or {}
        rules = data.get(format_key) or {}
        fields = []
        for key, label, autocomplete, required in ADDRESS_FIELDS:
            if key == "postalCode" and rules and not rules["postalCodeUsed"]:
                continue  # a country without postal codes
            name = f"{prefix}.{key}"
            help_text = ""
            if key == "postalCode" and rules.get("postalCodeRequired"):
                required = True
                help_text = _("For example %(example)s") % {"example": rules["postalCodeExample"]}
            fields.append(
                {
                    "key": key,
                    "name": name,
                    "id": name.replace(".", "-"),
                    "label": label,
                    "autocomplete": f"{section} {autocomplete}",
                    "required": required,
                    "value": values.get(key, ""),
                    "errors": errors.get(name, []),
                    "help": help_text,
                }
            )
        forms.append({"prefix": prefix, "legend": legend, "fields": fields})
    return forms


def _ready(checkout: dict[str, Any]) -> bool:
    """Whether "Place order" can be tried: the API decides, this only says when it surely
    cannot (no address yet, a maker without a delivery choice, a line that cannot be bought)."""
    quote = checkout["quote"]
    return bool(
        checkout["shippingAddress"]
        and checkout["email"]
        and all(part["shippingMethod"] for part in quote["parts"])
        and not any(line["problem"] for line in checkout["lines"])
    )


def _place_order_key(request: HttpRequest, token: str) -> str:
    """The idempotency key of "Place order" for this checkout, made once and kept."""
    kept = request.session.get(PLACE_ORDER_SESSION_KEY) or {}
    if kept.get("checkout") != token:
        kept = {"checkout": token, "key": uuid.uuid4().hex}
        request.session[PLACE_ORDER_SESSION_KEY] = kept
    return kept["key"]


def _place_order(request: HttpRequest) -> HttpResponse:
    """checkoutComplete with the key kept for this checkout: a second submit (the cart is
    forgotten by then) names the same checkout and key and gets the same order."""
    kept = request.session.get(PLACE_ORDER_SESSION_KEY) or {}
    token = cart_token(request) or kept.get("checkout")
    if not token:
        messages.info(request, _("Your cart is empty."))
        return HttpResponseRedirect(reverse("storefront:cart"))
    key = _place_order_key(request, token)
    payload = api.run(request, "CheckoutComplete", token=token, idempotencyKey=key)[
        "checkoutComplete"
    ]
    if payload["order"]:
        cart_remember(request, token=None, count=0)
        messages.success(request, _("Thank you: your order is placed. Pay for it below."))
        return HttpResponseRedirect(
            reverse("storefront:order", args=[payload["order"]["token"]]) + "#pay"
        )
    if is_gone(payload["errors"]):
        cart_forget_gone(request)
        return HttpResponseRedirect(reverse("storefront:cart"))
    return _checkout_page(request, typed={}, errors=api.field_errors(payload))


# --- An order's status and payment -------------------------------------------------------------


def _stripe_configured() -> bool:
    return settings.PAYMENT_GATEWAY == "stripe" and bool(settings.STRIPE_PUBLISHABLE_KEY)


def _policy_with_stripe(policy: str) -> str:
    """The site's Content-Security-Policy opened to Stripe.js (its script, its frames and its
    API), for the payment step only."""
    extra = {
        "script-src": "https://js.stripe.com",
        "frame-src": "https://js.stripe.com https://hooks.stripe.com",
        "connect-src": "https://api.stripe.com",
    }
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    names = [directive.split()[0] for directive in directives]
    opened = [
        f"{directive} {extra[name]}" if name in extra else directive
        for directive, name in zip(directives, names, strict=True)
    ]
    opened += [f"{name} 'self' {sources}" for name, sources in extra.items() if name not in names]
    return "; ".join(opened)


@require_http_methods(["GET", "POST"])
def order_status(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """The order's status, each maker's part with its tracking, the totals, and "Pay" while it
    is unpaid. POST: pay (``card`` with the dummy gateway; nothing with Stripe, whose Payment
    Element then confirms in the browser) or settle 3-D Secure (``action=confirm``)."""
    errors: dict[str, list[str]] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            payload = api.run(
                request,
                "OrderPaymentConfirm",
                token=token,
                paymentId=request.POST.get("payment", ""),
                authenticated=request.POST.get("authenticated") == "yes",
            )["orderPaymentConfirm"]
        else:
            typed["card"] = request.POST.get("card", "").strip()
            payload = api.run(
                request,
                "OrderPay",
                token=token,
                card=None if _stripe_configured() else typed["card"],
                idempotencyKey=(request.POST.get("attempt") or uuid.uuid4().hex)[:128],
            )["orderPaymentCreate"]
        errors = _payment_errors(payload)
        if not errors:
            status = payload["payment"]["status"]
            if status == "SUCCEEDED":
                messages.success(request, _("Thank you: your payment went through."))
            return HttpResponseRedirect(reverse("storefront:order", args=[token]) + "#pay")
    elif request.GET.get("payment_intent"):
        _stripe_returned(request, token)
        return HttpResponseRedirect(reverse("storefront:order", args=[token]))
    order = api.run(request, "Order", token=token)["orderByToken"]
    if order is None:
        raise Http404
    for shown in (order, *order["parts"]):
        shown["statusLabel"] = STATUS_LABELS.get(shown["status"], shown["status"])
    open_payment = next(
        (payment for payment in order["payments"] if payment["status"] in OPEN_PAYMENT), None
    )
    context = {
        "order": order,
        "errors": errors,
        "general_errors": errors.get("", []),
        "typed": typed,
        "attempt": uuid.uuid4().hex,
        "open_payment": open_payment,
        "stripe": _stripe_configured(),
        "stripe_key": settings.STRIPE_PUBLISHABLE_KEY,
        "test_cards": _test_cards(),
    }
    response = render(request, "storefront/order.html", context, status=400 if errors else 200)
    if context["stripe"] and order["status"] == "UNPAID":
        response["Content-Security-Policy"] = _policy_with_stripe(
            settings.MARKET_CONTENT_SECURITY_POLICY
        )
    return response


def _payment_errors(payload: dict[str, Any]) -> dict[str, list[str]]:
    """The mutation's errors, and a declined card's reason, at the card field."""
    errors = api.field_errors(payload)
    for field in ("orderToken", "idempotencyKey", "paymentId"):
        if field in errors:
            errors.setdefault("", []).extend(errors.pop(field))
    payment = payload.get("payment")
    if payment and payment["status"] == "FAILED":
        errors.setdefault("card", []).append(
            payment["failureMessage"] or _("The payment failed; try another card.")
        )
    return errors


def _stripe_returned(request: HttpRequest, token: uuid.UUID) -> None:
    """Back from Stripe's confirmation page: ask for the open payment's outcome now rather
    than wait for Stripe's webhook (which settles it either way)."""
    order = api.run(request, "Order", token=token)["orderByToken"]
    if order is None:
        raise Http404
    for payment in order["payments"]:
        if payment["status"] in OPEN_PAYMENT and payment["gateway"] == "STRIPE":
            api.run(request, "OrderPaymentConfirm", token=token, paymentId=payment["id"])


def _test_cards() -> Iterable[tuple[str, str]]:
    """The dummy gateway's test cards, shown on the payment step of the demo."""
    if settings.PAYMENT_GATEWAY != "dummy":
        return ()
    return (
        ("4242 4242 4242 4242", _("succeeds")),
        ("4000 0000 0000 0002", _("is declined")),
        ("4000 0025 0000 3155", _("asks for 3-D Secure")),
    )
