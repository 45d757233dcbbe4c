import pytest
from django.urls import reverse

from tests.payouts.helpers import AZ_IBAN, seller_with_bank_details

pytestmark = pytest.mark.django_db


def test_the_admin_shows_a_payout_account_without_its_full_iban(admin_client):
    account = seller_with_bank_details()

    listing = admin_client.get(reverse("admin:payouts_payoutaccount_changelist"))
    page = admin_client.get(reverse("admin:payouts_payoutaccount_change", args=[account.pk]))

    assert listing.status_code == page.status_code == 200
    assert "…1944" in page.content.decode()
    assert AZ_IBAN not in listing.content.decode() + page.content.decode()


def test_the_admin_lists_stripe_events(admin_client):
    response = admin_client.get(reverse("admin:payments_stripeevent_changelist"))

    assert response.status_code == 200
