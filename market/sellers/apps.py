from django.apps import AppConfig


class SellersConfig(AppConfig):
    name = "market.sellers"
    label = "sellers"
