import pytest

from market.sellers.models import SellerStatus
from tests.factories import SellerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_seller_sees_what_is_missing_for_payouts_on_their_profile(gql_as):
    user = UserFactory()
    SellerFactory(user=user, country="AZ", status=SellerStatus.APPROVED)

    data = gql_as(user).execute("{ me { seller { payoutStatus { route isReady missing } } } }")

    status = data["me"]["seller"]["payoutStatus"]
    assert status["route"] == "BANK_TRANSFER"
    assert status["isReady"] is False
    assert status["missing"], "an AZ seller without bank details is told what to add"
