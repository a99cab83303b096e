"""The background work, through Django's tasks API (the django-tasks backport; settings.TASKS picks the
queue: the database by default, run by `manage.py db_worker`). Each task is a thin wrapper: the work and its
guarantees (once only, retried, never lost) are in fanout.py and sending.py."""

from django_tasks import task

from . import fanout, sending


class SendFailed(Exception):
    """Raised so that the queue records the failed attempt; the delivery itself is kept and retried."""


@task()
def fan_out_event(event_id):
    """Work out who is told of an event, then queue each email."""
    to_send = fanout.fan_out(event_id)
    for delivery_id in to_send:
        send_delivery.enqueue(delivery_id)
    return len(to_send)


@task()
def send_delivery(delivery_id):
    outcome = sending.send(delivery_id)
    if outcome.retry_at is not None and send_delivery.get_backend().supports_defer:
        send_delivery.using(run_after=outcome.retry_at).enqueue(delivery_id)
    if outcome.error is not None:
        raise SendFailed(f"delivery {delivery_id}: {outcome.error}") from outcome.error
    return outcome.status
