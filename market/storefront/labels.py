"""The words pages show for the API's enum values (the API answers ``CRAFTS``; a visitor reads
"Crafts" in their language)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

DISCIPLINES = {
    "MUSIC": _("Music"),
    "GAME_TECH": _("Game tech"),
    "CULTURE_TECH": _("Culture tech"),
    "CRAFTS": _("Crafts"),
    "DESIGN": _("Design"),
    "FILM_ANIMATION": _("Film and animation"),
    "VISUAL_ARTS": _("Visual arts"),
    "FASHION": _("Fashion"),
}

AVAILABILITY = {
    "READY_TO_SHIP": _("Ready to ship"),
    "MADE_TO_ORDER": _("Made to order"),
}
