from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Following cells, principles, topics and people; emails when something happens; the bulletin."""

    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"
