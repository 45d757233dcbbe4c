"""Erasure: what accounting needs is kept without the person in it, the rest goes, and the
account is a shell nobody can sign in to; it waits while money is still moving."""

import pytest
from django.contrib.sessions.backends.db import SessionStore

from market.accounts.models import RefreshToken, User
from market.accounts.services import sign_in_create, user_login, user_register
from market.checkout.models import Checkout
from market.core.context import request_id_reset, request_id_set
from market.core.errors import DomainError
from market.core.models import PersonalDataAccess
from market.ledger.models import LedgerEntry
from market.ledger.selectors import platform_balance, seller_balance
from market.orders.models import Order
from market.orders.services import order_cancel
from market.payouts.models import PayoutAccount
from market.privacy.services import personal_data_erase
from market.sellers.models import SellerDocument, SellerStatus
from market.sellers.services import seller_reinstate
from tests.accounts.conftest import PASSWORD
from tests.authorization.world import database_snapshot
from tests.factories import StaffFactory, UserFactory, checkout_with, listed_product, placed_order
from tests.privacy.helpers import bank_account, buyer, delivered_order
from tests.sellers.helpers import application, with_document

pytestmark = pytest.mark.django_db


def _ledger():
    return sorted(LedgerEntry.objects.values_list("pk", "account", "seller_id", "amount"))


def test_erasure_anonymises_orders_and_keeps_their_money_and_the_ledger():
    leyla = buyer()
    order, seller_a, seller_b = delivered_order(buyer=leyla)
    totals = Order.objects.values_list("total_amount", "subtotal_amount", "vat_amount").get()
    balances = (
        seller_balance(seller=seller_a),
        seller_balance(seller=seller_b),
        platform_balance(),
    )
    ledger = _ledger()

    personal_data_erase(user=leyla)

    order.refresh_from_db()
    assert order.email == f"erased-{leyla.pk}@erased.invalid"
    assert order.shipping_address == {"name": "erased", "country": "AZ"}
    assert order.billing_address in ({}, {"name": "erased", "country": "AZ"})
    assert order.user_id == leyla.pk
    assert Order.objects.values_list("total_amount", "subtotal_amount", "vat_amount").get() == (
        totals
    )
    assert _ledger() == ledger
    assert (
        seller_balance(seller=seller_a),
        seller_balance(seller=seller_b),
        platform_balance(),
    ) == balances


def test_erased_person_cannot_sign_in_and_their_address_may_register_again(client):
    leyla = buyer(email="leyla@example.com")
    sign_in_create(user=leyla)
    client.force_login(leyla)
    checkout = checkout_with((listed_product().variants.get(), 1), currency="AZN", country="AZ")
    Checkout.objects.filter(pk=checkout.pk).update(user=leyla)

    personal_data_erase(user=leyla)

    leyla.refresh_from_db()
    assert (leyla.email, leyla.first_name, leyla.is_active) == (
        f"erased-{leyla.pk}@erased.invalid",
        "",
        False,
    )
    assert not leyla.has_usable_password()
    assert not RefreshToken.objects.filter(user=leyla).exists()
    assert not Checkout.objects.filter(pk=checkout.pk).exists()
    assert client.session.session_key is None or not SessionStore(client.session.session_key).get(
        "_auth_user_id"
    )
    with pytest.raises(DomainError) as refused:
        user_login(email="leyla@example.com", password=PASSWORD, client_address="10.0.0.1")
    assert refused.value.code == "invalid_credentials"
    user_register(email="leyla@example.com", password="plum-kettle-saffron-41", client_address="x")
    assert User.objects.get(email="leyla@example.com").pk != leyla.pk


def test_erasure_closes_the_shop_deletes_documents_and_bank_details(
    django_capture_on_commit_callbacks,
):
    maker = UserFactory()
    seller = application(user=maker, status=SellerStatus.APPROVED)
    document = with_document(seller)
    stored = document.file.name
    bank_account(seller)
    product = listed_product(seller=seller)

    with django_capture_on_commit_callbacks(execute=True):
        personal_data_erase(user=maker)

    seller.refresh_from_db()
    assert seller.status == SellerStatus.SUSPENDED
    assert (seller.name, seller.contact_email, seller.contact_phone, seller.membership_number) == (
        f"Closed shop {seller.pk}",
        "",
        "",
        "",
    )
    assert not SellerDocument.objects.filter(seller=seller).exists()
    assert not document.file.storage.exists(stored)
    account = PayoutAccount.objects.get(seller=seller)
    assert (account.iban, account.account_holder, account.bank_verified_at) == ("", "", None)
    product.refresh_from_db()
    assert product.status == "archived"


def test_a_shop_closed_by_its_owners_erasure_cannot_be_reinstated():
    maker = UserFactory()
    seller = application(user=maker, status=SellerStatus.APPROVED)
    personal_data_erase(user=maker)

    with pytest.raises(DomainError) as refused:
        seller_reinstate(seller_id=seller.pk, actor=StaffFactory())

    assert (refused.value.code, refused.value.field) == ("invalid_transition", "id")
    seller.refresh_from_db()
    assert seller.status == SellerStatus.SUSPENDED


def test_erasure_waits_while_an_order_is_not_delivered_and_changes_nothing():
    leyla = buyer()
    placed_order(buyer=leyla, email=leyla.email)
    before = database_snapshot()

    with pytest.raises(DomainError) as refused:
        personal_data_erase(user=leyla)

    assert refused.value.code == "erasure_must_wait"
    assert database_snapshot() == before


def test_erasure_waits_within_the_refund_window_after_delivery():
    leyla = buyer()
    delivered_order(buyer=leyla, days_ago=2)

    with pytest.raises(DomainError) as refused:
        personal_data_erase(user=leyla)

    assert refused.value.code == "erasure_must_wait"
    assert User.objects.get(pk=leyla.pk).is_active


def test_erasure_of_a_seller_waits_while_the_ledger_owes_them_money():
    order, seller_a, _ = delivered_order(buyer=UserFactory(), days_ago=30)
    before = database_snapshot()

    with pytest.raises(DomainError) as refused:
        personal_data_erase(user=seller_a.user)

    assert refused.value.code == "erasure_must_wait"
    assert "balance" in refused.value.message
    assert database_snapshot() == before


def test_a_cancelled_unpaid_order_no_longer_holds_erasure_back():
    leyla = buyer()
    order, _, _ = placed_order(buyer=leyla, email=leyla.email)
    order_cancel(order=order, actor=leyla, reason="Changed my mind")

    personal_data_erase(user=leyla)

    assert Order.objects.get(pk=order.pk).email == f"erased-{leyla.pk}@erased.invalid"


def test_a_repeated_erasure_changes_nothing():
    leyla = buyer()
    delivered_order(buyer=leyla)
    staff = StaffFactory()
    personal_data_erase(user=leyla, by_staff=staff, reason="Request 17")
    after_first = database_snapshot()

    personal_data_erase(user=User.objects.get(pk=leyla.pk), by_staff=staff, reason="Request 17")

    assert database_snapshot() == after_first
    assert PersonalDataAccess.objects.filter(action="erase").count() == 1


def test_staff_erasure_needs_a_reason_and_is_logged_with_it():
    leyla, staff = buyer(), StaffFactory()
    with pytest.raises(DomainError) as refused:
        personal_data_erase(user=leyla, by_staff=staff, reason=" ")
    assert refused.value.code == "reason_required"
    assert User.objects.get(pk=leyla.pk).is_active

    token = request_id_set("req-42")
    try:
        personal_data_erase(user=leyla, by_staff=staff, reason="Request 17")
    finally:
        request_id_reset(token)

    entry = PersonalDataAccess.objects.get()
    assert (entry.actor, entry.subject_id, entry.action, entry.reason, entry.request_id) == (
        staff,
        leyla.pk,
        "erase",
        "Request 17",
        "req-42",
    )


def test_a_shop_named_like_a_closed_one_is_still_erased_and_takes_no_other_shops_address():
    """Shop names are the seller's to choose: one named "Closed shop <id>", or another shop
    holding the slug a closed shop would get, must not stop or skip an erasure."""
    maker = UserFactory()
    seller = application(user=maker, status=SellerStatus.APPROVED)
    squatter = application(user=UserFactory(), status=SellerStatus.APPROVED)
    squatter.__class__.objects.filter(pk=squatter.pk).update(slug=f"closed-shop-{seller.pk}")
    seller.__class__.objects.filter(pk=seller.pk).update(
        name=f"Closed shop {seller.pk}", contact_phone="+994 50 123 45 67"
    )

    personal_data_erase(user=maker)

    seller.refresh_from_db()
    squatter.refresh_from_db()
    assert seller.contact_phone == ""
    assert seller.slug != squatter.slug == f"closed-shop-{seller.pk}"


def test_staff_cannot_erase_an_administrator_another_member_of_staff_or_themself():
    officer = StaffFactory()
    admin = UserFactory(is_staff=True, is_superuser=True)
    colleague = StaffFactory()
    for person in (admin, colleague, officer):
        before = database_snapshot()
        with pytest.raises(DomainError) as refused:
            personal_data_erase(user=person, by_staff=officer, reason="Request 18")
        assert (refused.value.code, refused.value.field) == ("staff_account", "userId")
        assert database_snapshot() == before
