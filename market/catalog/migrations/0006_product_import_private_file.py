"""Bulk-listing CSVs move out of the public media folder into the private storage; files
already uploaded move with them, under the same names."""

from django.core.files.storage import default_storage
from django.db import migrations, models

import market.core.storage


def move_uploaded_files(apps, schema_editor):
    ProductImport = apps.get_model("catalog", "ProductImport")
    private = market.core.storage.private_storage()
    for name in ProductImport.objects.exclude(file="").values_list("file", flat=True).iterator():
        if not default_storage.exists(name) or private.exists(name):
            continue
        with default_storage.open(name, "rb") as public:
            stored = private.save(name, public)
        if stored != name:  # never: exists() was checked above
            raise RuntimeError(f"could not keep the name of import file {name}")
        default_storage.delete(name)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0005_product_events"),
    ]

    operations = [
        migrations.AlterField(
            model_name="productimport",
            name="file",
            field=models.FileField(max_length=255, storage=market.core.storage.private_storage,
                                   upload_to="imports/%Y/%m/"),
        ),
        migrations.RunPython(move_uploaded_files, migrations.RunPython.noop, elidable=True),
    ]
