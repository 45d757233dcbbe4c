"""With DEBUG off, the product refuses to run on demo secrets or on payments that take no money.

The settings' defaults make the demo run with nothing configured, and every one of them is
public: the secret key signs sessions and access tokens (anyone could sign a superuser's), the
webhook secret lets Stripe's events mark orders paid (anyone could forge one), and the dummy
gateway or a Stripe test-mode key "takes" test cards. ``manage.py check --deploy`` reports each
as an error (``market.E001``…), and the WSGI application and the Celery worker refuse to start
on any of them (``refuse_unsafe_production``). A staging demo may accept test payments with
``PAYMENT_ALLOW_TEST_PAYMENTS`` (then only warnings).
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# The values the settings fall back to in the demo, and Django's startproject prefix.
DEMO_SECRET_KEYS = frozenset({"insecure-demo-key-change-me-in-production"})
DEMO_STRIPE_SECRET_KEYS = frozenset({"sk_test_local"})
DEMO_WEBHOOK_SECRETS = frozenset({"whsec_local"})
STRIPE_TEST_KEY_PREFIXES = ("sk_test_", "rk_test_")
CSP_MIDDLEWARE = "market.core.middleware.ContentSecurityPolicyMiddleware"


def production_problems() -> list[checks.CheckMessage]:
    """What makes these settings unfit for production, DEBUG aside."""
    problems: list[checks.CheckMessage] = []
    secret_key = settings.SECRET_KEY or ""
    if (
        not secret_key
        or secret_key in DEMO_SECRET_KEYS
        or secret_key.startswith("django-insecure-")
    ):
        problems.append(
            checks.Error(
                "SECRET_KEY is unset or the public demo key: anyone can sign sessions and access "
                "tokens, a superuser's included.",
                hint="Set DJANGO_SECRET_KEY to a long random value, e.g. the output of "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="market.E001",
            )
        )
    if not settings.STRIPE_SECRET_KEY or settings.STRIPE_SECRET_KEY in DEMO_STRIPE_SECRET_KEYS:
        problems.append(
            checks.Error(
                "STRIPE_SECRET_KEY is unset or the demo value: no payment can be taken or checked.",
                hint="Set STRIPE_SECRET_KEY to the platform account's live secret key.",
                id="market.E002",
            )
        )
    if not settings.STRIPE_WEBHOOK_SECRET or settings.STRIPE_WEBHOOK_SECRET in DEMO_WEBHOOK_SECRETS:
        problems.append(
            checks.Error(
                "STRIPE_WEBHOOK_SECRET is unset or the demo value: anyone can forge a Stripe event "
                "(payment_intent.succeeded marks an unpaid order paid).",
                hint="Set STRIPE_WEBHOOK_SECRET to the signing secret of the webhook endpoint in "
                "Stripe's dashboard.",
                id="market.E003",
            )
        )
    if settings.STRIPE_CONNECT_WEBHOOK_SECRET in DEMO_WEBHOOK_SECRETS:
        problems.append(
            checks.Error(
                "STRIPE_CONNECT_WEBHOOK_SECRET is a demo value: anyone can forge a connected "
                "account's event.",
                hint="Set STRIPE_CONNECT_WEBHOOK_SECRET to the Connect endpoint's signing secret, "
                "or leave it unset.",
                id="market.E004",
            )
        )
    problems += _test_payment_problems()
    policy = settings.MARKET_CONTENT_SECURITY_POLICY.strip()
    if not policy or CSP_MIDDLEWARE not in settings.MIDDLEWARE:
        problems.append(
            checks.Warning(
                "No Content-Security-Policy is sent: a script injected into the admin would run.",
                hint=f"Keep {CSP_MIDDLEWARE} in MIDDLEWARE and MARKET_CONTENT_SECURITY_POLICY set.",
                id="market.W003",
            )
        )
    return problems


def _test_payment_problems() -> list[checks.CheckMessage]:
    level, suffix = (
        (checks.Warning, "W") if settings.PAYMENT_ALLOW_TEST_PAYMENTS else (checks.Error, "E")
    )
    problems: list[checks.CheckMessage] = []
    gateways = {settings.PAYMENT_GATEWAY, *settings.PAYMENT_GATEWAYS}
    if "dummy" in gateways:
        problems.append(
            level(
                "The dummy payment gateway is enabled: it marks orders paid for test cards "
                "(4242…) and takes no money.",
                hint="Set PAYMENT_GATEWAY=stripe and leave dummy out of PAYMENT_GATEWAYS "
                "(PAYMENT_ALLOW_TEST_PAYMENTS=true accepts it on a staging demo).",
                id=f"market.{suffix}005",
            )
        )
    if settings.STRIPE_SECRET_KEY.startswith(STRIPE_TEST_KEY_PREFIXES) and (
        settings.STRIPE_SECRET_KEY not in DEMO_STRIPE_SECRET_KEYS
    ):
        problems.append(
            level(
                "STRIPE_SECRET_KEY is a test-mode key: "
                "Stripe accepts test cards and moves no money.",
                hint="Set STRIPE_SECRET_KEY to a live key (sk_live_…) "
                "(PAYMENT_ALLOW_TEST_PAYMENTS=true accepts test mode on a staging demo).",
                id=f"market.{suffix}006",
            )
        )
    return problems


@checks.register(checks.Tags.security, deploy=True)
def check_production_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    return production_problems()


def refuse_unsafe_production() -> None:
    """Raises ``ImproperlyConfigured`` when DEBUG is off and any deploy check above fails with
    an error: the servers call it as they start, so demo secrets never serve a request."""
    if settings.DEBUG:
        return
    errors = [problem for problem in production_problems() if problem.is_serious()]
    if errors:
        raise ImproperlyConfigured(
            "With DJANGO_DEBUG off, Creative Market refuses to run on unsafe settings:\n"
            + "\n".join(f"{error.id}: {error.msg} {error.hint}" for error in errors)
        )
