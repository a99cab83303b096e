from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The low layer every app builds on; it imports no app of ours (make lint checks)."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models import IntegerField

        from . import versions  # noqa: F401 - registers tag links with django-reversion
        from .lookups import IntegerFieldIn

        IntegerField.register_lookup(IntegerFieldIn)  # a number too large for the column matches nothing
