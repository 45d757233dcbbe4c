"""Who is asking: the gatekeepers every mutation and private query calls first.

Not signed in → a top-level ``unauthenticated`` error (an authentication failure). Signed in
without the right role or permission → a top-level ``permission_denied`` error. Someone else's
object is never a permission error: the domain's gatekeepers answer "not found" for it.
"""

from __future__ import annotations

from graphql import GraphQLError

from market.core.permissions import StaffPermission
from market.graphql.core.errors import ApiErrorCode


def current_user(info):
    user = getattr(info.context, "user", None)
    return user if user is not None and user.is_authenticated else None


def require_user(info):
    user = current_user(info)
    if user is None:
        reason = getattr(info.context, "auth_error", None)
        raise GraphQLError(
            reason or "Sign in to do this.", extensions={"code": ApiErrorCode.UNAUTHENTICATED.value}
        )
    return user


def permission_denied(message: str = "You may not do this.") -> GraphQLError:
    return GraphQLError(message, extensions={"code": ApiErrorCode.PERMISSION_DENIED.value})


def staff_may(user, permission: StaffPermission) -> bool:
    """Whether ``user`` is signed-in staff holding ``permission`` (superusers hold them all).
    The API's one check of a staff permission; the services never look one up."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_staff
        and user.has_perm(permission.value)
    )


def require_staff_permission(info, permission: StaffPermission):
    """A signed-in staff member holding ``permission``."""
    user = require_user(info)
    if not staff_may(user, permission):
        raise permission_denied(f"Needs the staff permission '{permission.value}'.")
    return user


def require_seller(info):
    """The signed-in user's own shop (any status); users without one are refused."""
    from market.sellers.selectors import seller_get_for_user

    seller = seller_get_for_user(user=require_user(info))
    if seller is None:
        raise permission_denied("Only sellers may do this: apply to become one first.")
    return seller
