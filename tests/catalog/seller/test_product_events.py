import pytest

from market.catalog.models import ProductEvent
from market.sellers.models import SellerStatus
from tests.catalog.seller import support
from tests.factories import SellerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_status_move_is_recorded_with_who_made_it(gql_as):
    user = UserFactory()
    product = support.publishable_draft(
        seller=SellerFactory(user=user, status=SellerStatus.APPROVED)
    )
    client = gql_as(user)

    client.execute(support.transition("productPublish"), {"id": support.gid(product)})
    client.execute(support.transition("productArchive"), {"id": support.gid(product)})

    assert list(
        ProductEvent.objects.filter(product=product).values_list(
            "kind", "from_status", "to_status", "actor"
        )
    ) == [
        ("publish", "draft", "published", user.pk),
        ("archive", "published", "archived", user.pk),
    ]


def test_a_refused_move_records_nothing(gql_as):
    user = UserFactory()
    product = support.publishable_draft(
        seller=SellerFactory(user=user, status=SellerStatus.SUBMITTED)
    )

    response = gql_as(user).post(support.transition("productPublish"), {"id": support.gid(product)})

    assert support.payload(response, "productPublish")["errors"][0]["code"] == "SELLER_NOT_APPROVED"
    assert not ProductEvent.objects.exists()
