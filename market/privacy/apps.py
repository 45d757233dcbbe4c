from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "market.privacy"
    label = "privacy"
    verbose_name = "Personal data"
