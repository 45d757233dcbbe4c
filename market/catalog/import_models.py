"""A seller's bulk listing upload: one CSV file, imported by a worker, with a row-by-row report.

Kept out of ``models.py`` so the import can grow without touching the catalogue's core models;
``models.py`` imports it so that Django registers it in the ``catalog`` app.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from market.core.storage import private_storage


class ProductImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Importing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class ProductImport(models.Model):
    """One uploaded CSV and how far its import got.

    ``errors`` lists the refused rows as ``{line, field, code, message}`` (``line`` counts the
    header as line 1; ``field`` is the CSV column). ``groups_done`` and ``attempt`` let the next
    run (after a time budget, or taking over an interrupted import) resume after the last
    product group that was committed.
    """

    seller = models.ForeignKey(
        "sellers.Seller", on_delete=models.CASCADE, related_name="product_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Private: a seller's price list is nobody else's business, and no upload is ever served
    # from our domain. Stored under a generated name; the seller's own name is ``original_name``.
    file = models.FileField(upload_to="imports/%Y/%m/", storage=private_storage, max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=16, choices=ProductImportStatus.choices, default=ProductImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    products_created = models.PositiveIntegerField(default=0)
    variants_created = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    failure_message = models.TextField(blank=True)

    # Resuming: product groups finished (in file order), the run that owns the import, and
    # when that run last showed it was alive.
    groups_done = models.PositiveIntegerField(default=0)
    attempt = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Runs that took the import over from one that died (a killed worker): zero normally.
    takeovers = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["seller", "-created_at", "-id"], name="product_import_seller_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(processed_rows__lte=F("total_rows")),
                name="product_import_progress_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.original_name or 'import'} ({self.status})"
