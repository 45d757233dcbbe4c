from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "market.core"
    label = "core"

    def ready(self):
        from market.core.images import configure_pillow

        configure_pillow()
