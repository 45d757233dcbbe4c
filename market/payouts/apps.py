from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "market.payouts"
    label = "payouts"
