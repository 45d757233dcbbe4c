"""Bulk listing by CSV: a seller uploads a file, a worker imports it, the seller polls it."""

import graphene
from django.core.files.uploadedfile import UploadedFile
from graphene import relay
from graphene_file_upload.scalars import Upload

from market.catalog import imports
from market.catalog.import_models import ProductImportStatus as ProductImportStatusChoices
from market.core.errors import DomainError
from market.graphql.core.auth import require_seller
from market.graphql.core.ids import decode_global_ids
from market.graphql.core.mutations import BaseMutation, error_type
from market.graphql.core.pagination import paginate
from market.graphql.core.types import CountableConnection

ProductImportStatus = graphene.Enum.from_enum(
    ProductImportStatusChoices, name="ProductImportStatus"
)
ProductImportError = error_type("ProductImportError", imports.ProductImportErrorCode)


class ProductImportRowError(graphene.ObjectType):
    """A row of the file that was not imported (nor anything else of its product)."""

    line = graphene.Int(
        description="Line in the file, the header being line 1; null when the "
        "problem is not one row's."
    )
    field = graphene.String(description="The CSV column at fault; null for the whole row.")
    code = graphene.String(
        required=True,
        description="Machine-readable reason, e.g. "
        "`required`, `invalid`, `not_found`, "
        "`duplicate_sku`, `invalid_price`.",
    )
    message = graphene.String(required=True)


class ProductImport(graphene.ObjectType):
    """One uploaded CSV and how far its import got (poll it while it runs)."""

    id = graphene.ID(required=True)
    status = graphene.Field(ProductImportStatus, required=True)
    original_name = graphene.String(required=True)
    total_rows = graphene.Int(required=True)
    processed_rows = graphene.Int(required=True)
    products_created = graphene.Int(
        required=True, description="Imported as drafts: publish them one by one."
    )
    variants_created = graphene.Int(required=True)
    errors = graphene.List(graphene.NonNull(ProductImportRowError), required=True)
    failure_message = graphene.String(description="Why a failed import stopped.")
    created_at = graphene.DateTime(required=True)
    started_at = graphene.DateTime()
    finished_at = graphene.DateTime()

    def resolve_id(self, info):
        return relay.Node.to_global_id("ProductImport", self.pk)

    def resolve_errors(self, info):
        return [ProductImportRowError(**error) for error in self.errors]

    def resolve_failure_message(self, info):
        return self.failure_message or None


class ProductImportConnection(CountableConnection):
    class Meta:
        node = ProductImport


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


class ProductImportQueries(graphene.ObjectType):
    product_import = graphene.Field(
        ProductImport,
        id=graphene.ID(required=True),
        description="One of the signed-in seller's imports.",
    )
    product_imports = graphene.Field(
        graphene.NonNull(ProductImportConnection),
        first=graphene.Int(),
        after=graphene.String(),
        description="The signed-in seller's imports, newest first.",
    )

    def resolve_product_import(self, info, id):
        seller = require_seller(info)
        pk = decode_global_ids("id", [id], "ProductImport")[0]
        return imports.product_import_get_for_seller(seller=seller, import_id=pk)

    def resolve_product_imports(self, info, first=None, after=None):
        seller = require_seller(info)
        page = paginate(
            imports.product_import_list_for_seller(seller=seller),
            prefix="productimport",
            first=first,
            after=after,
        )
        return ProductImportConnection.from_page(page)
