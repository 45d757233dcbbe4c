from market.payouts.models import PayoutAccount
from market.payouts.routes import PayoutStatus, payout_route_for


def payout_account_get(*, seller) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(seller=seller).first()


def payout_status_get(*, seller) -> PayoutStatus:
    """What the seller's payout route still needs before it can pay them, and what is ready."""
    return payout_route_for(seller).status(payout_account_get(seller=seller))
