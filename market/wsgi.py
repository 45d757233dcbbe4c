import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market.settings")
application = get_wsgi_application()

from market.core.checks import refuse_unsafe_production  # noqa: E402

# With DEBUG off, demo secrets never serve a request (gunicorn and runserver load this module).
refuse_unsafe_production()
