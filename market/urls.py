from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from market.core.media import serve_media
from market.graphql.schema import schema
from market.graphql.views import MarketGraphQLView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graphql/", MarketGraphQLView.as_view(graphiql=True, schema=schema), name="graphql"),
    path("webhooks/stripe/", include("market.payments.urls")),
]
if settings.MARKET_SERVE_MEDIA:
    # The demo serves uploaded images itself; production puts a web server or a bucket in front
    # (with the same headers: docs/security.md).
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", serve_media))
