"""Settings for the Better Way site, read from environment variables.

Development or production is decided by DEBUG, and each entry point says which it is when DEBUG is not set:
`manage.py` (commands on your machine: `make run`, `import_notes`, `createsuperuser`…) is development (DEBUG on,
SQLite in the project folder, a development secret key); the WSGI application (gunicorn, the container) is
production (DEBUG off). The container image sets DEBUG=0, so its `manage.py` is production too.

Production needs SECRET_KEY and ALLOWED_HOSTS (and DATABASE_URL for PostgreSQL) and refuses to start without
them, in one line naming what is missing. README "Configuration" lists every variable; "Deploying" the rest.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if DEBUG and not SECRET_KEY:
    SECRET_KEY = "development-only-not-secret"  # noqa: S105 - only with DEBUG on

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "betterway.views.csrf_failure"  # the site's page: "The form had expired"

if not DEBUG:
    missing = [name for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS)) if not value]
    if missing:
        them = "it" if len(missing) == 1 else "them"
        sys.exit(
            f"Refusing to start: {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set (production "
            f"settings, DEBUG off). Set {them} in the environment, or DEBUG=1 for development."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",  # /sitemap.xml (betterway/sitemaps.py)
    "django.contrib.postgres",  # search on PostgreSQL: full text and trigram lookups (betterway/search.py)
    "taggit",
    "reversion",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",  # two-factor authentication: an authenticator app (TOTP) and recovery codes
    "core",
    "people",
    "cells",
    "insights",
    "discussion",
    "notifications",
    "betterway",
]

MIDDLEWARE = [
    "core.middleware.HealthCheckMiddleware",  # GET /healthz, before the host check and the HTTPS redirect
    "django.middleware.http.ConditionalGetMiddleware",  # 304 to a matching If-None-Match (ETag)
    # Visitors' pages from the cache (core/caching.py), kept with the headers the middleware below gave them:
    # a kept page is answered without running it again (the security headers, the CSP, whitenoise, sessions).
    "core.middleware.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below)
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.MembersOnlyMiddleware",
    "core.middleware.NotFoundPageInDebugMiddleware",  # under DEBUG only; last, for APPEND_SLASH (core/middleware.py)
]

ROOT_URLCONF = "betterway.urls"
WSGI_APPLICATION = "betterway.wsgi.application"

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
                "betterway.context_processors.navigation",
            ],
        },
    },
]

# SQLite in the project folder unless DATABASE_URL is set (PostgreSQL).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, so that psycopg prepares a statement the Nth time a connection runs it
    # (DB_PREPARE_THRESHOLD; 0: never). PostgreSQL then plans it once for every later run (a generic plan) where
    # that plan is as good: the visibility rule's long conditions took 5 ms to plan for under 1 ms of work.
    threshold = int(os.environ.get("DB_PREPARE_THRESHOLD", "5"))
    # No JIT compilation: PostgreSQL compiles a statement it judges costly (over jit_above_cost) before running it,
    # which pays off for long reports, not for a page's queries. A search of a mid-frequency word at 100,000
    # meetings ran in 54 ms and spent 105 ms more compiling (bench/RESULTS.md, 2026-12-03).
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": threshold or None,
        "options": "-c jit=off",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # the Django admin's login
    "allauth.account.auth_backends.AuthenticationBackend",  # the site's login by email
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Accounts (django-allauth): sign up and log in by email, verified before use.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_FORMS = {"login": "people.forms.LoginForm"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[A Better Way] "
# allauth's own rate limits stay on (login failures, password resets, sign-ups, confirmations).

# Two-factor authentication (allauth.mfa) at /accounts/2fa/: any member may turn it on from their profile; staff
# are asked to until they do (betterway.context_processors.navigation), and the admin's login is the site's
# (betterway/urls.py), so it asks for the second factor too.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "A Better Way"

# Email: printed to the console in development; SMTP from the environment in production.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "A Better Way <noreply@example.org>")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"

# The cache holds rate limits (allauth's and ours) and visitors' pages: local memory in development, Redis when
# REDIS_URL is set, so several app servers share it. Its keys start with the database's name, so that two sites
# (or two benchmark archives) sharing one Redis never read each other's pages.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            # A Redis that does not answer within a second is an empty cache, not an error (core/cache.py).
            "BACKEND": "core.cache.ForgivingRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # A member's session is read from the shared cache (written to the database too, and read from there when
    # the cache has lost it or is away): one query less on every page a member opens.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 1000}}}
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", str(DATABASES["default"]["NAME"])[-40:])

# Visitors' pages from the cache (core/caching.py). Local memory is one process's own, so without Redis it is
# on only under DEBUG (`make run` serves from one process); PAGE_CACHE=0 or 1 decides otherwise.
PAGE_CACHE = env_bool("PAGE_CACHE", default=DEBUG or bool(os.environ.get("REDIS_URL")))
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "3600"))
# With Redis, each process also keeps its own copies of the pages it gives, told of each new generation by Redis
# pub/sub (core/copies.py): a page asked for again costs no round trip. At most this many per process; 0: none.
PAGE_CACHE_COPIES = int(os.environ.get("PAGE_CACHE_COPIES", "500"))

# Background work (emails, the bulletin) through Django's tasks API (the django-tasks backport).
# The default keeps the queue in the database: `python manage.py db_worker` runs it (`make run` starts
# one). A deployment with several app servers may set TASKS_BACKEND to another backend, e.g.
# "django_tasks_rq.RQBackend" with django-tasks-rq and Redis (see README).
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":  # several app servers: the queue in Redis (README)
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"]}}

# Emails are sent by tasks, which have no request: their links start with SITE_URL (notifications/).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

TAGGIT_CASE_INSENSITIVE = True
# Every tags field reads its names through the one normalisation (core/tags.py): trimmed, spaces collapsed,
# no markup, length-limited; text without a comma is one topic. (taggit's edit string reads back the same.)
TAGGIT_TAGS_FROM_STRING = "core.tags.parse"

# HTTPS only in production: behind a proxy that says X-Forwarded-Proto (README "Deploying"). /healthz is answered
# before the redirect (core.middleware.HealthCheckMiddleware), so a load balancer may ask over plain HTTP.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Permissions-Policy: nothing powerful (camera, location, payment…) may be asked for (core/middleware.py).

# Content Security Policy (django-csp): scripts and styles only from the site's own files (static/js, static/css),
# never inline; no plugins, no framing, forms post only here. Images may be data: URLs (the QR code of two-factor
# set-up). Pages from the cache keep the header: it is added on the way out, above the page cache.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "filters": {"outage_in_one_line": {"()": "core.health.OutageInOneLine"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # while the database is away, a warning line a request, not a traceback (core/health.py)
        "django.request": {"filters": ["outage_in_one_line"]},
    },
}

# How many items a list page shows before it paginates.
PAGE_SIZE = 20
# How many comments (with their replies) a note's or insight's page shows at a time.
COMMENTS_PER_PAGE = 50
