"""Applying to sell, and staff reviewing applications.

The applicant's mutations act only on the caller's own seller (found from the signed-in user),
so there is no id to point at someone else's application. Staff mutations need the permission
``sellers.manage_sellers``.
"""

from collections.abc import Callable
from typing import Any

import graphene
from graphene_file_upload.scalars import Upload

from market.core.permissions import StaffPermission
from market.graphql.core.auth import require_seller, require_staff_permission, require_user
from market.graphql.core.ids import pk_or_refused
from market.graphql.core.mutations import BaseMutation, error_type
from market.graphql.sellers.types import SellerDocument, SellerProfile
from market.sellers import selectors, services
from market.sellers.error_codes import SellerErrorCode

SellerError = error_type("SellerError", SellerErrorCode)


def _pk_from_global_id(global_id: str, expected_type: str) -> int:
    return pk_or_refused(
        global_id,
        expected_type,
        code=SellerErrorCode.INVALID,
        message=f"'{global_id}' is not a {expected_type} id.",
    )


def _profile(seller_id: int):
    return selectors.seller_get_for_staff(seller_id=seller_id)


class SellerApplicationFields:
    bio = graphene.String(description="About the maker and their work.")
    resident_programme = graphene.String(description="The centre's programme you belong to.")
    membership_number = graphene.String(description="Your membership number in the programme.")
    city = graphene.String()
    country = graphene.String(description="ISO 3166-1 alpha-2 code; default AZ.")
    contact_email = graphene.String(description="Default: your account's e-mail.")
    contact_phone = graphene.String()


class SellerApplicationCreateInput(SellerApplicationFields, graphene.InputObjectType):
    name = graphene.String(required=True, description="The studio's name, shown on the shop.")
    discipline = graphene.String(
        required=True, description="One of the Discipline values, e.g. `crafts`."
    )


class SellerApplicationUpdateInput(SellerApplicationFields, graphene.InputObjectType):
    """Only the fields given change; send an empty string to clear one."""

    name = graphene.String()
    discipline = graphene.String()


def _given(data) -> dict:
    return {name: value for name, value in dict(data).items() if value is not None}


class SellerMutation(BaseMutation):
    seller = graphene.Field(SellerProfile)

    class Meta:
        abstract = True


class SellerApplicationCreate(SellerMutation):
    """Apply to sell: opens a draft application for the signed-in user (one per user)."""

    class Arguments:
        input = SellerApplicationCreateInput(required=True)

    class Meta:
        error_type = SellerError

    @classmethod
    def perform(cls, root, info, input):
        user = require_user(info)
        seller = services.seller_application_create(user=user, **_given(input))
        return {"seller": _profile(seller.pk)}


class SellerApplicationUpdate(SellerMutation):
    """Change your draft or rejected application."""

    class Arguments:
        input = SellerApplicationUpdateInput(required=True)

    class Meta:
        error_type = SellerError

    @classmethod
    def perform(cls, root, info, input):
        seller = require_seller(info)
        services.seller_application_update(seller=seller, actor=info.context.user, **_given(input))
        return {"seller": _profile(seller.pk)}


class SellerDocumentUpload(SellerMutation):
    """Attach a PDF, JPEG or PNG to your draft or rejected application (multipart request)."""

    document = graphene.Field(SellerDocument)

    class Arguments:
        kind = graphene.String(
            required=True, description="residency_certificate, portfolio, identity or other."
        )
        file = Upload(required=True)

    class Meta:
        error_type = SellerError

    @classmethod
    def perform(cls, root, info, kind, file):
        seller = require_seller(info)
        document = services.seller_document_add(
            seller=seller, actor=info.context.user, upload=file, kind=kind
        )
        return {"seller": _profile(seller.pk), "document": document}


class SellerDocumentDelete(SellerMutation):
    """Remove a document from your draft or rejected application."""

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = SellerError

    @classmethod
    def perform(cls, root, info, id):
        seller = require_seller(info)
        services.seller_document_remove(
            seller=seller,
            actor=info.context.user,
            document_id=_pk_from_global_id(id, "SellerDocument"),
        )
        return {"seller": _profile(seller.pk)}


class SellerApplicationSubmit(SellerMutation):
    """Send your application to staff for review."""

    class Meta:
        error_type = SellerError

    @classmethod
    def perform(cls, root, info):
        seller = require_seller(info)
        services.seller_application_submit(seller=seller, actor=info.context.user)
        return {"seller": _profile(seller.pk)}


class SellerStaffDecision(SellerMutation):
    """Staff with ``sellers.manage_sellers`` move one seller through review; ``service`` is the
    domain's decision (its rules, event and e-mail)."""

    service: Callable[..., Any]

    class Meta:
        abstract = True

    @classmethod
    def perform(cls, root, info, id, **arguments):
        staff = require_staff_permission(info, StaffPermission.MANAGE_SELLERS)
        seller = cls.service(seller_id=_pk_from_global_id(id, "Seller"), actor=staff, **arguments)
        return {"seller": _profile(seller.pk)}


class SellerApplicationApprove(SellerStaffDecision):
    """Staff: approve a submitted application; the shop becomes public."""

    service = staticmethod(services.seller_application_approve)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = SellerError


class SellerApplicationReject(SellerStaffDecision):
    """Staff: reject a submitted application with a reason the applicant sees."""

    service = staticmethod(services.seller_application_reject)

    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String(required=True)

    class Meta:
        error_type = SellerError


class SellerSuspend(SellerStaffDecision):
    """Staff: hide an approved shop and its products, with a reason."""

    service = staticmethod(services.seller_suspend)

    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String(required=True)

    class Meta:
        error_type = SellerError


class SellerReinstate(SellerStaffDecision):
    """Staff: bring a suspended shop back (never one closed when its owner's personal data was
    erased: INVALID_TRANSITION)."""

    service = staticmethod(services.seller_reinstate)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = SellerError


class SellersMutations(graphene.ObjectType):
    """Mutations of this area; the root Mutation type inherits them."""

    seller_application_create = SellerApplicationCreate.Field()
    seller_application_update = SellerApplicationUpdate.Field()
    seller_document_upload = SellerDocumentUpload.Field()
    seller_document_delete = SellerDocumentDelete.Field()
    seller_application_submit = SellerApplicationSubmit.Field()
    seller_application_approve = SellerApplicationApprove.Field()
    seller_application_reject = SellerApplicationReject.Field()
    seller_suspend = SellerSuspend.Field()
    seller_reinstate = SellerReinstate.Field()
