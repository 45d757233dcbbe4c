from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "market.shipping"
    label = "shipping"
