# The tables moved from the orders app take this app's own names (shipping_<model>); rows, keys and
# constraints stay as they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('shipping', '0001_move_from_orders'),
        ('orders', '0003_move_checkout_and_shipping_out'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='shippingzone',
            table=None,
        ),
        migrations.AlterModelTable(
            name='shippingmethod',
            table=None,
        ),
        migrations.AlterModelTable(
            name='shippingrate',
            table=None,
        ),
        migrations.AlterModelTable(
            name='dutycountry',
            table=None,
        ),
        migrations.AlterModelTable(
            name='dutyrate',
            table=None,
        ),
    ]
