from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "market.shipping"
    label = "shipping"

    def ready(self) -> None:
        from market.core.reference_cache import reference_table_register
        from market.shipping.models import (
            DutyCountry,
            DutyRate,
            ShippingMethod,
            ShippingRate,
            ShippingZone,
        )

        # Quotes keep these tables' readings in the shared cache: any change drops them.
        for model in (ShippingZone, ShippingMethod, ShippingRate, DutyCountry, DutyRate):
            reference_table_register(model)
