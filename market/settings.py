"""Creative Market settings: everything that differs between machines comes from the environment.

With nothing set, the project runs as the embedded demo: SQLite under ``var/``, an in-process
cache and Celery's file-system broker (no Redis). Setting ``DATABASE_URL`` and ``REDIS_URL`` moves
the same code onto PostgreSQL and Redis. Every variable is listed in docs/configuration.md.
"""

from decimal import Decimal
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("MARKET_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The demo's key is public: with DEBUG off, check --deploy and the servers refuse it.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-demo-key-change-me-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# --- Security -------------------------------------------------------------------------------
# With DEBUG off the defaults are production's: HTTPS only (redirect, HSTS, secure cookies).
# Behind a proxy that ends TLS, DJANGO_SECURE_PROXY_SSL_HEADER names the header it sets
# ("HTTP_X_FORWARDED_PROTO" for X-Forwarded-Proto: https); never set it without such a proxy,
# since a client could then claim HTTPS itself.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers ask for health over plain HTTP, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
_proxy_ssl_header = env.str("DJANGO_SECURE_PROXY_SSL_HEADER", default="")
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Sent with every response. Neither the admin nor GraphiQL (served from our static files) needs
# anything from elsewhere; GraphiQL's stylesheet embeds its fonts as data: URLs.
MARKET_CONTENT_SECURITY_POLICY = env.str(
    "MARKET_CONTENT_SECURITY_POLICY",
    default="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
)
# How many proxies in front of the app append to X-Forwarded-For: the client's address (for
# sign-in limits) is the first hop they did not add. 0: REMOTE_ADDR, the header is ignored.
MARKET_TRUSTED_PROXY_COUNT = env.int("MARKET_TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_countries",
    "django.contrib.sitemaps",
    "django_htmx",
    "graphene_django",
    "market.core",
    "market.accounts",
    "market.sellers",
    "market.catalog",
    "market.payouts",
    "market.payments",
    "market.shipping",
    "market.orders",
    "market.checkout",
    "market.ledger",
    "market.privacy",
    "market.demo",
    "market.storefront",
]

MIDDLEWARE = [
    # First: every response (a refused one too) carries its request id and is timed.
    "market.core.middleware.RequestIdMiddleware",
    "market.core.middleware.RequestMetricsMiddleware",
    # Each request reads the delivery, duty and exchange-rate tables at most once.
    "market.core.middleware.ReferenceMemoMiddleware",
    # Then an oversized body is refused before sessions, authentication or a view read it.
    "market.core.request_limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the app server, compressed and cached forever (hashed names).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The storefront's language: /az/… and /ru/…, else English.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "market.accounts.middleware.BearerTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "market.core.middleware.ContentSecurityPolicyMiddleware",
]
if env.bool("MARKET_QUERY_COUNT_HEADER", default=False):
    # Benchmarks read the number of SQL queries of each request from a response header.
    MIDDLEWARE.insert(0, "market.core.middleware.QueryCountHeaderMiddleware")

ROOT_URLCONF = "market.urls"
WSGI_APPLICATION = "market.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "market.storefront.context_processors.storefront",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL stops any statement of a GraphQL request running longer than this (0: never), so no
# request holds an API process for long. The view sets it for each request and resets it after,
# never for the whole connection: Celery workers and management commands (imports, PDFs,
# migrations) run long statements.
API_STATEMENT_TIMEOUT_MS = env.int("API_STATEMENT_TIMEOUT_MS", default=5000)
# The demo's SQLite is written by the API process and the worker's processes at once. WAL lets
# readers carry on beside the one writer; IMMEDIATE takes the write lock when a transaction
# begins, so a second writer waits for it (the busy timeout, seconds) rather than failing with
# "database is locked" (a deferred transaction that read first cannot wait: SQLite refuses its
# write at once when another wrote in between).
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a Celery worker process in the tests sees the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache and Celery -------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")


def _next_redis_database(url: str) -> str:
    """The same Redis server, next database number: clearing the cache must never flush the
    Celery broker's queues."""
    base, _, number = url.rstrip("/").rpartition("/")
    if number.isdigit() and base.count("/") >= 2:
        return f"{base}/{int(number) + 1}"
    return f"{url.rstrip('/')}/1"


def filesystem_broker_options(folder: Path) -> dict:
    """kombu's file-system transport with its messages and control files under ``folder``."""
    return {
        "data_folder_in": str(folder / "broker"),
        "data_folder_out": str(folder / "broker"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


# On Redis, a message taken by a worker that then died (killed, its machine lost) is handed to
# another worker once it has been unacknowledged this long: above the hard time limit, so that no
# live task is ever handed out twice, and short, so that a killed worker's tasks resume within a
# minute. Workers look for such messages every few seconds (kombu's default is every 100 s), at
# one small Redis query each time.
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=60)
if REDIS_URL:
    _cache_url = env.str("REDIS_CACHE_URL", default=_next_redis_database(REDIS_URL))
    _redis_cache = {
        "BACKEND": "market.core.redis_cache.RedisCache",
        # Kept readings of the catalogue and the reference tables hold one database's rows:
        # two environments (staging and a benchmark, say) sharing a Redis never read each
        # other's.
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default=str(DATABASES["default"]["NAME"])),
        # A cache that does not answer must not hold a request: short timeouts, and
        # market.core.cache falls back to process memory (logged) until it answers again.
        "OPTIONS": {
            "socket_connect_timeout": env.float("REDIS_CACHE_TIMEOUT", default=0.5),
            "socket_timeout": env.float("REDIS_CACHE_TIMEOUT", default=0.5),
        },
    }
    CACHES = {
        "default": {**_redis_cache, "LOCATION": _cache_url},
        # The sign-in and e-mail limits' counters. A cache may drop anything, and anyone can
        # fill it with new catalogue answers: these belong on a Redis that never evicts
        # (docs/production.md). By default, REDIS_URL's server, next database: the cache's own
        # until REDIS_CACHE_URL moves the cache to a Redis of its own, and then left behind.
        "limits": {
            **_redis_cache,
            "LOCATION": env.str("REDIS_LIMITS_URL", default=_next_redis_database(REDIS_URL)),
        },
    }
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "limits": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "limits",
        },
    }
    # The embedded demo: kombu's file-system transport is a real broker that needs no server.
    # API process and worker exchange messages through files under var/celery/.
    # The test run has folders of its own (tests/settings.py): a demo's worker must never take
    # the tests' tasks, nor the tests purge the demo's queue.
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# Each broker's own options, chosen by the URL's scheme (Redis or RabbitMQ may carry the queues
# whatever REDIS_URL says; docs/production.md compares them).
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis has no acknowledgements of its own: a message taken by a worker that dies unacked
    # is handed out again once CELERY_BROKER_VISIBILITY_TIMEOUT seconds have passed since it was
    # taken (above the hard time limit; imports work in slices). Each worker looks for such
    # messages every 10 s (kombu's default looks every 100 s), a small sorted-set read.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
        "unacked_restore_interval": max(1, min(10, CELERY_BROKER_VISIBILITY_TIMEOUT // 6)),
        "unacked_restore_throttle": 1,
    }
elif CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR / "celery")
else:
    # RabbitMQ (amqp://) re-delivers a worker's unacknowledged messages as soon as its
    # connection drops: nothing to set.
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
# After the cache failed to answer, each process uses its own memory this long before asking it
# again (market.core.cache).
REDIS_CACHE_RETRY_SECONDS = env.float("REDIS_CACHE_RETRY_SECONDS", default=5.0)
# Anonymous catalogue answers kept in Redis (market.core.catalogue_cache): dropped as soon as
# what they show changes; this lifetime is only the safety net. 0 turns them off; without Redis
# they are off (one process's memory cannot hear of another process's stock change).
# /readyz asks the database, broker and cache at most this often per process (it is public).
READYZ_CACHE_SECONDS = env.float("READYZ_CACHE_SECONDS", default=1.0)
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", default=60 if REDIS_URL else 0)
# Readings of the delivery, duty and exchange-rate tables kept in Redis
# (market.core.reference_cache): dropped as soon as a row of them changes; this lifetime is only
# the safety net. 0 turns them off; without Redis they are off.
REFERENCE_CACHE_SECONDS = env.int("REFERENCE_CACHE_SECONDS", default=600 if REDIS_URL else 0)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# The workers log through LOGGING like the API (workers/app.py), not Celery's own set-up.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A task that hangs (a stuck socket, a runaway loop) is stopped: SoftTimeLimitExceeded at the
# soft limit (its transaction rolls back), the process killed at the hard one (the message is
# re-delivered, every task being safe to run twice). Prefork pool only; the threads pool that
# pays sellers relies on the Stripe client's own timeouts. The hard limit stays below the
# broker's visibility timeout; long work (CSV imports) is done in runs that each end well
# within the soft limit and queue the next.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=40)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=50)
# Paying sellers waits on Stripe's API, not on the CPU: its tasks have a queue of their own, so
# that production can serve it with a threaded worker (docs/operations.md). A worker
# started without -Q consumes both queues, so nothing needs it in the demo or the tests.
# Celery's Django fix-up closes every database connection before and after each task unless
# this is set: a new PostgreSQL connection (a backend forked) per payout. Workers instead treat a
# task like a request (workers/app.py): DATABASE_CONN_MAX_AGE and health checks decide, and the
# fix-up closes all connections only every this many tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES: dict[str, dict[str, str]] = {"celery": {}, "payouts": {}}
CELERY_TASK_ROUTES = {"payouts.*": {"queue": "payouts"}}

# --- Outbox: tasks are recorded with the change that needs them (market/core/tasks.py) --------
# Publishing right after the commit waits at most this long for the broker (seconds); when it
# does not answer, the row stays for the relay and the request still succeeds.
OUTBOX_PUBLISH_TIMEOUT_SECONDS = env.float("OUTBOX_PUBLISH_TIMEOUT_SECONDS", default=1.0)
# The relay (a thread in each worker and in beat) looks for unsent rows this often, leaving
# rows younger than the grace period to the publish after the commit.
OUTBOX_RELAY_INTERVAL_SECONDS = env.float("OUTBOX_RELAY_INTERVAL_SECONDS", default=1.0)
OUTBOX_RELAY_GRACE_SECONDS = env.float("OUTBOX_RELAY_GRACE_SECONDS", default=5.0)
OUTBOX_RELAY_BATCH = 100
# Rows published this long ago that no worker has begun were lost in the broker (a Redis
# restarted without persistence): the sweep below hands them back to the relay.
OUTBOX_RESEND_AFTER_SECONDS = env.float("OUTBOX_RESEND_AFTER_SECONDS", default=900.0)
# Published rows are deleted this many days after they were published (the nightly job).
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)

from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    # Carriers we can ask are polled for news of shipped parcels.
    "poll-tracking": {"task": "fulfilment.poll_tracking", "schedule": crontab(minute="*/30")},
    # The bank publishes the day's rates in the morning; 06:00 UTC is 10:00 in Baku (UTC+4).
    "refresh-exchange-rates": {
        "task": "core.refresh_exchange_rates",
        "schedule": crontab(hour=6, minute=0),
    },
    # Stock held by abandoned checkouts goes back on sale within a minute of its expiry.
    "release-expired-reservations": {
        "task": "orders.release_expired_reservations",
        "schedule": 60.0,
    },
    # Sign-ins whose every refresh token has expired are forgotten.
    "purge-refresh-tokens": {
        "task": "accounts.purge_refresh_tokens",
        "schedule": crontab(hour=2, minute=30),
    },
    "delete-expired-checkouts": {
        "task": "orders.delete_expired_checkouts",
        "schedule": crontab(minute=17),
    },
    # Payouts: parts past their hold period become payouts at 07:00 Baku time; the bank's file
    # follows an hour later; the sweeper re-queues payouts a killed worker left behind.
    "payouts-create-due": {
        "task": "payouts.create_due",
        "schedule": crontab(hour=3, minute=0),
    },
    "payouts-bank-batch": {
        "task": "payouts.bank_batch",
        "schedule": crontab(hour=4, minute=0),
    },
    "stripe-events-sweep": {"task": "payments.sweep_stripe_events", "schedule": 300.0},
    # Refunds asked for but never sent to the gateway (a lost message, a killed worker).
    "refunds-sweep": {"task": "payments.sweep_refunds", "schedule": 300.0},
    "payouts-sweep": {
        "task": "payouts.sweep",
        "schedule": 300.0,
    },
    # Published outbox messages no worker began within OUTBOX_RESEND_AFTER_SECONDS (lost in the
    # broker) are published again.
    "outbox-resend-unstarted": {"task": "core.outbox_resend_unstarted", "schedule": 300.0},
    # Published outbox rows older than OUTBOX_KEEP_DAYS are deleted.
    "outbox-purge": {"task": "core.outbox_purge", "schedule": crontab(hour=1, minute=40)},
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("az", "Azərbaycanca"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "market" / "storefront" / "locale"]
TIME_ZONE = "Asia/Baku"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
# Production serves collected, hashed and compressed files through WhiteNoise (collectstatic);
# the demo and the tests serve them from the apps' folders as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise looks there at start
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MARKET_SERVE_MEDIA = env.bool("MARKET_SERVE_MEDIA", default=DEBUG)
# Private files (sellers' application documents, customs papers, bulk-listing CSVs): never under
# MEDIA_ROOT, never served; staff download them through the admin.
MARKET_PRIVATE_MEDIA_ROOT = env.str("MARKET_PRIVATE_MEDIA_ROOT", default="") or None

# --- Accounts -------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
JWT_ACCESS_TOKEN_TTL_SECONDS = env.int("JWT_ACCESS_TOKEN_TTL_SECONDS", default=15 * 60)
JWT_REFRESH_TOKEN_TTL_SECONDS = env.int("JWT_REFRESH_TOKEN_TTL_SECONDS", default=30 * 24 * 3600)
# Failed sign-ins (the API's tokenCreate and the admin's login alike) are counted per client
# address and per account from that address, in a window that opens at the first failure: an
# address over its limit is refused for any account, an account only from the address that
# failed, so its owner still signs in from elsewhere.
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_MAX_FAILURES_PER_CLIENT = env.int("LOGIN_MAX_FAILURES_PER_CLIENT", default=20)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
# E-mails anyone may make us send (password reset, registration, verification link again): at
# most this many per e-mail address asked for and per client address in the window.
ACCOUNT_EMAILS_MAX_PER_RECIPIENT = env.int("ACCOUNT_EMAILS_MAX_PER_RECIPIENT", default=5)
ACCOUNT_EMAILS_MAX_PER_CLIENT = env.int("ACCOUNT_EMAILS_MAX_PER_CLIENT", default=10)
ACCOUNT_EMAILS_WINDOW_SECONDS = env.int("ACCOUNT_EMAILS_WINDOW_SECONDS", default=3600)
# Links in e-mails (verification, password reset, Stripe onboarding return) point here.
MARKET_STOREFRONT_URL = env.str("MARKET_STOREFRONT_URL", default="http://127.0.0.1:8000")

# --- E-mail: printed to the console unless EMAIL_URL names an SMTP server --------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Creative Market <market@localhost>")

# --- Stripe ---------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_local")
# Stripe.js's key for the storefront's Payment Element (pk_…); with PAYMENT_GATEWAY=stripe the
# payment step needs it, and only then does the page load js.stripe.com.
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_local")
# Stripe signs the events of connected accounts (account.updated, payout.*) sent to a Connect
# endpoint with that endpoint's own secret; both endpoints may point at /webhooks/stripe/.
STRIPE_CONNECT_WEBHOOK_SECRET = env.str("STRIPE_CONNECT_WEBHOOK_SECRET", default="")
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300)
# A webhook body is refused before it is parsed when larger (413) or nested deeper (400): Stripe's
# events are tens of kilobytes and about ten levels deep.
STRIPE_WEBHOOK_MAX_BYTES = env.int("STRIPE_WEBHOOK_MAX_BYTES", default=1024 * 1024)
STRIPE_WEBHOOK_MAX_DEPTH = env.int("STRIPE_WEBHOOK_MAX_DEPTH", default=32)
# Every Stripe call gives up after STRIPE_TIMEOUT_SECONDS and is sent again, with the same
# idempotency key, up to STRIPE_MAX_NETWORK_RETRIES times (after a timeout, a lost connection, a
# 409 or a 5xx): at the defaults one call ends within about 32 seconds even when Stripe does
# not answer at all, and a buyer's payment (a PaymentIntent made, then confirmed) within a minute.
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=10.0)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# A stored event not processed after this long is queued again (its message was lost).
STRIPE_EVENT_SWEEP_AFTER_SECONDS = env.int("STRIPE_EVENT_SWEEP_AFTER_SECONDS", default=300)
STRIPE_EVENT_SWEEP_BATCH = 500
# Unset in production (the SDK talks to Stripe); tests point it at a local Stripe-compatible server.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
STRIPE_CONNECT_COUNTRY_DEFAULT = env.str("STRIPE_CONNECT_COUNTRY_DEFAULT", default="AZ")

# --- Payments -------------------------------------------------------------------------------
# The gateway buyers pay through: "dummy" (the demo: test cards, no money moves) or "stripe".
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="dummy")
# The gateways a buyer may name; never list "dummy" in production (it takes no money).
PAYMENT_GATEWAYS = env.list("PAYMENT_GATEWAYS", default=[PAYMENT_GATEWAY])
# With DEBUG off, check --deploy and the servers refuse payments that take no money (the dummy
# gateway, Stripe test-mode keys) unless this says the deployment is a staging demo (warnings).
PAYMENT_ALLOW_TEST_PAYMENTS = env.bool("PAYMENT_ALLOW_TEST_PAYMENTS", default=False)

# --- Payouts --------------------------------------------------------------------------------
# Days after delivery before a seller's part is paid out (returns and disputes come first).
PAYOUT_HOLD_DAYS = env.int("PAYOUT_HOLD_DAYS", default=14)
# A payout pending or processing longer than this is re-queued by the sweeper.
PAYOUT_SWEEP_AFTER_SECONDS = env.int("PAYOUT_SWEEP_AFTER_SECONDS", default=300)
# Failed Stripe attempts before a payout is marked failed for staff to look at.
PAYOUT_MAX_ATTEMPTS = env.int("PAYOUT_MAX_ATTEMPTS", default=5)
# A refund not sent to the gateway this long after it was asked for (or last tried) is re-queued
# by the sweeper; after this many attempts that the gateway did not answer it is failed.
REFUND_SWEEP_AFTER_SECONDS = env.int("REFUND_SWEEP_AFTER_SECONDS", default=300)
REFUND_MAX_ATTEMPTS = env.int("REFUND_MAX_ATTEMPTS", default=5)
# The platform's own account, the debtor of the bank's pain.001 batch files (demo defaults).
BANK_DEBTOR_NAME = env.str("BANK_DEBTOR_NAME", default="Creative Market LLC")
BANK_DEBTOR_IBAN = env.str("BANK_DEBTOR_IBAN", default="AZ37NABZ01350100000000001944")
BANK_DEBTOR_BIC = env.str("BANK_DEBTOR_BIC", default="NABZAZ2X")
# Batch files hold sellers' IBANs: beside MEDIA_ROOT, never served (default: var/bank-files).
PAYOUT_BANK_FILES_ROOT = env.str("PAYOUT_BANK_FILES_ROOT", default="") or None

# --- Checkout -------------------------------------------------------------------------------
CHECKOUT_RESERVATION_SECONDS = env.int("CHECKOUT_RESERVATION_SECONDS", default=20 * 60)
CHECKOUT_LIFETIME_SECONDS = env.int("CHECKOUT_LIFETIME_SECONDS", default=7 * 24 * 3600)
CHECKOUT_MAX_LINE_QUANTITY = env.int("CHECKOUT_MAX_LINE_QUANTITY", default=50)
CHECKOUT_MAX_LINES = env.int("CHECKOUT_MAX_LINES", default=100)
MARKET_DOMESTIC_COUNTRY = env.str("MARKET_DOMESTIC_COUNTRY", default="AZ")
MARKET_DOMESTIC_VAT_RATE = env.str("MARKET_DOMESTIC_VAT_RATE", default="18")  # percent, included
CBAR_RATES_URL = env.str("CBAR_RATES_URL", default="https://www.cbar.az/currencies/{date}.xml")
EXCHANGE_RATES_STALE_AFTER_HOURS = env.int("EXCHANGE_RATES_STALE_AFTER_HOURS", default=48)

# AZN per SDR for choosing CN22 or CN23 when no XDR/SDR rate is stored.
CUSTOMS_SDR_RATE_AZN = env.str("CUSTOMS_SDR_RATE_AZN", default="2.38")

# --- Uploads --------------------------------------------------------------------------------
MARKET_MAX_IMAGE_BYTES = env.int("MARKET_MAX_IMAGE_BYTES", default=10 * 1024 * 1024)
# Width × height, read from an image's header before anything is decoded (a few KB of PNG can
# declare gigabytes of pixels). Pillow's own bomb guard is set from it too (market/core/images.py).
MARKET_MAX_IMAGE_PIXELS = env.int("MARKET_MAX_IMAGE_PIXELS", default=40_000_000)
MARKET_MAX_DOCUMENT_BYTES = env.int("MARKET_MAX_DOCUMENT_BYTES", default=10 * 1024 * 1024)
MARKET_MAX_IMPORT_BYTES = env.int("MARKET_MAX_IMPORT_BYTES", default=5 * 1024 * 1024)
# A request body larger than this is refused (413, request_too_large) before anything reads it,
# sessions and authentication included: by default the largest file the API accepts plus room
# for the multipart envelope (the operation and its variables).
MARKET_MAX_REQUEST_BYTES = env.int("MARKET_MAX_REQUEST_BYTES", default=0) or (
    max(MARKET_MAX_IMAGE_BYTES, MARKET_MAX_DOCUMENT_BYTES, MARKET_MAX_IMPORT_BYTES) + 512 * 1024
)
# Django's own caps for what it parses (JSON bodies, form fields) follow the same figure.
DATA_UPLOAD_MAX_MEMORY_SIZE = MARKET_MAX_REQUEST_BYTES

# --- Marketplace ----------------------------------------------------------------------------
MARKET_BASE_CURRENCY = env.str("MARKET_BASE_CURRENCY", default="AZN")
MARKET_CURRENCIES = env.list(
    "MARKET_CURRENCIES",
    default=["AZN", "USD", "EUR", "GBP", "TRY", "RUB", "GEL", "AED", "CNY", "JPY"],
)
# The platform's fee, percent of the goods; a category may override it (ledger.CategoryCommission).
MARKET_COMMISSION_RATE = env.str("MARKET_COMMISSION_RATE", default="10")
MARKET_THUMBNAIL_SIZE = env.int("MARKET_THUMBNAIL_SIZE", default=320)
MARKET_DEMO_MIN_PRICE = Decimal("5")

# --- GraphQL --------------------------------------------------------------------------------
GRAPHENE = {
    "SCHEMA": "market.graphql.schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": env.int("GRAPHQL_MAX_PAGE_SIZE", default=100),
    "RELAY_CONNECTION_ENFORCE_FIRST_OR_LAST": False,
}
GRAPHQL_MAX_PAGE_SIZE = GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"]
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=10)
GRAPHQL_MAX_COST = env.int("GRAPHQL_MAX_COST", default=50_000)
# Parsing stops after this many tokens: refusing a huge document must not cost reading it all.
GRAPHQL_MAX_TOKENS = env.int("GRAPHQL_MAX_TOKENS", default=2_000)
GRAPHQL_MAX_ALIASES = env.int("GRAPHQL_MAX_ALIASES", default=30)
GRAPHQL_MAX_ROOT_FIELDS = env.int("GRAPHQL_MAX_ROOT_FIELDS", default=15)
# Production does not describe its schema to strangers: no __schema/__type, no GraphiQL, no
# "Did you mean …?" in errors. The published contract is graphql/schema.graphql.
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", default=DEBUG)
GRAPHQL_GRAPHIQL = env.bool("GRAPHQL_GRAPHIQL", default=GRAPHQL_INTROSPECTION)
GRAPHQL_FIELD_SUGGESTIONS = env.bool("GRAPHQL_FIELD_SUGGESTIONS", default=DEBUG)

# --- Logs and metrics -----------------------------------------------------------------------
# "json": one JSON object per line (time, level, logger, message, request id, task), for a log
# collector; "text": for people reading a terminal. The workers use the same (workers/app.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
# Take a request's id from the X-Request-ID it came with (when it looks safe) instead of making
# one: only behind a load balancer that sets that header itself. Anyone can send it, and the id
# lands in the personal-data audit log, whose rows must not carry a name the client chose.
REQUEST_ID_FROM_HEADER = env.bool("REQUEST_ID_FROM_HEADER", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "market.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "market.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
# /metrics answers a request carrying "Authorization: Bearer <METRICS_TOKEN>". Unset: only
# local requests with DEBUG on (the demo); nobody with DEBUG off.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
