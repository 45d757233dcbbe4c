from django.db import migrations, models


class Migration(migrations.Migration):
    """Every app's event rows name what happened ``kind`` (was ``action`` here)."""

    dependencies = [("catalog", "0006_product_import_private_file")]

    operations = [
        migrations.RenameField(model_name="productevent", old_name="action", new_name="kind"),
        migrations.AlterField(
            model_name="productevent",
            name="kind",
            field=models.CharField(help_text="What was done: publish, archive, …", max_length=16),
        ),
    ]
