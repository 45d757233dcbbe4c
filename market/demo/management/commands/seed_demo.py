import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from market.catalog.models import Product
from market.core.catalogue_cache import catalogue_changed
from market.demo import catalogue
from market.demo.delivery import demo_delivery_create
from market.demo.payout_accounts import demo_payout_accounts_ensure


class Command(BaseCommand):
    help = (
        "Fill the catalogue with the centre's resident makers and their listings, "
        "with exchange rates and (in DEBUG) sign-ins for an admin and for every maker. "
        "The same --seed gives the same catalogue on an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--products",
            type=int,
            default=320,
            metavar="N",
            help="Listings to add (default 320; 100000 takes a minute or two).",
        )
        parser.add_argument(
            "--seed", type=int, default=42, help="Seed of the random choices (default 42)."
        )
        once = parser.add_mutually_exclusive_group()
        once.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any product exists already."
        )
        once.add_argument(
            "--reset",
            action="store_true",
            help="Delete listings, categories, attributes, sellers and exchange rates first.",
        )

    def handle(self, *args, products, seed, if_empty, reset, verbosity, **options):
        if products < 0:
            raise CommandError("--products must not be negative.")
        if if_empty and Product.objects.exists():
            self.stdout.write("The catalogue has products already; nothing seeded.")
            return

        started = time.monotonic()
        progress = tqdm(
            total=products, unit="product", file=sys.stderr, disable=None if verbosity else True
        )
        with progress, transaction.atomic():
            if reset:
                removed_files = catalogue.demo_catalogue_reset()
                transaction.on_commit(lambda: catalogue.demo_files_delete(names=removed_files))
            summary = catalogue.demo_catalogue_create(
                seed=seed, products=products, progress=progress.update
            )
            summary.rates = catalogue.demo_rates_record()
            # Bulk-created rows bypass the services: drop every kept catalogue answer.
            catalogue_changed(listings=True)
            # Buyers abroad need somewhere to ship to: demo zones, rate bands and duties.
            demo_delivery_create()
            # Sign-ins with published passwords: only where DEBUG says this is a demo.
            admin_created = settings.DEBUG and catalogue.demo_admin_ensure()
            makers_created = catalogue.demo_maker_accounts_ensure() if settings.DEBUG else []
            if settings.DEBUG:
                # Paid by bank transfer to made-up accounts the demo's admin has verified.
                demo_payout_accounts_ensure(
                    sellers=catalogue.demo_sellers(), verified_by=catalogue.demo_admin()
                )
        catalogue.demo_tables_analyze()

        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary.products} products ({summary.variants} variants, "
                f"{summary.images} images from {summary.image_files} files) of {summary.sellers} "
                f"sellers in {summary.categories} categories, and {len(summary.rates)} exchange "
                f"rates, in {time.monotonic() - started:.1f} s."
            )
        )
        if admin_created:
            self.stdout.write(
                f"Log in to /admin/ as {catalogue.DEMO_ADMIN_EMAIL} / admin "
                "(created because DEBUG is on)."
            )
        if makers_created:
            self.stdout.write(
                "Makers sign in (tokenCreate) as "
                f"<shop slug>@{catalogue.DEMO_MAKER_EMAIL_DOMAIN} / "
                f"{catalogue.DEMO_MAKER_PASSWORD}, e.g. {makers_created[0]} "
                f"({len(makers_created)} created because DEBUG is on)."
            )
