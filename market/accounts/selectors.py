from market.accounts.models import User


def user_staff_permissions(*, user: User) -> list[str]:
    """The staff permissions (``app_label.codename``) ``user`` holds, directly or through its
    groups; none for anyone who is not active staff, as the API's gatekeepers require."""
    if not (user.is_active and user.is_staff):
        return []
    return sorted(user.get_all_permissions())
