from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The embedded demo's data (``manage.py seed_demo``): makers, listings, delivery tables,
    payout accounts and sign-ins. It stands above every domain app and no app imports it."""

    name = "market.demo"
    label = "demo"
