"""The storefront's addresses. They are public and indexed: changing one breaks links people
and search engines keep, so they are fixed (issue #11). Under ``i18n_patterns``: English has no
prefix, Azerbaijani is ``/az/…`` and Russian ``/ru/…``."""

from django.urls import path

from market.storefront.views import account, catalogue, shopping, site

app_name = "storefront"

urlpatterns = [
    path("", catalogue.home, name="home"),
    path("products/", catalogue.product_list, name="products"),
    path("products/<slug:slug>/", catalogue.product_detail, name="product"),
    path("categories/<slug:slug>/", catalogue.category_detail, name="category"),
    path("makers/", catalogue.maker_list, name="makers"),
    path("makers/<slug:slug>/", catalogue.maker_detail, name="maker"),
    path("cart/", shopping.cart, name="cart"),
    path("checkout/", shopping.checkout, name="checkout"),
    path("orders/<uuid:token>/", shopping.order_status, name="order"),
    path("account/", account.overview, name="account"),
    path("account/register/", account.register, name="register"),
    path("account/sign-in/", account.sign_in, name="sign_in"),
    path("account/sign-out/", account.sign_out, name="sign_out"),
    path("account/data/", account.your_data, name="account_data"),
    path("account/data/download/", account.data_download, name="account_data_download"),
    path("account/delete/", account.account_delete, name="account_delete"),
    path("account/deleted/", account.account_deleted, name="account_deleted"),
    path("account/forgot-password/", account.password_forgot, name="password_forgot"),
    path("verify-email/", account.verify_email, name="verify_email"),
    path("reset-password/", account.password_reset, name="password_reset"),
    path("preferences/", site.preferences, name="preferences"),
]
