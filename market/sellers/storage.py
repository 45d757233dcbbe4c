"""Kept because migrations name ``market.sellers.storage.private_document_storage``; the one
private storage is ``market.core.storage``."""

from market.core.storage import private_storage as private_document_storage  # noqa: F401
