"""People and organisations, as readers may see them (people/models.py says who is visible).

What a person said and wrote comes from apps above this one, through the relations they
declare onto Person (speaker_roles, insights, memberships), each through its visible_to."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize

from core import caching
from core.pagination import paginate

from ..models import Organisation, Person

PEOPLE_PER_PAGE = 100  # a list of names, one line each: many to a page


def _related(name):
    """The model of content an app above declares onto Person (Speaker, Meeting, Insight, Membership)."""
    return Person._meta.get_field(name).related_model


def _count(queryset, back, counted="pk"):
    """A subquery: how many rows of `queryset` name the person (through `back`); 0 for none."""
    rows = queryset.filter(**{back: OuterRef("pk")}).order_by().values(back)
    counted = rows.annotate(n=Count(counted, distinct=True)).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def person_list(request):
    """Everyone the reader may see, each with one line of what they did: the cells they lead, how many
    meetings they spoke at and how many pieces they wrote (counted in the one query of the page)."""
    people = (
        Person.objects.visible_to(request.user)
        .select_related("organisation")
        .annotate(
            meetings_spoken_at=_count(_related("speaker_roles").objects.visible_to(request.user), "person", "meeting"),
            pieces_written=_count(_related("insights").objects.visible_to(request.user), "authors"),
        )
        .prefetch_related(
            Prefetch("memberships", queryset=_related("memberships").objects.leading().select_related("cell"))
        )
    )
    page = paginate(request, people, per_page=PEOPLE_PER_PAGE, keep_count=True)
    page.object_list = caching.kept_answer(page.object_list, list)  # counted over every meeting and piece: costly
    for person in page:
        person.did = what_they_did(person)
    return render(request, "people/person_list.html", {"page": page})


def what_they_did(person):
    """'Convenor, Collaborative Leadership in Place · spoke at 3 meetings · wrote 1 piece' (annotated person)."""
    parts = [f"{membership.get_role_display()}, {membership.cell.name}" for membership in person.memberships.all()]
    if person.meetings_spoken_at:
        parts.append(f"spoke at {person.meetings_spoken_at} meeting{pluralize(person.meetings_spoken_at)}")
    if person.pieces_written:
        parts.append(f"wrote {person.pieces_written} piece{pluralize(person.pieces_written)}")
    line = " · ".join(parts)
    return line[:1].upper() + line[1:]


def spoke_at(roles):
    """The person's roles grouped by meeting, in the order given: [{"meeting", "roles", "join"}], read as
    "{roles}{join}{meeting}". Two roles at one meeting ('Convenor and facilitator') make one line, not two."""
    lines = []
    for role in roles:
        if lines and lines[-1][0].pk == role.meeting_id:
            lines[-1][1].append((role.role, role.get_role_display().lower()))
        else:
            lines.append((role.meeting, [(role.role, role.get_role_display())]))
    return [
        # one who only introduced a meeting "Introduced Cell, meeting 2", not "Introduced the meeting, Cell, …"
        {"meeting": meeting, "roles": "Introduced", "join": " "}
        if [value for value, _label in held] == ["introducer"]
        else {"meeting": meeting, "roles": " and ".join(label for _value, label in held), "join": ", "}
        for meeting, held in lines
    ]


QUOTES = ("'", '"', "‘", "“")


def wrote(person, insights):
    """Each piece with the co-authors beside the person, and whether its title needs quotation marks round it
    (not when it opens with its own): [{"insight", "with", "quote"}]."""
    return [
        {
            "insight": insight,
            "with": [author for author in insight.authors.all() if author.pk != person.pk],
            "quote": not insight.title.startswith(QUOTES),
        }
        for insight in insights
    ]


def person_detail(request, slug):
    """What the person said and wrote, newest first, each list a page at a time (?meetings=, ?writing=): the
    meetings they spoke at (all their roles at one meeting on one line), then their pieces."""
    person = Person.objects.select_related("organisation").one_visible_to(request.user, slug=slug)
    if person is None:
        raise Http404("No such person.")
    spoken_at = (
        _related("meetings").objects.visible_to(request.user).filter(pk__in=person.speaker_roles.values("meeting"))
    )
    meetings = paginate(request, spoken_at.for_naming().newest_first(), name="meetings", keep_count=True)
    place = {meeting.pk: index for index, meeting in enumerate(meetings)}  # each role with its meeting, in order
    roles = sorted(
        person.speaker_roles.filter(meeting__in=list(place)).order_by("order", "pk"),
        key=lambda role: place[role.meeting_id],
    )
    for role in roles:
        role.meeting = meetings[place[role.meeting_id]]
    writing = paginate(
        request, person.insights.visible_to(request.user).for_listing().newest_first(), name="writing", keep_count=True
    )
    context = {
        "person": person,
        "meetings": meetings,
        "spoke_at": spoke_at(roles),
        "memberships": person.memberships.leading().select_related("cell"),
        "writing": writing,
        "wrote": wrote(person, writing),
    }
    return render(request, "people/person_detail.html", context)


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)
    people = Person.objects.visible_to(request.user, among=organisation.people.all())
    return render(request, "people/organisation_detail.html", {"organisation": organisation, "people": people})
