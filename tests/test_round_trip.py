"""Opening an edit form and saving it unchanged leaves the record exactly as it was.

Each edit form of the site is opened as its user would open it, sent back as a browser sends it
(the rendered HTML form parsed: inputs, checked boxes, selected options, textareas with their first
newline dropped and every line ending sent as CRLF, the save button pressed), and the record, with
everything hanging off it, is compared before and after: every field, its speakers and their order,
questions, tags, many-to-many choices (those the form did not offer too), dates and their
precision, visibility and the text byte for byte. Only the save's own bookkeeping (edit_version,
updated_at) and the new version it records may change.

"Byte for byte" with line endings: a browser turns every line ending of a textarea into CRLF when it
sends it, so the site stores text with LF line endings (core/text.py turns CRLF back into LF); text
with LF comes back exactly as it was.

The records are made awkward on purpose: a tag with a comma and one with double quotes, Markdown that
starts with indentation and ends with two spaces, a month-precision date that is not the 1st, links
to things the form does not offer (a question raised at a network event, a source meeting in the bin).

To add an edit form: write a function that makes its awkward record and returns an EditPage, and add
one line to EDIT_FORMS.
"""

import datetime
from dataclasses import dataclass, field

import lxml.html
import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from cells.models import Meeting, Question, Speaker
from core import publishing

from .factories import (
    CellFactory,
    InsightFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    PrincipleFactory,
    QuestionFactory,
    SpeakerFactory,
    UpcomingDateFactory,
    verified_user,
)

BOOKKEEPING = {"edit_version", "updated_at"}  # what a save changes by saving: a new version is recorded
NOT_COUNTED = {"reversion", "sessions", "admin"}  # versions, the login session, the admin's log of changes

MARKDOWN = (
    "    an indented first line (a code block in Markdown)\n"
    "\n"
    "- a point ending in a hard line break  \n"
    "  continued; <b>not bold</b> & “quoted”\n"
    "- a\ttab\n"
    "\n"
    "Last line, ending in two spaces  "
)
MARKDOWN_WITH_BLANK_LINES = "\n## Starts with a blank line\n\nEnds with a newline.\n"
TAGS = ["Leadership, systems", "shared leadership", 'The "big" society', "place"]


@dataclass
class EditPage:
    """An edit form to open and save: who opens it, where, the records to compare, the button to press."""

    user: object
    url: str
    records: list
    press: str | None = None  # the name of the submit button that saves (None: a button with no name)
    expect_status: int = 302
    extra: dict = field(default_factory=dict)


# --- the awkward records, one function per edit form ----------------------------------------------


def awkward_meeting(users, *, cell=None):
    """A meeting with everything a form could lose or change."""
    cell = cell if cell is not None else users["convenor"].person.memberships.get().cell
    earlier = MeetingFactory(cell=cell, number=1, title="Cell 1")
    event = MeetingFactory(cell=None, number=None, kind=Meeting.Kind.ROUNDTABLE, title="A roundtable")
    meeting = MeetingFactory(
        cell=cell,
        number=4,
        kind=Meeting.Kind.CELL_MEETING,
        title="Cell 4: “Power”, place & trust",
        date=datetime.date(2019, 6, 15),
        date_precision="month",
        place="Toynbee Hall, London",
        online=True,
        summary=MARKDOWN,
        notes=MARKDOWN_WITH_BLANK_LINES,
        editorial_note="The invitation says June; the note says “early summer”.",
        visibility="members",
        notes_visibility="cell",
        tags=TAGS,
        principles=[PrincipleFactory(), PrincipleFactory()],
    )
    dawn = PersonFactory(name="Dawn Plimmer")
    solo = PersonFactory(name="Solo Speaker", organisation=None)
    kathy = PersonFactory(name="Kathy Evans")
    for person, role, order in [(dawn, "main_speaker", 2), (solo, "convenor", 0), (kathy, "presenter", 1)]:
        SpeakerFactory(meeting=meeting, person=person, role=role, order=order)
    QuestionFactory(raised_at=meeting, text="Who decides,\nand who is asked?  ", order=1)
    QuestionFactory(raised_at=meeting, text="What would “better” look like?", order=0)
    for raised_at in (earlier, event):  # the second the form cannot offer: a network event's question
        QuestionFactory(raised_at=raised_at, text=f"Raised at {raised_at.title}").taken_up_in.add(meeting)
    UpcomingDateFactory(cell=cell, date=timezone.localdate() + datetime.timedelta(days=30), time="3.00–4.30pm, online")
    UpcomingDateFactory(cell=cell, date=timezone.localdate() + datetime.timedelta(days=60), place="Leeds")
    return meeting


def awkward_insight(users):
    cell = users["convenor"].person.memberships.get().cell
    binned = MeetingFactory(cell=cell, title="A meeting since moved to the bin")
    publishing.move_to_bin(binned, user=users["staff"])
    return InsightFactory(
        kind="summary",
        title="On “trust”, power & place",
        standfirst="A standfirst ending in two spaces  ",
        body=MARKDOWN,
        editorial_note=MARKDOWN_WITH_BLANK_LINES,
        authors=[PersonFactory(name="Caroline Slocock"), PersonFactory(name="Solo Author", organisation=None)],
        principles=[PrincipleFactory(), PrincipleFactory()],
        source_meetings=[MeetingFactory(cell=cell, title="A meeting it draws on"), binned],
        cell=cell,
        tags=TAGS,
        collection="Insights for A Better Way (2018)",
        published_on=datetime.date(2018, 6, 15),
        published_on_precision="month",
        original_url="https://www.example.org/blog/trust?ref=a-better-way",
        publisher="NCVO",
        visibility="cell",
    )


def meeting_on_the_site(users):
    meeting = awkward_meeting(users)
    return EditPage(
        users["convenor"], reverse("cells:meeting_edit", args=[meeting.slug]), [meeting, meeting.cell], "save"
    )


def network_event_on_the_site(users):
    event = MeetingFactory(
        cell=None,
        number=None,
        kind=Meeting.Kind.DINNER,
        title="A dinner discussion",
        date=datetime.date(2018, 3, 5),
        date_precision="year",
        summary=MARKDOWN,
        notes="",
        visibility="members",
        notes_visibility="members",
        tags=TAGS,
    )
    return EditPage(users["staff"], reverse("cells:meeting_edit", args=[event.slug]), [event], "save")


def insight_on_the_site(users):
    insight = awkward_insight(users)
    return EditPage(users["staff"], reverse("insights:insight_edit", args=[insight.slug]), [insight], "save")


def profile(users):
    user = verified_user(username="zoe@example.org")
    person = PersonFactory(
        user=user,
        name="Zoë O’Neill",
        organisation=OrganisationFactory(name="Place & Partnerships, Ltd"),
        role="Director, Place & Partnerships",
        bio=MARKDOWN,
        is_public=True,
    )
    return EditPage(user, reverse("people:profile"), [person, person.organisation])


def _superuser():
    return verified_user(username="admin@example.org", is_staff=True, is_superuser=True)


def _change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def meeting_in_the_admin(users):
    meeting = awkward_meeting(users)
    return EditPage(_superuser(), _change_url(meeting), [meeting, meeting.cell], "_save")


def insight_in_the_admin(users):
    insight = awkward_insight(users)
    return EditPage(_superuser(), _change_url(insight), [insight], "_save")


def person_in_the_admin(users):
    person = PersonFactory(bio=MARKDOWN)
    return EditPage(_superuser(), _change_url(person), [person, person.organisation], "_save")


def organisation_in_the_admin(users):
    organisation = OrganisationFactory(description=MARKDOWN)
    return EditPage(_superuser(), _change_url(organisation), [organisation], "_save")


def cell_in_the_admin(users):
    cell = CellFactory(aims=MARKDOWN)
    UpcomingDateFactory(cell=cell, time="3.00–4.30pm, online", place="Leeds")
    return EditPage(_superuser(), _change_url(cell), [cell], "_save")


def principle_in_the_admin(users):
    principle = PrincipleFactory(body=MARKDOWN, area="sharing_power")
    return EditPage(_superuser(), _change_url(principle), [principle], "_save")


EDIT_FORMS = [  # one line per edit form
    meeting_on_the_site,
    network_event_on_the_site,
    insight_on_the_site,
    profile,
    meeting_in_the_admin,
    insight_in_the_admin,
    person_in_the_admin,
    organisation_in_the_admin,
    cell_in_the_admin,
    principle_in_the_admin,
]


# --- what a browser sends ------------------------------------------------------------------------------


def crlf(text):
    """Line endings as a browser sends them (HTML: every line break of a submitted value becomes CRLF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def browser_submission(html, press):
    """The name/value pairs a browser sends when the page's edit form (its largest POST form) is submitted
    unchanged with the button `press`."""
    html = html.replace("\r\n", "\n").replace("\r", "\n")  # the HTML parser's newline normalisation
    document = lxml.html.fromstring(html)
    forms = [form for form in document.forms if (form.method or "").lower() == "post"]
    form = max(forms, key=lambda form: len(form.inputs))
    pairs = []
    for name, value in form.form_values():
        element = form.inputs[name]
        is_textarea = any(getattr(el, "tag", None) == "textarea" for el in _elements(element))
        if is_textarea and value.startswith("\n"):
            value = value[1:]  # the HTML parser drops a textarea's first newline
        pairs.append((name, crlf(value)))
    if press is not None:
        [button] = form.xpath(f".//*[(self::button or self::input) and @type='submit' and @name='{press}']")
        pairs.append((press, button.get("value", "")))
    data = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


def _elements(element):
    return element if isinstance(element, list) else [element]


# --- the record, as it stands -----------------------------------------------------------------------


def snapshot(obj, depth=1):
    """Every field of `obj`, its many-to-many choices both ways, its tags and (to `depth`) the rows that
    point at it with theirs, in their order."""
    row = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in BOOKKEEPING}
    for relation in obj._meta.get_fields():
        if isinstance(relation, TaggableManager):
            row[relation.name] = sorted(getattr(obj, relation.name).names())
        elif relation.many_to_many:
            accessor = relation.get_accessor_name() if relation.auto_created else relation.name
            if accessor and not getattr(relation, "hidden", False):
                row[accessor] = sorted(getattr(obj, accessor).values_list("pk", flat=True))
        elif relation.one_to_many and depth and relation.auto_created:
            accessor = relation.get_accessor_name()
            if accessor and not relation.hidden:
                row[accessor] = [snapshot(child, depth - 1) for child in getattr(obj, accessor).all()]
    return row


def state(records):
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in NOT_COUNTED
    }
    return {
        "records": [snapshot(type(obj)._default_manager.get(pk=obj.pk)) for obj in records],
        "row counts": counts,
    }


# --- the test ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("edit_form", EDIT_FORMS, ids=lambda edit_form: getattr(edit_form, "__name__", str(edit_form)))
def test_saving_an_edit_form_unchanged_leaves_the_record_as_it_was(edit_form, users, client_for):
    page = edit_form(users)
    before = state(page.records)
    client = client_for(page.user)
    opened = client.get(page.url)
    assert opened.status_code == 200
    response = client.post(page.url, browser_submission(opened.content.decode(), page.press))
    assert response.status_code == page.expect_status, _errors(response)
    after = state(page.records)
    for was, now in zip(before["records"], after["records"], strict=True):
        assert now == was
    assert after["row counts"] == before["row counts"]


def _errors(response):
    context = response.context or {}
    found = []
    for key in ("form", "adminform", "errors"):
        form = context.get(key)
        form = getattr(form, "form", form)
        found.append(getattr(form, "errors", form))
    for key in ("speakers", "questions"):
        if key in context:
            found.append(context[key].errors)
    for inline in context.get("inline_admin_formsets", []):
        found.append(inline.formset.errors)
    return found


def test_the_awkward_meeting_really_is_awkward(users):
    """The record the test saves holds what a careless form would lose."""
    meeting = awkward_meeting(users)
    assert "Leadership, systems" in meeting.tags.names() and 'The "big" society' in meeting.tags.names()
    assert meeting.summary.startswith("    ") and meeting.summary.endswith("  ")
    assert (meeting.date.day, meeting.date_precision) == (15, "month")
    assert [s.order for s in meeting.speaker_roles.all()] == [0, 1, 2]
    assert list(Speaker.objects.filter(meeting=meeting).order_by("pk").values_list("order", flat=True)) == [2, 0, 1]
    assert Question.objects.filter(taken_up_in=meeting, raised_at__cell=None).exists()


# --- the tags field, on its own ----------------------------------------------------------------------


def _tags_sent_back(client, url, edit=lambda text: text):
    opened = client.get(url)
    data = browser_submission(opened.content.decode(), "save")
    [shown] = data["tags"]
    data["tags"] = [edit(shown)]
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)
    return shown


def test_a_tag_with_a_comma_is_shown_quoted_and_stays_one_tag(users, client_for):
    """The issue's example: "Leadership, systems" was shown bare and came back as two tags."""
    meeting = MeetingFactory(cell=users["convenor"].person.memberships.get().cell, tags=["Leadership, systems"])
    shown = _tags_sent_back(client_for(users["convenor"]), reverse("cells:meeting_edit", args=[meeting.slug]))
    assert shown == '"Leadership, systems"'
    assert sorted(meeting.tags.names()) == ["Leadership, systems"]


def test_editing_the_tags_keeps_the_others_as_they_were(users, client_for):
    """A tag added or removed in the text leaves the other tags alone, one with double quotes included."""
    meeting = MeetingFactory(cell=users["convenor"].person.memberships.get().cell, tags=TAGS)
    client, url = client_for(users["convenor"]), reverse("cells:meeting_edit", args=[meeting.slug])
    _tags_sent_back(client, url, lambda text: text.replace("place", "") + ", funding")
    assert sorted(meeting.tags.names()) == sorted(
        ["Leadership, systems", "shared leadership", 'The "big" society', "funding"]
    )
