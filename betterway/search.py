"""Site search: titles and text that contain the words asked for.

Every result comes through the models' visible_to(user), so nobody finds what
they may not read. (Ranked full-text search on PostgreSQL comes later; this
simple path works the same on SQLite and PostgreSQL.)
"""

from functools import reduce
from operator import and_

from django.db.models import Q

from cells.models import Meeting
from insights.models import Insight
from people.models import Person

MAX_RESULTS = 20


def _matching(fields, words):
    """Every word appears in at least one of the fields."""
    return reduce(and_, (reduce(lambda a, b: a | b, (Q(**{f"{f}__icontains": w}) for f in fields)) for w in words))


def search(query, user):
    words = query.split()[:10]
    if not words:
        return None
    readable_notes = Meeting.objects.notes_visible_to(user).values("pk")
    meetings = Meeting.objects.visible_to(user).filter(
        _matching(["title", "summary"], words)
        | (_matching(["title", "summary", "notes"], words) & Q(pk__in=readable_notes))
    )
    insights = Insight.objects.visible_to(user).filter(_matching(["title", "standfirst", "body"], words))
    people = Person.objects.visible_to(user).filter(_matching(["name", "role", "bio"], words))
    meetings = list(meetings.for_listing().newest_first()[:MAX_RESULTS])
    readable = (
        set(Meeting.objects.notes_visible_to(user).filter(pk__in=[m.pk for m in meetings]).values_list("pk", flat=True))
        if meetings
        else set()
    )
    for meeting in meetings:
        meeting.searchable_text = f"{meeting.summary} {meeting.notes}" if meeting.pk in readable else meeting.summary
    return {
        "meetings": meetings,
        "insights": insights.for_listing().newest_first()[:MAX_RESULTS],
        "people": people.select_related("organisation")[:MAX_RESULTS],
        "words": words,
    }
