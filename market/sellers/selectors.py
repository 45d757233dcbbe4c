from django.db.models import QuerySet

from market.sellers.models import Seller, SellerStatus


def seller_list_public() -> QuerySet[Seller]:
    return Seller.objects.filter(status=SellerStatus.APPROVED).order_by("name", "pk")


def seller_get_public(*, slug: str) -> Seller | None:
    return seller_list_public().filter(slug=slug).first()


def seller_get_for_user(*, user) -> Seller | None:
    """The shop (in any state, from draft application on) that ``user`` runs, if any."""
    if user is None or not user.is_authenticated:
        return None
    return Seller.objects.filter(user=user).first()
