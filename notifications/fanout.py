"""From an event to its deliveries: one row per recipient (unique on recipient and event), by their choice:
an email to send now, an item waiting for their weekly bulletin, or nothing."""

from django.db import transaction
from django.utils import timezone

from .audiences import audience
from .models import Delivery, Event, Frequency
from .preferences import frequency_for


def fan_out(event_id):
    """Make the deliveries of an event not yet fanned out; the ids of the emails to send now. Running it again
    (a retried task, the sweep) makes nothing twice."""
    event = Event.objects.filter(pk=event_id, fanned_out_at__isnull=True).first()
    if event is None:
        return []
    now = timezone.now()
    to_send = []
    with transaction.atomic():
        for user, kind in audience(event):
            frequency = frequency_for(user, kind)
            if frequency == Frequency.NEVER:
                continue
            status = Delivery.Status.PENDING if frequency == Frequency.IMMEDIATELY else Delivery.Status.WAITING
            delivery, created = Delivery.objects.get_or_create(
                recipient=user,
                key=event.key,
                defaults={"kind": kind, "event": event, "status": status, "next_attempt_at": now},
            )
            if created and status == Delivery.Status.PENDING:
                to_send.append(delivery.pk)
        Event.objects.filter(pk=event.pk).update(fanned_out_at=now)
    return to_send
