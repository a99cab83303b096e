"""What the layers below tell this app (connected in apps.py): a publication, a comment.

Each is recorded as an Event in the transaction that caused it (rolled back with it), and after that
transaction commits its fan-out is queued as a task. Nothing is worked out or sent in the request. An
event is recorded once: a note published, unpublished and published again does not notify twice.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .models import Event


def key_of(event_type, obj):
    if event_type == Event.Type.PUBLISHED:
        return f"published:{obj._meta.label_lower}:{obj.pk}"
    return f"comment:{obj.pk}"


def record(event_type, obj, actor=None):
    """The Event for `obj` (made now unless it exists), its fan-out queued after commit."""
    from .tasks import fan_out_event

    actor = actor if getattr(actor, "pk", None) else None
    event, created = Event.objects.get_or_create(
        key=key_of(event_type, obj),
        defaults={
            "type": event_type,
            "content_type": ContentType.objects.get_for_model(obj),
            "object_id": obj.pk,
            "actor": actor,
        },
    )
    if created:
        # robust: a queue that is down does not fail the request; `send_pending` fans the event out later
        transaction.on_commit(lambda: fan_out_event.enqueue(event.pk), robust=True)
    return event


def on_published(sender, obj, user=None, **kwargs):
    record(Event.Type.PUBLISHED, obj, actor=user)


def on_comment_posted(sender, comment, **kwargs):
    record(Event.Type.COMMENT, comment, actor=comment.author)
