"""The life of a meeting or insight: publish, unpublish, move to the bin, restore from it.

Each is a named function that saves a new version, so the flow reads plainly in the views.
"""

from django.dispatch import Signal
from django.utils import timezone

from .versions import saving
from .visibility import Status

# Sent once each time a meeting or insight is published (sender: its model; obj, user). Apps above
# the one that publishes listen in their AppConfig.ready() (notifications/apps.py): the one way a
# publication reaches them, since the layers below may not import them. Receivers act after commit.
published = Signal()


def publish(obj, *, user):
    with saving(obj, user=user, comment="Published"):
        obj.status = Status.PUBLISHED
        obj.published_at = timezone.now()
        obj.published_by = user
        obj.save()
    published.send(sender=type(obj), obj=obj, user=user)


def unpublish(obj, *, user):
    with saving(obj, user=user, comment="Unpublished (back to draft)"):
        obj.status = Status.DRAFT
        obj.save()


def move_to_bin(obj, *, user):
    with saving(obj, user=user, comment="Moved to the bin"):
        obj.deleted_at = timezone.now()
        obj.deleted_by = user
        obj.save()


def restore_from_bin(obj, *, user):
    with saving(obj, user=user, comment="Restored from the bin"):
        obj.deleted_at = None
        obj.deleted_by = None
        obj.save()
