"""Where application documents live: beside MEDIA_ROOT, never under it, so the public media
URL cannot serve a maker's identity papers."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under ``MARKET_PRIVATE_MEDIA_ROOT`` (default: ``private-media`` next to
    MEDIA_ROOT); read at use, so a test that moves MEDIA_ROOT moves these too."""

    @property
    def base_location(self):
        default = Path(settings.MEDIA_ROOT).parent / "private-media"
        return str(getattr(settings, "MARKET_PRIVATE_MEDIA_ROOT", None) or default)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private documents have no public URL.")


_storage = PrivateFileSystemStorage()


def private_document_storage():
    return _storage
