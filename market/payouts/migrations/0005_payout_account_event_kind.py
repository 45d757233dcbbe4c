from django.db import migrations


class Migration(migrations.Migration):
    """Every app's event rows name what happened ``kind`` (was ``type`` here)."""

    dependencies = [("payouts", "0004_bank_batch_sent")]

    operations = [
        migrations.RenameField(model_name="payoutaccountevent", old_name="type", new_name="kind"),
    ]
