from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "market.core"
    label = "core"

    def ready(self) -> None:
        # Registers the deploy checks (manage.py check --deploy).
        from market.core import checks  # noqa: F401
        from market.core.images import configure_pillow

        configure_pillow()
