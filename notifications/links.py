"""Absolute links for emails: tasks have no request, so they start from settings.SITE_URL."""

from urllib.parse import urlsplit

from django.conf import settings


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def site_host():
    return urlsplit(settings.SITE_URL).hostname or "localhost"
