"""Where we deliver and at what price, and the import duties of each destination: the tables
staff edit in the admin. Prices are in the marketplace's base currency (AZN).

Quotes read these tables through the shared cache (``market.core.reference_cache``): every
change of a row, saved, deleted or updated in bulk, drops what it kept."""

from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from market.core.models import MONEY
from market.core.reference_cache import ReferenceTableQuerySet


class Incoterm(models.TextChoices):
    DAP = "DAP", "Delivered at place: duties paid by the buyer on arrival"
    DDP = "DDP", "Delivered duty paid: duties collected at checkout"


class ShippingZone(models.Model):
    """Destinations served alike; a destination belongs to one active zone."""

    name = models.CharField(max_length=80)
    countries = models.JSONField(default=list, help_text='ISO alpha-2 codes, e.g. ["DE", "FR"].')
    is_active = models.BooleanField(default=True)

    objects = ReferenceTableQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ShippingMethod(models.Model):
    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="methods")
    name = models.CharField(max_length=80)
    carrier = models.CharField(max_length=80, blank=True)
    transit_days_min = models.PositiveSmallIntegerField(default=1)
    transit_days_max = models.PositiveSmallIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    objects = ReferenceTableQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(transit_days_max__gte=models.F("transit_days_min")),
                name="shipping_method_transit_range",
            )
        ]

    def __str__(self):
        return f"{self.zone.name}: {self.name}"


class ShippingRate(models.Model):
    """The price (base currency) of a parcel up to ``max_weight_grams`` by this method."""

    method = models.ForeignKey(ShippingMethod, on_delete=models.CASCADE, related_name="rates")
    max_weight_grams = models.PositiveIntegerField()
    price_amount = models.DecimalField(**MONEY)

    objects = ReferenceTableQuerySet.as_manager()

    class Meta:
        ordering = ["method", "max_weight_grams"]
        constraints = [
            models.UniqueConstraint(
                fields=["method", "max_weight_grams"], name="shipping_rate_band_unique"
            ),
            models.CheckConstraint(
                condition=Q(price_amount__gte=0), name="shipping_rate_not_negative"
            ),
        ]

    def __str__(self):
        return f"≤ {self.max_weight_grams} g: {self.price_amount}"


class DutyCountry(models.Model):
    """Import duties of one destination: a de minimis threshold and rates by HS chapter."""

    country = CountryField(unique=True)
    de_minimis_amount = models.DecimalField(**MONEY, help_text="No duty at or below this value.")
    de_minimis_currency = models.CharField(max_length=3)
    default_rate = models.DecimalField(
        max_digits=6, decimal_places=3, help_text="Percent, for chapters without their own rate."
    )
    ddp_available = models.BooleanField(
        default=True, help_text="Buyers may choose DDP (duties collected at checkout)."
    )

    objects = ReferenceTableQuerySet.as_manager()

    class Meta:
        ordering = ["country"]
        verbose_name_plural = "duty countries"

    def __str__(self):
        return str(self.country.name)


class DutyRate(models.Model):
    duty_country = models.ForeignKey(DutyCountry, on_delete=models.CASCADE, related_name="rates")
    hs_chapter = models.CharField(max_length=2, help_text="First two digits of the HS code.")
    rate = models.DecimalField(max_digits=6, decimal_places=3, help_text="Percent.")

    objects = ReferenceTableQuerySet.as_manager()

    class Meta:
        ordering = ["duty_country", "hs_chapter"]
        constraints = [
            models.UniqueConstraint(
                fields=["duty_country", "hs_chapter"], name="duty_rate_chapter_unique"
            )
        ]

    def __str__(self):
        return f"{self.duty_country_id} ch. {self.hs_chapter}: {self.rate} %"
