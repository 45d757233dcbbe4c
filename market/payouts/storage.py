"""Kept because migrations name ``market.payouts.storage.bank_file_storage``; the storage itself
is ``market.core.storage``."""

from market.core.storage import bank_file_storage  # noqa: F401
