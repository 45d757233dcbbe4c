"""The storefront speaks Azerbaijani and Russian in full: every message of ours is translated,
none is left fuzzy, and the compiled catalogues Django loads say what the sources say."""

from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

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
