import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from market.core.rates_fetch import exchange_rates_refresh


class Command(BaseCommand):
    help = (
        "Record the Central Bank of Azerbaijan's newest daily rates (walking back up to five "
        "days to the last bulletin). Offline, the previous rates are kept and their age is "
        "reported; the exit status is then 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="The day to start from (default: today in Baku).",
        )

    def handle(self, *args: Any, date: dt.date | None, **options: Any) -> None:
        result = exchange_rates_refresh(today=date)
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(result.message)
