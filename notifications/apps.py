from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Following cells, principles, topics and people; emails when something happens; the bulletin."""

    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.publishing import published
        from discussion.signals import comment_posted

        from . import checks  # noqa: F401 - registers the SITE_URL check
        from .events import on_comment_posted, on_published

        published.connect(on_published, dispatch_uid="notifications.on_published")
        comment_posted.connect(on_comment_posted, dispatch_uid="notifications.on_comment_posted")
