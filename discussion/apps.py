from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    """Members taking part on published meetings and insights: comments, flags, moderation, member tags."""

    name = "discussion"
    default_auto_field = "django.db.models.BigAutoField"
