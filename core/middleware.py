"""The site's own middleware.

- RefuseNulMiddleware: refuse a NUL character in a request's address (core/text.py explains why NUL is refused
  everywhere): PostgreSQL would fail on it inside a query (a 500), SQLite would not; both now answer 400.
- MembersOnlyMiddleware: the page that invites a visitor to log in, for content that is for members.
- NotFoundPageInDebugMiddleware: under DEBUG (`make run`), the site's own 404 page rather than Django's.
- PageCacheMiddleware: visitors' pages from the cache (core/caching.py).
- HealthCheckMiddleware: GET /healthz (core/health.py), first of all, so that a load balancer or the container's
  health check may ask over plain HTTP by any address (no host check, no HTTPS redirect, no session).
- PermissionsPolicyMiddleware: the Permissions-Policy header (Django has no setting for it).
"""

from django.conf import settings
from django.core.exceptions import BadRequest, MiddlewareNotUsed
from django.http import Http404
from django.shortcuts import render
from django.urls import get_resolver

from . import caching, health
from .permissions import ForMembers
from .text import NUL


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or any(NUL in key or NUL in value for key, value in request.GET.items()):
            raise BadRequest("The address contains a NUL character (%00).")
        return self.get_response(request)


class MembersOnlyMiddleware:
    """Answer ForMembers (core.permissions.readable_or_invite) with templates/members_only.html: 403, since the
    page exists and the reader may not read it yet (401 would need an HTTP authentication scheme, 200 would tell
    link checkers and search engines that the content is there); noindex, so that no search engine keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ForMembers):
            return None
        response = render(request, "members_only.html", {"verify_email": exception.verify_email}, status=403)
        response["X-Robots-Tag"] = "noindex"
        return response


class NotFoundPageInDebugMiddleware:
    """Under DEBUG, Django answers a missing page with its technical 404 (the URL patterns, the query that found
    nothing). This answers with the site's own 404 page (handler404), as production does, so that `make run` shows
    what visitors will see. Present only under DEBUG; listed last, so that CommonMiddleware still turns a 404 into
    the APPEND_SLASH redirect. The console still logs each 404 ("Not Found: /path")."""

    def __init__(self, get_response):
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and request.resolver_match is None:  # no URL pattern matched the address
            return self.not_found(request, Http404(request.path))
        return response

    def process_exception(self, request, exception):
        """A view raised Http404 (get_object_or_404, readable_or_invite)."""
        return self.not_found(request, exception) if isinstance(exception, Http404) else None

    def not_found(self, request, exception):
        handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(404)
        return handler(request, exception)


class PageCacheMiddleware:
    """Answer a visitor from the page cache, or keep the page the view made for them (core/caching.py says which
    pages and why). Listed above the security, CSP, static files, session, CSRF and authentication middleware: a
    page is kept with the headers they gave it, and given again without running them; below
    ConditionalGetMiddleware, which answers 304 to a matching If-None-Match. A request over plain HTTP where
    HTTPS is required finds nothing kept under its address (its answer, a redirect, is never kept) and goes on to
    SecurityMiddleware's redirect; an unknown host is refused by the key's `build_absolute_uri`, as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (caching.enabled() and caching.may_serve(request)):
            return self.get_response(request)
        key = caching.key(request)
        response, generation = caching.kept(key)
        if response is None:
            response = self.get_response(request)
            if caching.may_keep(request, response):
                caching.keep(key, generation, response)
        return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz" and request.method in ("GET", "HEAD"):
            return health.healthz()
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """The site uses no camera, microphone, location, payment or other powerful feature: none may be asked for,
    by the site or by anything it frames (it frames nothing)."""

    POLICY = ", ".join(
        f"{feature}=()"
        for feature in (
            "accelerometer",
            "autoplay",
            "browsing-topics",
            "camera",
            "display-capture",
            "encrypted-media",
            "fullscreen",
            "geolocation",
            "gyroscope",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "picture-in-picture",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.POLICY)
        return response
