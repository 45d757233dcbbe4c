"""Arrangements for the orders rows of the shared authorization matrix
(tests/authorization/cases.py): each builds the owner's target in a ``World`` and returns the
mutation's variables. The owner is the world's owner seller; for ``orderCancel`` the owner's
user is also the buyer of the order."""

from graphql_relay import to_global_id

from market.orders.models import OrderPart
from market.orders.services import checkout_complete, order_mark_paid
from tests.factories import SellerFactory, UserFactory, listed_product
from tests.orders.helpers import key, ready_checkout

BAKU = {"name": "Leyla Mammadova", "street_address_1": "Nizami 10", "city": "Baku",
        "postal_code": "AZ 1000", "country": "AZ"}


def _checkout(world, *, user=None):
    """A domestic checkout in the base currency (no exchange rate needed): one item from the
    owner's shop and one from a third shop."""
    owner_variant = listed_product(seller=world.owner_seller).variants.get()
    third_variant = listed_product(seller=SellerFactory(user=UserFactory())).variants.get()
    return ready_checkout(lines=[(owner_variant, 1), (third_variant, 1)], user=user,
                          country="AZ", currency="AZN", address=BAKU)


def _order(world, *, buyer=None, paid=False):
    order = checkout_complete(token=_checkout(world, user=buyer).token, idempotency_key=key())
    if paid:
        order_mark_paid(order=order, actor=None)
    return order


def _owner_part_id(order, world) -> str:
    return to_global_id("OrderPart", OrderPart.objects.get(order=order,
                                                           seller=world.owner_seller).pk)


def checkout_complete_variables(world) -> dict:
    return {"token": str(_checkout(world).token), "idempotencyKey": "matrix-key"}


def order_cancel_variables(world) -> dict:
    order = _order(world, buyer=world.users["owner"])
    return {"id": to_global_id("Order", order.pk), "reason": "Changed my mind"}


def order_mark_paid_variables(world) -> dict:
    return {"id": to_global_id("Order", _order(world).pk)}


def order_part_start_fulfilment_variables(world) -> dict:
    return {"id": _owner_part_id(_order(world, paid=True), world)}


def order_part_cancel_variables(world) -> dict:
    return {"id": _owner_part_id(_order(world), world), "reason": "The kiln broke"}
