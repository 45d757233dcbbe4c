"""Who may change a listing, and the one way a mutation fetches it.

The caller acts as a catalogue manager when they are staff holding ``catalog.manage_catalog``
(any seller's listings); otherwise as a seller, on their own listings only. Someone else's
listing, an id of the wrong type and a missing one all answer the same ``not_found``.
"""

from __future__ import annotations

from dataclasses import dataclass

from market.catalog import selectors
from market.catalog.models import Product, ProductImage, ProductVariant
from market.core.permissions import StaffPermission
from market.graphql.core.auth import require_seller, require_user, staff_may
from market.graphql.core.ids import pk_from_global_id
from market.sellers.models import Seller


@dataclass(frozen=True)
class CatalogAccess:
    user: object
    seller: Seller | None  # None: a catalogue manager, not bound to one shop

    def product(self, global_id: str, *, field: str = "id") -> Product:
        pk = pk_from_global_id(global_id, "Product")
        if self.seller is None:
            return selectors.product_get_for_manager(product_id=pk, field=field)
        return selectors.product_get_for_seller(seller=self.seller, product_id=pk, field=field)

    def variant(self, global_id: str, *, field: str = "id") -> ProductVariant:
        pk = pk_from_global_id(global_id, "ProductVariant")
        if self.seller is None:
            return selectors.variant_get_for_manager(variant_id=pk, field=field)
        return selectors.variant_get_for_seller(seller=self.seller, variant_id=pk, field=field)

    def image(self, global_id: str, *, field: str = "id") -> ProductImage:
        pk = pk_from_global_id(global_id, "ProductImage")
        if self.seller is None:
            return selectors.image_get_for_manager(image_id=pk, field=field)
        return selectors.image_get_for_seller(seller=self.seller, image_id=pk, field=field)


def catalog_access(info) -> CatalogAccess:
    """Anonymous → ``unauthenticated``; neither a manager nor a seller → ``permission_denied``."""
    user = require_user(info)
    if staff_may(user, StaffPermission.MANAGE_CATALOG):
        return CatalogAccess(user=user, seller=None)
    return CatalogAccess(user=user, seller=require_seller(info))
