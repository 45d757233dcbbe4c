# Checkouts went to the checkout app, the delivery and duty tables to the shipping app (their
# 0001 migrations). Here the orders app lets go of them: Django forgets the old models (the
# tables stay, renamed later by checkout 0002 and shipping 0002), and their content types are
# relabelled, so that the permissions granted on them and the admin's history follow.

from django.db import migrations

MOVED = {
    'shipping': ['shippingzone', 'shippingmethod', 'shippingrate', 'dutycountry', 'dutyrate'],
    'checkout': ['checkout', 'checkoutline', 'checkoutdelivery', 'stockreservation'],
}


def _relabel(apps, *, forward):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    for app_label, models in MOVED.items():
        source, target = ('orders', app_label) if forward else (app_label, 'orders')
        for model in models:
            moving = ContentType.objects.filter(app_label=source, model=model)
            if not moving.exists():
                continue  # a fresh database: post_migrate creates the content types later
            # A content type already under the target label was made by an earlier migrate
            # (there and back again) and holds only its default permissions: the moving one
            # carries the grants and the history, so it wins.
            ContentType.objects.filter(app_label=target, model=model).delete()
            moving.update(app_label=target)


def content_types_forward(apps, schema_editor):
    _relabel(apps, forward=True)


def content_types_backward(apps, schema_editor):
    _relabel(apps, forward=False)


class Migration(migrations.Migration):

    dependencies = [
        ('admin', '0003_logentry_add_action_flag_choices'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('checkout', '0001_move_from_orders'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('orders', '0002_fulfilment_tracking_customs_documents'),
        ('shipping', '0001_move_from_orders'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='stockreservation',
                    name='checkout',
                ),
                migrations.RemoveField(
                    model_name='checkoutdelivery',
                    name='checkout',
                ),
                migrations.RemoveField(
                    model_name='checkoutline',
                    name='checkout',
                ),
                migrations.RemoveField(
                    model_name='checkoutdelivery',
                    name='seller',
                ),
                migrations.RemoveField(
                    model_name='checkoutdelivery',
                    name='shipping_method',
                ),
                migrations.RemoveField(
                    model_name='checkoutline',
                    name='variant',
                ),
                migrations.RemoveField(
                    model_name='dutyrate',
                    name='duty_country',
                ),
                migrations.RemoveField(
                    model_name='shippingmethod',
                    name='zone',
                ),
                migrations.RemoveField(
                    model_name='shippingrate',
                    name='method',
                ),
                migrations.RemoveField(
                    model_name='stockreservation',
                    name='variant',
                ),
                migrations.DeleteModel(
                    name='Checkout',
                ),
                migrations.DeleteModel(
                    name='CheckoutDelivery',
                ),
                migrations.DeleteModel(
                    name='CheckoutLine',
                ),
                migrations.DeleteModel(
                    name='DutyCountry',
                ),
                migrations.DeleteModel(
                    name='DutyRate',
                ),
                migrations.DeleteModel(
                    name='ShippingZone',
                ),
                migrations.DeleteModel(
                    name='ShippingMethod',
                ),
                migrations.DeleteModel(
                    name='ShippingRate',
                ),
                migrations.DeleteModel(
                    name='StockReservation',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
