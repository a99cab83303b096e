"""The weekly run of the bulletin (`manage.py send_bulletin`): one bulletin per subscriber per ISO week."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import bulletins
from .models import Delivery, Kind
from .sending import drop, send


@dataclass
class Line:
    """What the run did for one member, for the command's progress."""

    email: str
    action: str  # sent, would send, failed, already sent, nothing new
    summary: str = ""


@dataclass
class Report:
    key: str
    lines: list = field(default_factory=list)

    def count(self, action):
        return sum(line.action == action for line in self.lines)


def run(*, dry_run=False, progress=None, until=None):
    """Send this week's bulletin to every subscriber who has not had it; `progress(number, total, line)`."""
    until = until or timezone.now()
    key = bulletins.week_key(until)
    report = Report(key)
    members = list(bulletins.subscribers())
    for number, member in enumerate(members, start=1):
        line = _one(member, key, until, dry_run)
        report.lines.append(line)
        if progress:
            progress(number, len(members), line)
    return report


def _one(member, key, until, dry_run):
    existing = Delivery.objects.filter(recipient=member, key=key).first()
    if existing and existing.status != Delivery.Status.PENDING:
        return Line(member.email, f"already this week ({existing.get_status_display().lower()})")
    if existing:  # a failed send of this week's bulletin: try it again
        if dry_run:
            return Line(member.email, "would retry")
        return Line(member.email, _action(send(existing.pk).status))
    bulletin = bulletins.build(member, bulletins.period_start(member, until), until)
    if bulletin.is_empty:
        if not dry_run:
            drop(bulletin.dropped)
        return Line(member.email, "nothing new")
    if dry_run:
        return Line(member.email, "would send", bulletin.summary)
    with transaction.atomic():
        # an older bulletin still unsent would repeat what this one says: this one takes its place
        Delivery.objects.filter(recipient=member, kind=Kind.BULLETIN, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SKIPPED, note="Replaced by a later bulletin", next_attempt_at=None
        )
        delivery, created = Delivery.objects.get_or_create(
            recipient=member,
            key=key,
            defaults={
                "kind": Kind.BULLETIN,
                "covers_from": bulletin.since,
                "covers_until": until,
                "next_attempt_at": until,
            },
        )
    if not created:
        return Line(member.email, "already sent")
    return Line(member.email, _action(send(delivery.pk).status), bulletin.summary)


def _action(status):
    return {
        Delivery.Status.SENT: "sent",
        Delivery.Status.PENDING: "failed, will retry",
        Delivery.Status.FAILED: "failed",
    }.get(status, "not sent")
