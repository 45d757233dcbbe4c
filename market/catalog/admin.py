from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html

from market.catalog import services
from market.catalog.models import (
    Attribute,
    AttributeValue,
    Category,
    Product,
    ProductEvent,
    ProductImage,
    ProductImport,
    ProductVariant,
)
from market.core.admin import CatalogueAdmin
from market.core.errors import DomainError


@admin.register(Category)
class CategoryAdmin(CatalogueAdmin):
    list_display = ["name", "parent", "slug", "sort_order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    prepopulated_fields = {"slug": ["name"]}
    extra = 0


@admin.register(Attribute)
class AttributeAdmin(CatalogueAdmin):
    list_display = ["name", "slug", "sort_order"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AttributeValueInline]


class ProductVariantInline(admin.TabularInline):
    model = ProductVariant
    extra = 0


class ProductImageForm(forms.ModelForm):
    """Staff uploads pass the sellers' checks and are stored under our name too."""

    class Meta:
        model = ProductImage
        fields = ["image", "alt", "sort_order"]

    def clean_image(self):
        image = self.cleaned_data["image"]
        if not isinstance(image, UploadedFile):  # the stored file, unchanged
            return image
        try:
            return services.product_image_file(upload=image)
        except DomainError as refusal:
            raise forms.ValidationError(refusal.message, code=refusal.code) from refusal


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    fields = ["image", "alt", "sort_order", "thumbnail"]
    readonly_fields = ["thumbnail"]
    extra = 0


class ProductEventInline(admin.TabularInline):
    model = ProductEvent
    fields = ["created_at", "kind", "from_status", "to_status", "actor"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProductImport)
class ProductImportAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "seller",
        "original_name",
        "status",
        "processed_rows",
        "total_rows",
        "products_created",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["seller"]
    # The file is private (no URL): staff download it through ``file_download``.
    readonly_fields = [f.name for f in ProductImport._meta.fields if f.name != "file"] + [
        "download"
    ]
    exclude = ["file"]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        download = self.admin_site.admin_view(self.file_download)
        return [
            path("<int:import_id>/file/", download, name="catalog_productimport_file"),
            *super().get_urls(),
        ]

    @admin.display(description="file")
    def download(self, product_import):
        if not product_import.file:
            return "-"
        url = reverse("admin:catalog_productimport_file", args=[product_import.pk])
        return format_html('<a href="{}">{}</a>', url, product_import.original_name or "download")

    def file_download(self, request, import_id):
        product_import = ProductImport.objects.filter(pk=import_id).exclude(file="").first()
        if product_import is None or not self.has_view_permission(request, product_import):
            raise Http404
        return FileResponse(
            product_import.file.open("rb"),
            as_attachment=True,
            filename=product_import.original_name or "products.csv",
            content_type="text/csv",
        )


@admin.register(Product)
class ProductAdmin(CatalogueAdmin):
    list_display = ["name", "seller", "category", "status", "price_min_amount", "published_at"]
    list_filter = ["status", "availability", "category", "origin_country"]
    search_fields = ["name", "slug", "maker_name", "seller__name", "variants__sku"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["seller", "category"]
    raw_id_fields = ["seller"]
    filter_horizontal = ["attribute_values"]
    readonly_fields = ["price_min_amount", "price_max_amount", "created_at", "updated_at"]
    inlines = [ProductVariantInline, ProductImageInline, ProductEventInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        product = form.instance
        services.product_refresh_derived_fields(product_ids=[product.pk])
        for image in product.images.filter(thumbnail=""):
            services.product_image_thumbnail_schedule(image=image)
