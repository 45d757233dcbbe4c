"""The one shape every mutation has: check who asks → validate → call one service → payload.

A mutation's payload always carries ``errors: [<App>Error!]!`` with ``field``, ``code`` (an enum
owned by the domain app) and ``message``. A refused request returns its errors there and leaves
the database as it was (services run in one transaction). Only authentication failures and bugs
become top-level GraphQL errors.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import graphene
from django.core.exceptions import ValidationError

from market.core.errors import DomainError

_error_types: dict[str, type[graphene.ObjectType]] = {}


def error_type(name: str, codes: type[StrEnum]) -> type[graphene.ObjectType]:
    """The GraphQL error type of one domain app, e.g. ``CatalogError`` with ``CatalogErrorCode``."""
    if name in _error_types:
        return _error_types[name]
    code_enum = graphene.Enum.from_enum(codes, name=f"{name}Code")
    error = type(
        name,
        (graphene.ObjectType,),
        {
            "__doc__": "Why a request was refused: `field` names the input, `code` says why.",
            "field": graphene.String(
                description="The input field at fault; null for the whole request."
            ),
            "code": graphene.Field(code_enum, required=True),
            "message": graphene.String(required=True),
        },
    )
    _error_types[name] = error
    return error


class BaseMutation(graphene.Mutation):
    """Subclasses set ``error_type`` and implement ``perform(root, info, **arguments)``.

    ``perform`` returns the payload's fields as a dict; a ``DomainError`` (or Django's
    ``ValidationError`` from a model's validators) becomes the payload's ``errors``.
    """

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, error_type=None, **options):
        super().__init_subclass_with_meta__(**options)
        if error_type is not None:
            cls._meta.fields["errors"] = graphene.Field(
                graphene.NonNull(graphene.List(graphene.NonNull(error_type)))
            )

    @classmethod
    def perform(cls, *args: Any, **arguments: Any) -> dict[str, Any]:
        # ``(*args: Any, **arguments: Any)`` lets each subclass name its own arguments.
        raise NotImplementedError

    @classmethod
    def mutate(cls, root, info, **arguments):
        try:
            result = cls.perform(root, info, **arguments) or {}
        except DomainError as error:
            return cls(
                errors=[{"field": error.field, "code": error.code, "message": error.message}]
            )
        except ValidationError as error:
            return cls(errors=validation_errors(error))
        return cls(errors=[], **result)


def validation_errors(error: ValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        return [
            {"field": field, "code": (e.code or "invalid"), "message": " ".join(e.messages)}
            for field, errors in error.error_dict.items()
            for e in errors
        ]
    return [
        {"field": None, "code": (e.code or "invalid"), "message": " ".join(e.messages)}
        for e in error.error_list
    ]
