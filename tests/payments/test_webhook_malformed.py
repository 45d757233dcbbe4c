"""Malformed webhooks: a 4xx with a code, never a 500, and nothing stored, even when the body is
signed with the real secret (Stripe's, or a leaked one)."""

import json
import time

import pytest
from django.test import Client

from market.payments.models import StripeEvent
from tests.stripe_server.server import webhook_event
from tests.stripe_server.signing import post_webhook, stripe_signature

pytestmark = pytest.mark.django_db


def post_signed(settings, body: str | bytes | dict, **signing):
    return post_webhook(Client(), body, secret=settings.STRIPE_WEBHOOK_SECRET, **signing)


def refusal(response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,
        '{"a":' * 100_000,
        '{"id": "evt_1", "data": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
    ids=["arrays", "objects", "balanced"],
)
def test_a_deeply_nested_signed_body_is_refused_before_parsing(settings, body):
    response = post_signed(settings, body)

    assert refusal(response) == (400, "payload_too_deep")
    assert not StripeEvent.objects.exists()


def test_nesting_up_to_the_limit_is_accepted_and_brackets_in_strings_do_not_count(settings):
    settings.STRIPE_WEBHOOK_MAX_DEPTH = 4
    event = webhook_event("x.y", {"nested": {"deepest": "[[[[{{{{"}})  # event, data, object, nested

    response = post_signed(settings, event)

    assert response.status_code == 200
    assert StripeEvent.objects.get().payload == event


def test_a_body_over_the_size_limit_is_refused(settings):
    settings.STRIPE_WEBHOOK_MAX_BYTES = 2_000
    event = webhook_event("x.y", {"description": "x" * 2_000})

    response = post_signed(settings, event)

    assert refusal(response) == (413, "payload_too_large")
    assert response.json()["error"] == "A webhook body is at most 2000 bytes."
    assert not StripeEvent.objects.exists()


def test_a_signature_dated_beyond_the_tolerance_in_the_future_is_refused(settings):
    settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300

    response = post_signed(settings, webhook_event("x.y", {}), timestamp=int(time.time()) + 400)

    assert refusal(response) == (400, "invalid_signature")
    assert response.json()["error"] == "The Stripe-Signature header is dated in the future."
    assert not StripeEvent.objects.exists()


def test_a_signature_a_little_in_the_future_is_accepted_for_clock_skew(settings):
    settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300

    response = post_signed(settings, webhook_event("x.y", {}), timestamp=int(time.time()) + 60)

    assert response.status_code == 200
    assert StripeEvent.objects.count() == 1


def test_a_second_equals_sign_in_the_timestamp_is_read_as_stripes_sdk_reads_it(settings):
    body = json.dumps(webhook_event("x.y", {}))
    now = int(time.time())
    signature = stripe_signature(body, settings.STRIPE_WEBHOOK_SECRET, timestamp=now)
    future = signature.replace(f"t={now}", f"t={now + 400}={now}")
    recent = signature.replace(f"t={now}", f"t={now}={now + 400}")

    assert refusal(post_signed(settings, body, signature=future)) == (400, "invalid_signature")
    assert post_signed(settings, body, signature=recent).status_code == 200
    assert StripeEvent.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    ['{"id": "evt_1", "type": ', "not json", "1" * 5_000],
    ids=["cut-short", "not-json", "huge-number"],
)
def test_a_signed_body_that_is_not_json_is_refused_without_echoing_the_parser(settings, body):
    response = post_signed(settings, body)

    assert response.json() == {"code": "invalid_event", "error": "The body is not valid JSON."}
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"created": 10**30},
        {"created": -1},
        {"id": "evt_" + "x" * 300},
        {"type": "x" * 101},
        {"account": {"id": "acct_1"}},
        {"id": "evt_\u0000"},
        {"data": {"object": {"name": "\ud800"}}},
    ],
    ids=[
        "created-overflows",
        "created-negative",
        "id-too-long",
        "type-too-long",
        "account-not-text",
        "nul-in-id",
        "lone-surrogate",
    ],
)
def test_a_signed_event_the_database_cannot_store_is_refused_with_a_code(settings, changes):
    event = {**webhook_event("x.y", {}), **changes}

    response = post_signed(settings, json.dumps(event))

    assert refusal(response) == (400, "invalid_event")
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_signed_event_with_a_number_json_does_not_have_is_refused(settings, constant):
    body = json.dumps(webhook_event("x.y", {"amount": 1})).replace(
        '"amount": 1', f'"amount": {constant}'
    )

    response = post_signed(settings, body)

    assert refusal(response) == (400, "invalid_event")
    assert not StripeEvent.objects.exists()


def test_a_forged_signature_is_refused_with_its_code(settings):
    response = post_webhook(Client(), webhook_event("x.y", {}), secret="whsec_forged")

    assert response.json() == {
        "code": "invalid_signature",
        "error": "The Stripe-Signature header does not match the body, or is too old.",
    }
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
