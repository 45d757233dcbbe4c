"""Bulk listing by CSV: a seller uploads a file, a worker imports it (see docs/bulk-listing.md)."""

import graphene
from django.core.files.uploadedfile import UploadedFile
from graphene_file_upload.scalars import Upload

from market.catalog import imports
from market.core.errors import DomainError
from market.graphql.catalog.types import ProductImport
from market.graphql.core.auth import require_seller
from market.graphql.core.mutations import BaseMutation, error_type

ProductImportError = error_type("ProductImportError", imports.ProductImportErrorCode)


class ProductImportCreate(BaseMutation):
    """Upload a CSV of products and variants (see docs/bulk-listing.md); a worker imports it.

    The file as a whole is checked now (size, encoding, columns, row count); rows are checked
    by the worker and reported on the import.
    """

    class Arguments:
        file = Upload(required=True, description="The CSV file (multipart request).")

    product_import = graphene.Field(ProductImport)

    class Meta:
        error_type = ProductImportError

    @classmethod
    def perform(cls, root, info, file):
        seller = require_seller(info)
        if not isinstance(file, UploadedFile):
            raise DomainError(
                imports.ProductImportErrorCode.INVALID_CSV,
                "Send the file as a multipart upload.",
                field="file",
            )
        product_import = imports.product_import_create(
            seller=seller, user=info.context.user, upload=file
        )
        return {"product_import": product_import}


class ProductImportMutations(graphene.ObjectType):
    product_import_create = ProductImportCreate.Field()
