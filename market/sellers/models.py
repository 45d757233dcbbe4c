from django.conf import settings
from django.db import models
from django_countries.fields import CountryField


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

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="seller")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    bio = models.TextField(blank=True)
    discipline = models.CharField(max_length=32, choices=Discipline.choices)
    city = models.CharField(max_length=80, blank=True)
    country = CountryField(default="AZ")
    is_resident = models.BooleanField(
        default=True, help_text="Shows the resident badge: a member of the centre's programme.")
    status = models.CharField(max_length=16, choices=SellerStatus.choices,
                              default=SellerStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["status", "name"], name="seller_status_name_idx")]
        permissions = [("manage_sellers", "Review applications, suspend and reinstate sellers")]

    def __str__(self):
        return self.name
