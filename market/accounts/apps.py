from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "market.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Setup, not business flow: staff groups follow the permissions that migrations create.
        post_migrate.connect(
            _staff_groups_ensure_after_migrate, dispatch_uid="market.accounts.staff_groups_ensure"
        )


def _staff_groups_ensure_after_migrate(
    sender: AppConfig, using: str = "default", **kwargs: Any
) -> None:
    # post_migrate is sent once per app, in INSTALLED_APPS order, and each app's permissions
    # are created on its own turn: only on the last turn do all of them exist.
    migrated = [config for config in apps.get_app_configs() if config.models_module is not None]
    if not migrated or sender is not migrated[-1]:
        return
    from market.accounts.services import staff_groups_ensure

    staff_groups_ensure(using=using)
