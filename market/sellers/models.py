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


class Seller(models.Model):
    """A resident maker's public shop: what buyers see next to every product they list."""

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
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name
