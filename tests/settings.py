"""The test run's settings: the project's own, but for the file-system broker's folders.

``make run`` and ``make test`` may run in the same checkout at once; with one broker folder
the demo's worker would take the tests' tasks (and the worker tests' purge would empty the
demo's queue). On Redis, the URL given to the tests keeps them apart already.
"""

from market.settings import *  # noqa: F403
from market.settings import REDIS_URL, VAR_DIR, filesystem_broker_options

if not REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR / "celery-tests")
