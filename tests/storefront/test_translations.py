"""The storefront speaks Azerbaijani and Russian in full: every message of ours is translated,
none is left fuzzy, and the compiled catalogues Django loads say what the sources say."""

from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from tests.factories import listed_product

LOCALE = Path(__file__).resolve().parents[2] / "market" / "storefront" / "locale"


@pytest.mark.parametrize("language", ["az", "ru"])
def test_every_storefront_message_is_translated(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as source:
        catalog = read_po(source, locale=language)

    messages = [message for message in catalog if message.id]
    untranslated = [
        message.id
        for message in messages
        if not all(message.string if isinstance(message.string, tuple) else [message.string])
    ]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert len(messages) > 50
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", ["az", "ru"])
def test_the_compiled_catalogue_is_current(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with open(folder / "django.po", "rb") as source:
        catalog = read_po(source, locale=language)
    with open(folder / "django.mo", "rb") as compiled:
        translations = GNUTranslations(compiled)

    for message in catalog:
        if not message.id or isinstance(message.id, tuple):
            continue
        key = f"{message.context}\x04{message.id}" if message.context else message.id
        assert translations._catalog.get(key) == message.string, message.id  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["az", "ru"])
def test_the_home_page_and_the_catalogue_speak_the_visitors_language(client, language):
    """The header's controls, the home page's heading and the catalogue's filters and count are
    the catalogue's translations (read through gettext, so they follow the .po), not English."""
    listed_product(name="Shirvan kilim")
    listed_product(name="Caspian bowl")
    with translation.override(language):
        header = [gettext(text) for text in ("Search", "Language", "Currency", "Ship to")]
        home = [gettext("Made by resident makers, shipped worldwide"), gettext("New work")]
        catalogue = [
            gettext("All work"),
            gettext("Apply filters"),
            ngettext("%(counter)s piece of work", "%(counter)s pieces of work", 2) % {"counter": 2},
        ]
    assert "Search" not in header and "All work" not in catalogue  # the catalogue is loaded

    home_page = client.get(f"/{language}/").content.decode()
    catalogue_page = client.get(f"/{language}/products/").content.decode()

    assert f'<html lang="{language}">' in home_page
    for text in header + home:
        assert escape(text) in home_page, text
    for text in header + catalogue:
        assert escape(text) in catalogue_page, text
