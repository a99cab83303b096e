from django.apps import AppConfig


class BetterwayConfig(AppConfig):
    """The project package is an app too, for its template tags and shared templates."""

    name = "betterway"
    default_auto_field = "django.db.models.BigAutoField"
