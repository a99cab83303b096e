"""Sending one delivery, at most once, and retrying what failed.

- A delivery is claimed by one atomic UPDATE (pending → sending), so two workers, a retried task and the
  sweep never send it twice.
- At send time it is checked again: the recipient's choice now (a switch to the bulletin turns it into a
  waiting item; never skips it), and whether they may still read what it is about.
- A failed send goes back to pending with a later next_attempt_at (1, 5, 25 minutes… up to 12 hours) and is
  retried: by a deferred task where the queue supports it, and in any case by the sweep
  (`manage.py send_pending`, which also fans out events whose task was lost and frees deliveries a worker
  died while sending). After MAX_ATTEMPTS it is marked failed, kept with its error, and staff can send it again
  from the admin. Nothing is deleted, so nothing is lost.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import bulletins, notices
from .audiences import may_reach
from .fanout import fan_out
from .models import Delivery, Event, Frequency, Kind
from .permissions import may_receive
from .preferences import frequency_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
STALE_CLAIM = timedelta(minutes=15)  # a delivery "being sent" this long belonged to a worker that died
LOST_EVENT = timedelta(minutes=5)  # an event not fanned out this long after it happened lost its task


def backoff(attempts):
    return timedelta(minutes=min(5 ** (attempts - 1), 12 * 60))


@dataclass
class Outcome:
    status: str
    retry_at: datetime | None = None
    error: Exception | None = None


def send(delivery_id):
    """Send one pending delivery (or decide not to). Returns what happened."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return Outcome("not pending")
    delivery = Delivery.objects.select_related("recipient", "event").get(pk=delivery_id)
    try:
        return _send_claimed(delivery)
    except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
        return _failed(delivery, error)


def _send_claimed(delivery):
    recipient = delivery.recipient
    frequency = frequency_for(recipient, delivery.kind)
    if delivery.kind == Kind.BULLETIN:
        if frequency != Frequency.WEEKLY or not may_receive(recipient):
            return _finish(delivery, Delivery.Status.SKIPPED, note="Unsubscribed from the bulletin")
        until = delivery.covers_until or delivery.created_at
        bulletin = bulletins.build(recipient, delivery.covers_from or bulletins.period_start(recipient, until), until)
        if bulletin.is_empty:
            return _finish(delivery, Delivery.Status.SKIPPED, note="Nothing new to tell", dropped=bulletin.dropped)
        bulletins.message(delivery, bulletin).send()
        return _finish(delivery, Delivery.Status.SENT, items=bulletin.included, dropped=bulletin.dropped)
    if frequency == Frequency.NEVER:
        return _finish(delivery, Delivery.Status.SKIPPED, note="Unsubscribed")
    if not may_reach(recipient, delivery.event):
        return _finish(delivery, Delivery.Status.SKIPPED, note="No longer readable by the recipient")
    if frequency == Frequency.WEEKLY:
        return _finish(delivery, Delivery.Status.WAITING, note="Moved to the weekly bulletin")
    notices.message(delivery).send()
    return _finish(delivery, Delivery.Status.SENT)


def _finish(delivery, status, *, note="", items=(), dropped=()):
    now = timezone.now()
    sent = status == Delivery.Status.SENT
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=status, sent_at=now if sent else None, note=note, last_error="", next_attempt_at=None
        )
        if items:
            Delivery.objects.filter(pk__in=items, status=Delivery.Status.WAITING).update(
                status=Delivery.Status.BUNDLED, bulletin=delivery, sent_at=now
            )
        drop(dropped)
    return Outcome(status)


def drop(waiting_ids):
    """Items waiting for a bulletin whose recipient may no longer read them: never sent."""
    if waiting_ids:
        Delivery.objects.filter(pk__in=waiting_ids, status=Delivery.Status.WAITING).update(
            status=Delivery.Status.SKIPPED, note="No longer readable by the recipient"
        )


def _failed(delivery, error):
    delivery.refresh_from_db(fields=["attempts"])
    gave_up = delivery.attempts >= MAX_ATTEMPTS
    retry_at = None if gave_up else timezone.now() + backoff(delivery.attempts)
    status = Delivery.Status.FAILED if gave_up else Delivery.Status.PENDING
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, next_attempt_at=retry_at, claimed_at=None, last_error=f"{type(error).__name__}: {error}"[:2000]
    )
    logger.warning(
        "Email %s to %s failed (attempt %s): %s%s",
        delivery.key,
        delivery.recipient_id,
        delivery.attempts,
        error,
        " — giving up" if gave_up else f" — retrying at {retry_at:%H:%M}",
    )
    return Outcome(status, retry_at=retry_at, error=error)


def send_again(queryset):
    """Staff's "send again" for failed deliveries: pending now, attempts counted afresh. How many."""
    return queryset.filter(status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )


def due(now=None):
    now = now or timezone.now()
    return Delivery.objects.filter(status=Delivery.Status.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def sweep(*, dry_run=False, progress=None):
    """What the queue may have missed: events whose fan-out was lost, deliveries a dead worker held, and every
    pending delivery that is due. Returns counts."""
    now = timezone.now()
    counts = {"events": 0, "freed": 0, "sent": 0, "not sent": 0, "failed": 0}
    lost = Event.objects.filter(fanned_out_at__isnull=True, created_at__lte=now - LOST_EVENT)
    stale = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lte=now - STALE_CLAIM)
    if dry_run:
        counts.update(events=lost.count(), freed=stale.count(), due=due(now).count())
        return counts
    for event_id in lost.values_list("pk", flat=True):
        fan_out(event_id)
        counts["events"] += 1
    counts["freed"] = stale.update(status=Delivery.Status.PENDING, claimed_at=None, next_attempt_at=now)
    pending = list(due(timezone.now()).order_by("next_attempt_at", "pk").values_list("pk", "key"))
    for number, (delivery_id, key) in enumerate(pending, start=1):
        outcome = send(delivery_id)
        label = {"sent": "sent", "pending": "failed", "failed": "failed"}.get(outcome.status, "not sent")
        counts[label] += 1
        if progress:
            progress(number, len(pending), key, outcome)
    return counts
