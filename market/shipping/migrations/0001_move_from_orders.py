# The delivery and duty tables move from the orders app to this one. Only Django's idea of
# them moves here: the tables keep their names (db_table) and rows until 0002 renames them.

import django.db.models.deletion
import django_countries.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('orders', '0002_fulfilment_tracking_customs_documents'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DutyCountry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('country', django_countries.fields.CountryField(max_length=2, unique=True)),
                        ('de_minimis_amount', models.DecimalField(decimal_places=2, help_text='No duty at or below this value.', max_digits=14)),
                        ('de_minimis_currency', models.CharField(max_length=3)),
                        ('default_rate', models.DecimalField(decimal_places=3, help_text='Percent, for chapters without their own rate.', max_digits=6)),
                        ('ddp_available', models.BooleanField(default=True, help_text='Buyers may choose DDP (duties collected at checkout).')),
                    ],
                    options={
                        'db_table': 'orders_dutycountry',
                        'verbose_name_plural': 'duty countries',
                        'ordering': ['country'],
                    },
                ),
                migrations.CreateModel(
                    name='ShippingZone',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=80)),
                        ('countries', models.JSONField(default=list, help_text='ISO alpha-2 codes, e.g. ["DE", "FR"].')),
                        ('is_active', models.BooleanField(default=True)),
                    ],
                    options={
                        'db_table': 'orders_shippingzone',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='ShippingMethod',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=80)),
                        ('carrier', models.CharField(blank=True, max_length=80)),
                        ('transit_days_min', models.PositiveSmallIntegerField(default=1)),
                        ('transit_days_max', models.PositiveSmallIntegerField(default=1)),
                        ('is_active', models.BooleanField(default=True)),
                        ('sort_order', models.PositiveIntegerField(default=0)),
                        ('zone', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='methods', to='shipping.shippingzone')),
                    ],
                    options={
                        'db_table': 'orders_shippingmethod',
                        'ordering': ['sort_order', 'name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('transit_days_max__gte', models.F('transit_days_min'))), name='shipping_method_transit_range')],
                    },
                ),
                migrations.CreateModel(
                    name='DutyRate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('hs_chapter', models.CharField(help_text='First two digits of the HS code.', max_length=2)),
                        ('rate', models.DecimalField(decimal_places=3, help_text='Percent.', max_digits=6)),
                        ('duty_country', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rates', to='shipping.dutycountry')),
                    ],
                    options={
                        'db_table': 'orders_dutyrate',
                        'ordering': ['duty_country', 'hs_chapter'],
                        'constraints': [models.UniqueConstraint(fields=('duty_country', 'hs_chapter'), name='duty_rate_chapter_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='ShippingRate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('max_weight_grams', models.PositiveIntegerField()),
                        ('price_amount', models.DecimalField(decimal_places=2, max_digits=14)),
                        ('method', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rates', to='shipping.shippingmethod')),
                    ],
                    options={
                        'db_table': 'orders_shippingrate',
                        'ordering': ['method', 'max_weight_grams'],
                        'constraints': [models.UniqueConstraint(fields=('method', 'max_weight_grams'), name='shipping_rate_band_unique'), models.CheckConstraint(condition=models.Q(('price_amount__gte', 0)), name='shipping_rate_not_negative')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
