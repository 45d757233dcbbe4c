"""The ASGI entry point (``gunicorn -k uvicorn.workers.UvicornWorker market.asgi:application``).

Production serves ``market.wsgi`` (gunicorn.conf.py says why); this one lets the load
benchmark measure an ASGI server with the same code and the same start-up checks."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market.settings")
application = get_asgi_application()

from market.core.checks import refuse_unsafe_production  # noqa: E402

# With DEBUG off, demo secrets never serve a request.
refuse_unsafe_production()
