"""Refuse a NUL character in a request's address (core/text.py explains why NUL is refused everywhere):
PostgreSQL would fail on it inside a query (a 500), SQLite would not; both now answer 400."""

from django.core.exceptions import BadRequest

from .text import NUL


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or any(NUL in key or NUL in value for key, value in request.GET.items()):
            raise BadRequest("The address contains a NUL character (%00).")
        return self.get_response(request)
