from django.conf import settings
from django.db import models
from django_countries.fields import CountryField

from market.core.storage import private_storage


class Discipline(models.TextChoices):
    MUSIC = "music", "Music"
    GAME_TECH = "game_tech", "Game tech"
    CULTURE_TECH = "culture_tech", "Culture tech"
    CRAFTS = "crafts", "Crafts"
    DESIGN = "design", "Design"
    FILM_ANIMATION = "film_animation", "Film and animation"
    VISUAL_ARTS = "visual_arts", "Visual arts"
    FASHION = "fashion", "Fashion"


class SellerStatus(models.TextChoices):
    DRAFT = "draft", "Draft application"
    SUBMITTED = "submitted", "Submitted for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUSPENDED = "suspended", "Suspended"


class Seller(models.Model):
    """A resident maker's shop: from application (draft) to an approved, public shop.

    Only approved sellers are public and may publish products.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="seller",
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    bio = models.TextField(blank=True)
    discipline = models.CharField(max_length=32, choices=Discipline.choices)
    city = models.CharField(max_length=80, blank=True)
    country = CountryField(default="AZ")
    is_resident = models.BooleanField(
        default=True, help_text="Shows the resident badge: a member of the centre's programme."
    )
    status = models.CharField(
        max_length=16, choices=SellerStatus.choices, default=SellerStatus.DRAFT
    )
    resident_programme = models.CharField(
        max_length=120, blank=True, help_text="The centre's programme the maker is a resident of."
    )
    membership_number = models.CharField(max_length=64, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    rejection_reason = models.TextField(
        blank=True, help_text="Why staff last rejected the application; shown to the applicant."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff last approved or rejected the application."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["status", "name"], name="seller_status_name_idx")]
        permissions = [("manage_sellers", "Review applications, suspend and reinstate sellers")]

    def __str__(self) -> str:
        return self.name


class SellerDocumentKind(models.TextChoices):
    RESIDENCY_CERTIFICATE = "residency_certificate", "Residency certificate"
    PORTFOLIO = "portfolio", "Portfolio"
    IDENTITY = "identity", "Identity document"
    OTHER = "other", "Other"


class SellerDocument(models.Model):
    """A paper supporting an application. Kept outside the public media folder: only the
    applicant's metadata and staff (through the admin) ever reach it."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(
        upload_to="seller-documents/%Y/%m/", storage=private_storage, max_length=255
    )
    kind = models.CharField(max_length=32, choices=SellerDocumentKind.choices)
    content_type = models.CharField(max_length=64, help_text="Detected from the content.")
    size_bytes = models.PositiveIntegerField()
    original_name = models.CharField(max_length=255, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class SellerEventKind(models.TextChoices):
    CREATED = "created", "Application created"
    UPDATED = "updated", "Application updated"
    DOCUMENT_ADDED = "document_added", "Document added"
    DOCUMENT_REMOVED = "document_removed", "Document removed"
    SUBMITTED = "submitted", "Submitted for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUSPENDED = "suspended", "Suspended"
    REINSTATED = "reinstated", "Reinstated"


class SellerEvent(models.Model):
    """Append-only history of a seller's application and status: who did what, when."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=SellerEventKind.choices)
    from_status = models.CharField(max_length=16, choices=SellerStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=SellerStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.seller} {self.kind} at {self.created_at:%Y-%m-%d %H:%M}"
