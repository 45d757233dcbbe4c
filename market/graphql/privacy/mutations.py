"""Personal data: a person exports or erases their own; staff holding
``core.manage_personal_data`` do it for someone, with a reason for the audit log."""

import graphene

from market.accounts.throttling import request_client_address
from market.core.errors import DomainError
from market.core.permissions import StaffPermission
from market.graphql.core.auth import require_staff_permission, require_user
from market.graphql.core.ids import pk_or_refused
from market.graphql.core.mutations import BaseMutation, error_type
from market.privacy import selectors, services
from market.privacy.error_codes import PrivacyErrorCode

PrivacyError = error_type("PrivacyError", PrivacyErrorCode)

_DATA = (
    "Everything we hold about the person, as one JSON document (see the API guide's "
    "personal data section): account, sign-ins, addresses, orders, checkouts, shop."
)


def _person(user_id: str):
    pk = pk_or_refused(
        user_id, "User", code=PrivacyErrorCode.NOT_FOUND, message="No such user.", field="userId"
    )
    person = selectors.user_get_for_staff(user_id=pk)
    if person is None:
        raise DomainError(PrivacyErrorCode.NOT_FOUND, "No such user.", field="userId")
    return person


class AccountPersonalDataExport(BaseMutation):
    """Everything we hold about the signed-in person, as JSON (recorded in their access log)."""

    data = graphene.JSONString(description=_DATA)

    class Meta:
        error_type = PrivacyError

    @classmethod
    def perform(cls, root, info):
        return {"data": services.personal_data_export(user=require_user(info))}


class AccountErase(BaseMutation):
    """Erase the signed-in person's data and close the account, confirmed with the password.
    Orders are kept for the accounts without the person's details. Refused with
    ERASURE_MUST_WAIT while an order or the shop's money is not settled. Wrong passwords count
    as failed sign-ins: over the limit, TOO_MANY_ATTEMPTS. Every token of the account stops
    working; the e-mail address may register again."""

    class Arguments:
        password = graphene.String(required=True)

    class Meta:
        error_type = PrivacyError

    @classmethod
    def perform(cls, root, info, password):
        services.account_erase(
            user=require_user(info),
            password=password,
            client_address=request_client_address(info.context),
        )
        return {}


class UserPersonalDataExport(BaseMutation):
    """Staff: everything we hold about a person, as JSON, to answer their request. Needs
    `core.manage_personal_data`; the reason goes to the audit log."""

    data = graphene.JSONString(description=_DATA)

    class Arguments:
        user_id = graphene.ID(required=True, description="The person's `User.id`.")
        reason = graphene.String(required=True, description="Why: the request's reference.")

    class Meta:
        error_type = PrivacyError

    @classmethod
    def perform(cls, root, info, user_id, reason):
        staff = require_staff_permission(info, StaffPermission.MANAGE_PERSONAL_DATA)
        data = services.personal_data_export(user=_person(user_id), by_staff=staff, reason=reason)
        return {"data": data}


class UserErase(BaseMutation):
    """Staff: erase a person's data on their request, as `accountErase` does. Needs
    `core.manage_personal_data`; the reason goes to the audit log."""

    class Arguments:
        user_id = graphene.ID(required=True, description="The person's `User.id`.")
        reason = graphene.String(required=True, description="Why: the request's reference.")

    class Meta:
        error_type = PrivacyError

    @classmethod
    def perform(cls, root, info, user_id, reason):
        staff = require_staff_permission(info, StaffPermission.MANAGE_PERSONAL_DATA)
        services.personal_data_erase(user=_person(user_id), by_staff=staff, reason=reason)
        return {}


class PrivacyMutations(graphene.ObjectType):
    """Mutations of this area; the root Mutation type inherits them."""

    account_personal_data_export = AccountPersonalDataExport.Field()
    account_erase = AccountErase.Field()
    user_personal_data_export = UserPersonalDataExport.Field()
    user_erase = UserErase.Field()
