"""Where the bank batch files live: beside MEDIA_ROOT, never under it, so no public URL can
serve sellers' IBANs."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class BankFileStorage(FileSystemStorage):
    """Files under ``PAYOUT_BANK_FILES_ROOT`` (default: ``bank-files`` next to MEDIA_ROOT); read
    at use, so a test that moves MEDIA_ROOT moves these too."""

    @property
    def base_location(self):
        default = Path(settings.MEDIA_ROOT).parent / "bank-files"
        return str(getattr(settings, "PAYOUT_BANK_FILES_ROOT", None) or default)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Bank files have no public URL.")


_storage = BankFileStorage()


def bank_file_storage():
    return _storage
