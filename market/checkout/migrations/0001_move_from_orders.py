# Checkouts and their stock reservations move from the orders app to this one. Only Django's
# idea of them moves here: the tables keep their names (db_table) and rows until 0002 renames
# them.

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('orders', '0002_fulfilment_tracking_customs_documents'),
        ('shipping', '0001_move_from_orders'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Checkout',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('email', models.EmailField(blank=True, max_length=254)),
                        ('currency', models.CharField(max_length=3)),
                        ('shipping_address', models.JSONField(blank=True, default=dict)),
                        ('billing_address', models.JSONField(blank=True, default=dict)),
                        ('shipping_country', models.CharField(blank=True, max_length=2)),
                        ('incoterm', models.CharField(blank=True, choices=[('DAP', 'Delivered at place: duties paid by the buyer on arrival'), ('DDP', 'Delivered duty paid: duties collected at checkout')], max_length=3)),
                        ('exchange_rate', models.DecimalField(blank=True, decimal_places=10, max_digits=20, null=True)),
                        ('exchange_rate_source', models.CharField(blank=True, max_length=64)),
                        ('exchange_rate_valid_at', models.DateTimeField(blank=True, null=True)),
                        ('rate_locked_at', models.DateTimeField(blank=True, null=True)),
                        ('status', models.CharField(choices=[('active', 'Active'), ('completed', 'Completed')], default='active', max_length=16)),
                        ('expires_at', models.DateTimeField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='checkouts', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'orders_checkout',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='CheckoutDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('checkout', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='checkout.checkout')),
                        ('seller', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sellers.seller')),
                        ('shipping_method', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='shipping.shippingmethod')),
                    ],
                    options={
                        'db_table': 'orders_checkoutdelivery',
                    },
                ),
                migrations.CreateModel(
                    name='CheckoutLine',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('quantity', models.PositiveIntegerField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('checkout', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='checkout.checkout')),
                        ('variant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.productvariant')),
                    ],
                    options={
                        'db_table': 'orders_checkoutline',
                        'ordering': ['created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='StockReservation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('quantity', models.PositiveIntegerField()),
                        ('expires_at', models.DateTimeField()),
                        ('checkout', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reservations', to='checkout.checkout')),
                        ('variant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reservations', to='catalog.productvariant')),
                    ],
                    options={
                        'db_table': 'orders_stockreservation',
                    },
                ),
                migrations.AddIndex(
                    model_name='checkout',
                    index=models.Index(fields=['status', 'expires_at'], name='checkout_expiry_idx'),
                ),
                migrations.AddConstraint(
                    model_name='checkoutdelivery',
                    constraint=models.UniqueConstraint(fields=('checkout', 'seller'), name='checkout_delivery_per_seller'),
                ),
                migrations.AddConstraint(
                    model_name='checkoutline',
                    constraint=models.UniqueConstraint(fields=('checkout', 'variant'), name='checkout_line_unique'),
                ),
                migrations.AddConstraint(
                    model_name='checkoutline',
                    constraint=models.CheckConstraint(condition=models.Q(('quantity__gt', 0)), name='checkout_line_positive'),
                ),
                migrations.AddIndex(
                    model_name='stockreservation',
                    index=models.Index(fields=['variant', 'expires_at'], name='stock_reservation_active_idx'),
                ),
                migrations.AddConstraint(
                    model_name='stockreservation',
                    constraint=models.UniqueConstraint(fields=('checkout', 'variant'), name='stock_reservation_unique'),
                ),
                migrations.AddConstraint(
                    model_name='stockreservation',
                    constraint=models.CheckConstraint(condition=models.Q(('quantity__gt', 0)), name='stock_reservation_positive'),
                ),
            ],
            database_operations=[],
        ),
    ]
