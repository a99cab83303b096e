"""Whether the services the site needs answer: GET /healthz (core.middleware.HealthCheckMiddleware), and the
page visitors get while the database is away (betterway.views.server_error).

/healthz answers 200 when the database answers (the site can serve, with or without its cache) and 503 when it
does not, with a small JSON body naming each service: {"database": "ok", "cache": "unavailable"}. Load
balancers and the container's HEALTHCHECK ask it.
"""

import json
import logging
import uuid

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template.loader import render_to_string

RETRY_AFTER = 30  # seconds, for a visitor's browser and for crawlers while the database is away
CACHE_PROBE_SECONDS = 10


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def cache_answers():
    """A value put in the cache comes back (a Redis that is away forgives the put and gives nothing back)."""
    key, value = "healthz-probe", uuid.uuid4().hex
    try:
        cache.set(key, value, CACHE_PROBE_SECONDS)
        return cache.get(key) == value
    except Exception:  # any cache backend's own failure  # noqa: BLE001
        return False


def healthz():
    status = {
        "database": "ok" if database_answers() else "unavailable",
        "cache": "ok" if cache_answers() else "unavailable",
    }
    response = HttpResponse(
        json.dumps(status), content_type="application/json", status=200 if status["database"] == "ok" else 503
    )
    response["Cache-Control"] = "no-store"
    return response


def database_is_away(exception):
    """Whether `exception` says the database cannot be reached (as opposed to a query that is wrong)."""
    return isinstance(exception, (OperationalError, InterfaceError))


def unavailable_page():
    """The 503 page: made without the database (no request context: no user, no session, no menu queries)."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class OutageInOneLine(logging.Filter):
    """On the django.request logger (settings.LOGGING): a 503 while the database is away is logged as one
    warning line ("Service Unavailable: /notes/"), not an error with a traceback for every request; the first
    line of the cause stays in the message. Other errors are untouched."""

    def filter(self, record):
        if getattr(record, "status_code", None) == 503:
            cause = record.exc_info[1] if record.exc_info else None
            if cause is not None:
                record.msg = f"{record.msg} ({str(cause).splitlines()[0] if str(cause) else type(cause).__name__})"
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
