"""A deployment without SITE_URL would send emails whose links lead nowhere."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def site_url_is_set(app_configs, **kwargs):
    if getattr(settings, "SITE_URL", ""):
        return []
    return [
        checks.Warning(
            "SITE_URL is not set: links in emails (notes, unsubscribe) would be relative.",
            hint="Set SITE_URL to the site's address, e.g. https://betterway.example",
            id="notifications.W001",
        )
    ]
