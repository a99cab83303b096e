"""The weekly bulletin: for each subscribed member, what was published since their last bulletin that they may
read — new notes and insights (those of what they follow first), replies and comments they chose to get
weekly, the discussions most active among comments they may read, and the cells' next meetings.

Each member's bulletin covers the time from the end of their last one sent (a week back for the first) to
the run; it is one delivery keyed by the ISO week of the run, so running the command again that week sends
nobody a second one, and a bulletin that failed is sent by the next run (or `send_pending`).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format

from cells.models import Meeting, UpcomingDate
from core.markdown import plain_text
from core.roles import members
from discussion.models import Comment
from insights.models import Insight
from people.names import name_for

from . import emails, following, notices
from .audiences import may_reach
from .links import absolute
from .models import Delivery, Frequency, Kind, Preference

FIRST_PERIOD = datetime.timedelta(days=7)
UPCOMING = datetime.timedelta(days=28)
MOST_DISCUSSED = 10
SNIPPET_WORDS = 40


@dataclass
class Item:
    title: str
    url: str
    meta: str = ""
    text: str = ""
    reasons: list = field(default_factory=list)


@dataclass
class Bulletin:
    recipient: object
    since: datetime.datetime
    until: datetime.datetime
    followed: list = field(default_factory=list)
    replies: list = field(default_factory=list)
    cell_comments: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    insights: list = field(default_factory=list)
    discussions: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    included: list = field(default_factory=list)  # the waiting deliveries it carries
    dropped: list = field(default_factory=list)  # waiting deliveries the recipient may no longer read

    @property
    def is_empty(self):
        news = [self.followed, self.replies, self.cell_comments, self.notes, self.insights, self.discussions]
        return not any(news)

    @property
    def subject(self):
        return f"Your bulletin for the week to {date_format(timezone.localtime(self.until), 'j F Y')}"

    @property
    def summary(self):
        """'2 new notes, 1 new insight, 3 active discussions' (for the command's progress)."""
        published = len(self.followed) + len(self.notes) + len(self.insights)
        parts = [
            (published, "new note or insight", "new notes and insights"),
            (len(self.replies) + len(self.cell_comments), "comment for you", "comments for you"),
            (len(self.discussions), "active discussion", "active discussions"),
        ]
        return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n) or "nothing new"


def week_key(moment):
    year, week, _ = timezone.localtime(moment).isocalendar()
    return f"bulletin:{year}-W{week:02d}"


def subscribers():
    """Members who get the bulletin: active, a verified address (staff count), not unsubscribed."""
    declined = Preference.objects.filter(kind=Kind.BULLETIN).exclude(frequency=Frequency.WEEKLY).values("user")
    return members().exclude(email="").exclude(pk__in=declined).order_by("pk")


def period_start(recipient, until):
    last = (
        Delivery.objects.filter(recipient=recipient, kind=Kind.BULLETIN, status=Delivery.Status.SENT)
        .exclude(covers_until__isnull=True)
        .order_by("-covers_until")
        .values_list("covers_until", flat=True)
        .first()
    )
    return last or until - FIRST_PERIOD


def _snippet(markdown):
    words = plain_text(markdown).split()
    return " ".join(words[:SNIPPET_WORDS]) + ("…" if len(words) > SNIPPET_WORDS else "")


def _meeting_item(meeting, reasons=()):
    where = meeting.cell.name if meeting.cell_id else meeting.get_kind_display()
    meta = " · ".join(part for part in [where, meeting.display_date] if part)
    return Item(meeting.heading, absolute(meeting.get_absolute_url()), meta, _snippet(meeting.summary), list(reasons))


def _insight_item(insight, reasons=()):
    meta = " · ".join(part for part in [insight.get_kind_display(), insight.display_date] if part)
    return Item(insight.title, absolute(insight.get_absolute_url()), meta, _snippet(insight.standfirst), list(reasons))


def _comment_item(recipient, comment):
    target = comment.target
    return Item(
        target.heading,
        absolute(comment.get_absolute_url()),
        name_for(recipient, comment.author),
        _snippet(comment.body),
    )


def build(recipient, since, until):
    """The bulletin of `recipient` for (since, until], everything through their own visibility, at this moment."""
    bulletin = Bulletin(recipient, since, until)
    told = set()
    waiting = Delivery.objects.filter(recipient=recipient, status=Delivery.Status.WAITING).select_related("event")
    for delivery in waiting.order_by("created_at", "pk"):
        if not may_reach(recipient, delivery.event):
            bulletin.dropped.append(delivery.pk)
            continue
        bulletin.included.append(delivery.pk)
        content = delivery.event.content
        if delivery.kind == Kind.FOLLOWING:
            told.add((type(content), content.pk))
            reasons = following.reasons(recipient, content)
            item = _meeting_item(content, reasons) if isinstance(content, Meeting) else _insight_item(content, reasons)
            bulletin.followed.append(item)
        elif delivery.kind == Kind.REPLIES:
            bulletin.replies.append(_comment_item(recipient, content))
        else:
            bulletin.cell_comments.append(_comment_item(recipient, content))

    window = {"published_at__gt": since, "published_at__lte": until}
    meetings = Meeting.objects.visible_to(recipient).published().filter(**window).select_related("cell")
    bulletin.notes = [_meeting_item(m) for m in meetings.order_by("published_at", "pk") if (Meeting, m.pk) not in told]
    insights = Insight.objects.visible_to(recipient).published().filter(**window)
    bulletin.insights = [
        _insight_item(i) for i in insights.order_by("published_at", "pk") if (Insight, i.pk) not in told
    ]
    bulletin.discussions = _discussions(recipient, since, until)
    today = timezone.localdate(until)
    bulletin.upcoming = list(
        UpcomingDate.objects.filter(date__gte=today, date__lte=today + UPCOMING, cell__is_active=True)
        .select_related("cell")
        .order_by("date", "cell__name")
    )
    return bulletin


def _discussions(recipient, since, until):
    """The meetings and insights with the most new comments that `recipient` may read (counting only those)."""
    counts = (
        Comment.objects.visible_to(recipient)
        .filter(created_at__gt=since, created_at__lte=until, hidden_at__isnull=True, removed_at__isnull=True)
        .values("meeting_id", "insight_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "meeting_id", "insight_id")[:MOST_DISCUSSED]
    )
    rows = list(counts)
    meetings = Meeting.objects.in_bulk([row["meeting_id"] for row in rows if row["meeting_id"]])
    insights = Insight.objects.in_bulk([row["insight_id"] for row in rows if row["insight_id"]])
    found = []
    for row in rows:
        target = meetings.get(row["meeting_id"]) or insights.get(row["insight_id"])
        if target is not None:
            noun = "new comment" if row["n"] == 1 else "new comments"
            found.append(Item(target.heading, absolute(target.get_absolute_url()), f"{row['n']} {noun}"))
    return found


def message(delivery, bulletin):
    return emails.build(
        bulletin.recipient,
        Kind.BULLETIN,
        bulletin.subject,
        "bulletin",
        {"bulletin": bulletin},
        message_key=notices.message_key(delivery),
    )


def preview(member):
    """The bulletin `member` would get if it went out now, as (subject, text, html), nothing recorded."""
    until = timezone.now()
    bulletin = build(member, period_start(member, until), until)
    email = emails.build(member, Kind.BULLETIN, bulletin.subject, "bulletin", {"bulletin": bulletin}, message_key="x")
    return bulletin, email.subject, email.body, email.alternatives[0][0]
