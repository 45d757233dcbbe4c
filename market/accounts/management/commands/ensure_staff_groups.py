from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from market.accounts.services import staff_groups_ensure


class Command(BaseCommand):
    help = (
        "Create the staff groups (Seller, Catalogue, Payout, Order managers) and give them "
        "their permissions; safe to run any number of times (migrate runs it too)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, database: str = "default", **options: Any) -> None:
        for group in staff_groups_ensure(using=database):
            names = sorted(
                f"{p.content_type.app_label}.{p.codename}"
                for p in group.permissions.select_related("content_type")
            )
            self.stdout.write(f"{group.name}: {', '.join(names) or '(no permissions yet)'}")
