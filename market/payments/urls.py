from django.urls import path

from market.payments.views import stripe_webhook

urlpatterns = [
    path("", stripe_webhook, name="stripe-webhook"),
]
