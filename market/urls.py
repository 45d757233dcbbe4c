from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from market.core.health import healthz, readyz
from market.core.media import serve_media
from market.core.metrics import metrics_view
from market.graphql.schema import schema
from market.graphql.views import MarketGraphQLView
from market.storefront.sitemaps import sitemap_index, sitemap_section
from market.storefront.views.site import robots_txt

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graphql/", MarketGraphQLView.as_view(graphiql=True, schema=schema), name="graphql"),
    path("webhooks/stripe/", include("market.payments.urls")),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap_section, name="sitemap_section"),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
]
# The storefront, last: English at /, Azerbaijani at /az/, Russian at /ru/.
urlpatterns += i18n_patterns(
    path("", include("market.storefront.urls")), prefix_default_language=False
)
handler404 = "market.storefront.views.site.page_not_found"
handler500 = "market.storefront.views.site.server_error"
if settings.MARKET_SERVE_MEDIA:
    # The demo serves uploaded images itself; production puts a web server or a bucket in front
    # (with the same headers: docs/security.md).
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", serve_media))
