from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Prefetch, QuerySet

from market.core.errors import require_choice
from market.sellers.error_codes import SellerErrorCode
from market.sellers.models import Seller, SellerEvent, SellerStatus

if TYPE_CHECKING:
    from market.accounts.models import User


def seller_list_public() -> QuerySet[Seller]:
    return Seller.objects.filter(status=SellerStatus.APPROVED).order_by("name", "pk")


def seller_get_public(*, slug: str) -> Seller | None:
    return seller_list_public().filter(slug=slug).first()


def seller_get_for_user(*, user: User | AnonymousUser | None) -> Seller | None:
    """The shop (in any state, from draft application on) that ``user`` runs, if any."""
    if user is None or not user.is_authenticated:
        return None
    return Seller.objects.filter(user=user).first()


def _with_application_details(sellers: QuerySet[Seller]) -> QuerySet[Seller]:
    return sellers.select_related("user").prefetch_related(
        "documents", Prefetch("events", queryset=SellerEvent.objects.select_related("actor"))
    )


def seller_application_list(*, status: str | None = None) -> QuerySet[Seller]:
    """Sellers for staff review, oldest submission first; ``status`` narrows to one state."""
    sellers = Seller.objects.all()
    if status is not None:
        require_choice(status, SellerStatus, code=SellerErrorCode.INVALID, field="status")
        sellers = sellers.filter(status=status)
    return _with_application_details(sellers).order_by(
        F("submitted_at").asc(nulls_last=True), "created_at", "pk"
    )


def seller_get_for_staff(*, seller_id: int) -> Seller | None:
    return _with_application_details(Seller.objects.filter(pk=seller_id)).first()
