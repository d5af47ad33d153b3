"""Settings for the OpML program site.

One module, driven by environment variables, with safe local defaults: with nothing set you get
DEBUG on and SQLite in the checkout. Production sets at least SECRET_KEY, DEBUG=false,
ALLOWED_HOSTS and DATABASE_URL (docs/operators/production.md).
"""

import ipaddress
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    """Read a comma-separated environment variable into a list, dropping blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Origins that may show a conference's compact program (/<conference>/embed/) in an <iframe>,
# e.g. "https://www.usenix.org,https://opml.example.com"; it goes into that page's CSP
# frame-ancestors, and every other page refuses to be framed. Each must be a bare origin: the
# value is written into a header, so anything else would be a way to rewrite the policy.
EMBED_ALLOWED_ORIGINS = env_list("EMBED_ALLOWED_ORIGINS")
for origin in EMBED_ALLOWED_ORIGINS:
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
        raise ImproperlyConfigured(
            f"EMBED_ALLOWED_ORIGINS: {origin!r} is not an origin such as https://example.org."
        )

# The domain that qualifies calendar UIDs and absolute links in feeds and sitemaps.
SITE_DOMAIN = os.environ.get("SITE_DOMAIN", "opml.example.org")
# Days a withdrawn session or talk stays in calendar feeds as CANCELLED before it is left out.
CALENDAR_WITHDRAWN_GRACE_DAYS = int(os.environ.get("CALENDAR_WITHDRAWN_GRACE_DAYS", "30"))
# "My picks" (program/picks.py): new lists per client IP per hour, and the days after which a
# list nobody edited or read is deleted by `manage.py expire_picks`.
PICKS_CREATE_PER_HOUR = int(os.environ.get("PICKS_CREATE_PER_HOUR", "20"))
PICKS_EXPIRE_DAYS = int(os.environ.get("PICKS_EXPIRE_DAYS", "180"))

# The site's name, in the admin's header and in e-mails to speakers.
SITE_NAME = os.environ.get("SITE_NAME", "OpML program")

# Speakers' own page (selfservice/): days a personal link stays valid, and requests a client may
# make to the page in an hour (its link, its form) before it is asked to wait.
SPEAKER_LINK_DAYS = int(os.environ.get("SPEAKER_LINK_DAYS", "14"))
SPEAKER_PAGE_REQUESTS_PER_HOUR = int(os.environ.get("SPEAKER_PAGE_REQUESTS_PER_HOUR", "120"))

# E-mail (the links sent to speakers), through Django's mail API. In development it is printed
# on the console (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend with
# EMAIL_FILE_PATH writes files instead); in production, SMTP with the EMAIL_* variables below
# (docs/committee/speaker-links.md).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "program@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "program",
    "speakers",
    "selfservice",
]

MIDDLEWARE = [
    # First, so that it compresses what the others produce (public HTML, feeds, exports); the
    # public cache hands over responses already compressed, and the admin is left alone.
    "program.caching.GZipPublicMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside the public cache, which keeps only a few of a page's headers (program/caching.py),
    # like the two policies above: every response, cached or not, carries it.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Lets browser apps read /api/ from other origins (CORS_* below); before CommonMiddleware.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    # POST, PUT, PATCH, DELETE to public pages, feeds, exports: 405 before CSRF's 403.
    "program.readonly.ReadOnlyPagesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Public pages and feeds from the cache, under the program's version (program/caching.py).
    "program.caching.PublicCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Writes (non-GET requests) record the program's revisions once, in their transaction.
    "program.revisions.RecordChangesMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opml.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "opml.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Safe for a small team: readers never block the writer (WAL), writers take the lock when
    # their transaction begins rather than failing half-way (IMMEDIATE), and wait up to 20 s
    # for each other instead of answering "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# The public response cache (program/caching.py). With REDIS_URL, Redis, shared by every
# process; without, an in-process cache that needs no server (each process keeps its own, and
# checks the program's version in the database on every request, so none serves a stale page).
# Redis is reached through program/degrading_cache.py: while it is unreachable, pages are served
# uncached from the database rather than failing, and it is tried again every
# CACHE_RETRY_SECONDS; the socket timeouts bound what one attempt can cost a request.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "program.degrading_cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "opml",
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("CACHE_CONNECT_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("CACHE_TIMEOUT", "1")),
                "RETRY_AFTER": float(os.environ.get("CACHE_RETRY_SECONDS", "5")),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "opml-public",
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    }

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploads (conference images and their shared-link copies, speakers' photos in a few sizes).
# Django serves them with DEBUG on; in production the proxy serves MEDIA_ROOT at /media/
# (docs/operators/production.md), or an object store does (docs/committee/speaker-links.md).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content-Security-Policy (django-csp) on every response, the admin's included: everything the
# site loads is its own, and no inline script or style runs. The JSON-LD blocks are data, which
# browsers never run, so they need no nonce; no nonce is used at all, since public pages are
# cached and shared (a nonce must be new for every response). Django's admin needs nothing more:
# its scripts are files and it writes no inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the icons Swagger UI's stylesheet draws (the API's doc page). A per-view
        # addition would be lost: the public cache rebuilds responses (program/caching.py).
        # An image cannot run script, so this opens nothing to injection.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Permissions-Policy (django-permissions-policy): the site uses none of these browser features,
# so no page, nor anything injected into one, may ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords in a row for one
# username from one address, that pair is refused for the cool-off time, whether or not the
# user exists; a successful sign-in resets the count. Attempts are kept in the database.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Locks are read and lifted with its commands (docs/operators/security.md), not in the admin: its
# pages would be one more surface, and its list filter does not follow the admin's conventions.
AXES_ENABLE_ADMIN = False
# And AXES_ADDRESS_FAILURE_LIMIT wrong passwords from one address, whatever the usernames
# (password spraying), lock that address out for the cool-off time (program/clients.py).
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_HANDLER = "program.clients.AddressLimitHandler"
# Behind N proxies that each append to X-Forwarded-For, the client is the Nth address from the
# right; without this every client would share the proxy's address. One function reads it
# (program/clients.py, `client_address`) for every per-client limit: sign-in, picks, the API.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "program.clients.client_address"

# Request sizes, written out rather than left implicit. Forms (the admin's) may send 2.5 MB of
# fields: a program import is at most 2 MB (program/forms.py), carried back as a form field from
# the dry run to the apply step. Uploads larger than that go to a temporary file, and a form may
# carry at most 1,000 fields and 10 files.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# The read-only JSON API under /api/ (docs/integrators/api.md; program/api.py). It is the
# public view:
# no authentication, so drafts never show, even to logged-in staff; JSON only (the doc page at
# /api/docs/ replaces DRF's browsable API); any origin may read it, without credentials.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# Requests per minute to the API's endpoints from one client (program/api.py), counted in the
# cache; responses the public cache serves are not counted.
API_REQUESTS_PER_MINUTE = int(os.environ.get("API_REQUESTS_PER_MINUTE", "600"))
SPECTACULAR_SETTINGS = {
    "TITLE": "OpML program API",
    "DESCRIPTION": "The published program, read-only: conferences, days, sessions, talks, "
    "speakers and organisations. Drafts never appear.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "program.api.url_or_empty_as_any_of",
    ],
}
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-modified-since", "if-none-match"]
CORS_EXPOSE_HEADERS = ["ETag"]

# Production hardening: on whenever DEBUG is off, so `manage.py check --deploy` is clean.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

# --- Running as a fleet (issue 22; docs/operators/deployment.md) ------------------------------
# Kept in one block: health endpoints, Prometheus metrics, request ids and JSON logs.
INSTALLED_APPS += ["django_prometheus", "ops"]
MIDDLEWARE = [
    # Outermost: times the whole request, the public cache's hits included.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Next, so that every log line of the request, from any middleware, carries its id.
    "ops.requestid.RequestIdMiddleware",
    *MIDDLEWARE[:-1],
    # Labels requests by view; before django-axes, which must stay last.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    MIDDLEWARE[-1],
]
# Database query counts (and errors) on PostgreSQL, the production database, through
# django-prometheus's wrapper of the same backend (`connection.vendor` is unchanged). SQLite, the
# one-process development default, keeps Django's own engine: tools that recognise SQLite by its
# engine's name (pytest-django's per-worker test databases) then still do.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"
# /metrics answers these networks (the client's address as TRUSTED_PROXY_COUNT reads it), or any
# request bearing METRICS_TOKEN; the load balancer's public side refuses /metrics anyway.
METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(network)
    for network in env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
]
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# A fleet shares Redis: with REDIS_URL set, no cache may be a per-process one (tests check it).
# One JSON object per line (LOG_FORMAT=json, the default with DEBUG off), each with the request's
# id; LOG_FORMAT=text for plain lines.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "ops.logs.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
