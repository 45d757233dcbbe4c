from market.checkout.models import Checkout, StockReservation
from tests.factories import listed_product


def variant_in_stock(stock: int = 5, **product_kwargs):
    """The one variant of a freshly listed (published, approved seller) product."""
    return listed_product(stock=stock, **product_kwargs).variants.get()


def snapshot(checkout: Checkout) -> dict:
    """Everything a refused request must leave as it was."""
    checkout = Checkout.objects.get(pk=checkout.pk)
    return {
        "checkout": {
            field.attname: getattr(checkout, field.attname)
            for field in Checkout._meta.concrete_fields
        },
        "lines": sorted(checkout.lines.values_list("variant_id", "quantity")),
        "reservations": sorted(
            StockReservation.objects.filter(checkout=checkout).values_list(
                "variant_id", "quantity", "expires_at"
            )
        ),
    }


def reserved(checkout: Checkout) -> dict[int, int]:
    return dict(
        StockReservation.objects.filter(checkout=checkout).values_list("variant_id", "quantity")
    )
