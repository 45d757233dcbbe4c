from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "market.storefront"
    label = "storefront"
    verbose_name = "Storefront"
