"""Site-wide pages: the visitor's preferences, robots.txt and the error pages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.views.decorators.http import require_GET, require_POST

from market.storefront.context_processors import storefront_context
from market.storefront.preferences import preferences_remember


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """The ``next`` address the form sent, when it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    """Language, currency and ship-to country, from the header's form; back to the page the
    visitor was on, in the chosen language."""
    target = safe_next(request)
    response = HttpResponseRedirect(target)
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        response = HttpResponseRedirect(translate_url(target, language))
        activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    preferences_remember(
        response, currency=request.POST.get("currency"), country=request.POST.get("country")
    )
    return response


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    origin = settings.MARKET_STOREFRONT_URL.rstrip("/")
    lines = [
        "User-agent: *",
        "Disallow: /cart/",
        "Disallow: /checkout/",
        "Disallow: /orders/",
        "Disallow: /account/",
        "Disallow: /admin/",
        "Disallow: /graphql/",
        f"Sitemap: {origin}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's 404 page, wherever the address was (an admin download or a media file too)."""
    return render(request, "storefront/404.html", storefront_context(request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request, so without the context processors: they read the session
    # and the user, which fail again when the failure was the database's.
    return HttpResponse(render_to_string("storefront/500.html"), status=500)
