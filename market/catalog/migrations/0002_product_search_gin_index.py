from django.db import migrations


def create_gin_index(apps, schema_editor):
    # Full-text search runs on PostgreSQL only; SQLite keeps its plain fallback.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS product_search_vector_gin "
            "ON catalog_product USING gin (search_vector)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS product_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_gin_index, drop_gin_index)]
