# The tables moved from the orders app take this app's own names (checkout_<model>); rows, keys and
# constraints stay as they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('checkout', '0001_move_from_orders'),
        ('orders', '0003_move_checkout_and_shipping_out'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='checkout',
            table=None,
        ),
        migrations.AlterModelTable(
            name='checkoutline',
            table=None,
        ),
        migrations.AlterModelTable(
            name='checkoutdelivery',
            table=None,
        ),
        migrations.AlterModelTable(
            name='stockreservation',
            table=None,
        ),
    ]
