"""Where uploaded and generated files are kept, and what they are called.

Two rules hold for every file: its stored name is ours (``generated_name``: random, with the
extension of the format we recognised in its content, never the uploader's), and a file that is
not a public image lives beside ``MEDIA_ROOT``, never under it, so no media URL can serve it.

Private files (sellers' application documents, customs papers, bulk-listing CSVs) share one
storage; the bank's payment files, which hold sellers' IBANs, have a root of their own so that
operations can keep them on a separate volume. Staff reach private files only through admin
downloads.
"""

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="market.core.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files under the folder named by the setting ``root_setting`` (default: ``default_folder``
    next to MEDIA_ROOT). The root is read at use, so a test that moves MEDIA_ROOT moves these
    too; such a file has no URL."""

    def __init__(self, *, root_setting: str, default_folder: str):
        self.root_setting = root_setting
        self.default_folder = default_folder
        super().__init__()

    @property
    def base_location(self) -> str:
        default = Path(settings.MEDIA_ROOT).parent / self.default_folder
        return str(getattr(settings, self.root_setting, None) or default)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL.")


_private = PrivateStorage(root_setting="MARKET_PRIVATE_MEDIA_ROOT", default_folder="private-media")
_bank_files = PrivateStorage(root_setting="PAYOUT_BANK_FILES_ROOT", default_folder="bank-files")


def private_storage() -> PrivateStorage:
    """Sellers' documents, customs papers and bulk-listing uploads."""
    return _private


def bank_file_storage() -> PrivateStorage:
    """The pain.001 files sent to the bank."""
    return _bank_files


def generated_name(extension: str) -> str:
    """A stored file's name: unguessable, and typed only by what we verified (``".png"``)."""
    return f"{uuid.uuid4().hex}{extension}"
