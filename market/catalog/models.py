from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django_countries.fields import CountryField

hs_code_validator = RegexValidator(
    r"^\d{6,10}$", "An HS code is 6 to 10 digits, without dots or spaces.", code="invalid_hs_code"
)


class Category(models.Model):
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Attribute(models.Model):
    """A property buyers filter and read by: material, technique, colour, size…"""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class AttributeValue(models.Model):
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="values")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140)

    class Meta:
        ordering = ["attribute__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "slug"], name="attribute_value_unique"),
        ]

    def __str__(self):
        return f"{self.attribute.name}: {self.name}"


class ProductStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Availability(models.TextChoices):
    READY_TO_SHIP = "ready_to_ship", "Ready to ship"
    MADE_TO_ORDER = "made_to_order", "Made to order"


class Product(models.Model):
    """A listing of something a resident made. Prices live on its variants, in base currency."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    attribute_values = models.ManyToManyField(AttributeValue, blank=True, related_name="products")

    # Provenance: who made it, when, and how it reaches the buyer.
    maker_name = models.CharField(max_length=120, blank=True)
    made_year = models.PositiveSmallIntegerField(null=True, blank=True)
    availability = models.CharField(
        max_length=16, choices=Availability.choices, default=Availability.READY_TO_SHIP
    )
    processing_days = models.PositiveSmallIntegerField(
        default=1, help_text="Working days the maker needs before the item ships."
    )
    edition_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty for an open edition."
    )
    edition_number = models.PositiveIntegerField(null=True, blank=True)

    # Export data for customs papers and duties.
    is_exportable = models.BooleanField(default=True)
    hs_code = models.CharField(max_length=10, blank=True, validators=[hs_code_validator])
    origin_country = CountryField(default="AZ")
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    length_mm = models.PositiveIntegerField(null=True, blank=True)
    width_mm = models.PositiveIntegerField(null=True, blank=True)
    height_mm = models.PositiveIntegerField(null=True, blank=True)

    # Derived from variants by catalog.services.product_refresh_derived_fields, for sorting
    # and listing without touching variant rows.
    price_min_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_max_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [("manage_catalog", "Manage any seller's products and categories")]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="product_newest_idx"),
            models.Index(fields=["status", "name", "id"], name="product_name_idx"),
            models.Index(fields=["status", "price_min_amount", "id"], name="product_price_idx"),
            # Counting what buyers may see (every catalogue page's total) reads this small
            # index instead of the wide product rows: 2 ms instead of 12 at 10,000 products.
            models.Index(
                fields=["seller"],
                condition=Q(status="published", price_min_amount__isnull=False),
                name="product_listable_seller_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hs_code="") | Q(hs_code__regex=r"^[0-9]{6,10}$"),
                name="product_hs_code_digits",
            ),
            models.CheckConstraint(
                condition=Q(edition_number__isnull=True)
                | Q(edition_size__isnull=True)
                | Q(edition_number__lte=F("edition_size")),
                name="product_edition_number_within_size",
            ),
        ]

    def __str__(self):
        return self.name


class ProductVariant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=120, blank=True)
    price_amount = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="In the marketplace's base currency."
    )
    stock_quantity = models.PositiveIntegerField(default=0)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_amount__gte=0), name="variant_price_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.product.name} ({self.sku})" if self.product_id else self.sku

    @property
    def quantity_available(self) -> int:
        return self.stock_quantity


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(upload_to="products/thumbnails/%Y/%m/", blank=True)
    alt = models.CharField(max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    # Pixel sizes, recorded when the files are stored (not ImageField's width_field, which
    # reads the file again whenever a row without them is loaded): pages give them to the
    # browser so that nothing moves while images load. Null until known.
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumbnail_width = models.PositiveIntegerField(null=True, blank=True)
    thumbnail_height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.alt or self.image.name


class ProductEvent(models.Model):
    """One move of a listing's status: who, when, from and to. Append-only."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, help_text="What was done: publish, archive, …")
    from_status = models.CharField(max_length=16, choices=ProductStatus.choices)
    to_status = models.CharField(max_length=16, choices=ProductStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.product_id}: {self.from_status} → {self.to_status}"


from market.catalog.import_models import ProductImport  # noqa: E402,F401
