"""The permission matrix: every URL of the site (the admin included), every role, every state of content,
checked for what each page SHOWS, not only for its status code (issue 7).

One world per test: a meeting and an insight in each state, with a unique marker planted in every field
(title, key points, notes, speaker's name, organisation, job and biography, the question carried forward,
topics, insight standfirst and body, authors and their organisations). Each role opens each page; no page
may show a marker its reader may not read. A few key pages must also show the markers the reader MAY read,
so that the matrix cannot pass on pages that show nothing.

Who may read what is written out below (READ_*), independently of the site's own visible_to(): the test
states the rule, the site must keep it.

EXPECTATIONS names each URL pattern with how it should answer; ADMIN_* does the same for the Django admin;
a test checks that every pattern the site has is named, so a new URL cannot escape this test.
"""

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag, TaggedItem

from cells.models import JoinRequest, Membership, SpeakerReview
from core import versions
from discussion.models import Comment, Flag, MemberTag

from .factories import (
    InsightFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PrincipleFactory,
    QuestionFactory,
    SpeakerFactory,
    UserFactory,
    verified_user,
)

# --- who is who ------------------------------------------------------------------------------------------

ROLES = ["anonymous", "unverified", "member", "cell_member", "convenor", "other_convenor", "reviewer", "staff"]
EVERYONE = frozenset(ROLES)
# A member is an account with a verified email (staff always): an unverified account reads like a visitor.
MEMBERS = EVERYONE - {"anonymous", "unverified"}
CELL = frozenset({"cell_member", "convenor", "staff"})  # the members of "clip", the cell the content is in
OTHER_CELL = frozenset({"other_convenor", "staff"})  # the members of the other cell
CONVENES = {"convenor": {"clip"}, "other_convenor": {"other"}, "staff": {"clip", "other"}}
AUTHORS = frozenset(CONVENES)  # who writes up meetings at all

# --- the states, and who reads each layer of them -------------------------------------------------------

# state: (cell, status, visibility, notes_visibility, in the bin)
MEETING_STATES = {
    "public": ("clip", "published", "public", "public", False),
    "members": ("clip", "published", "members", "members", False),
    "cell": ("clip", "published", "cell", "cell", False),
    "draft": ("clip", "draft", "public", "public", False),
    "membersnotes": ("clip", "published", "public", "members", False),  # public, notes members-only
    "cellnotes": ("clip", "published", "public", "cell", False),  # public, notes cell-only
    "binned": ("clip", "published", "public", "public", True),
    "otherdraft": ("other", "draft", "cell", "cell", False),  # to be cell-only once published: still never told of
    "othercell": ("other", "published", "cell", "cell", False),
    # cell-only, published after the reviewer (no member of the cell) was asked to review the draft
    "reviewedcell": ("clip", "published", "cell", "cell", False),
}
# state: (cell, status, visibility, in the bin)
INSIGHT_STATES = {
    "public": ("clip", "published", "public", False),
    "members": ("clip", "published", "members", False),
    "cell": ("clip", "published", "cell", False),
    "draft": ("clip", "draft", "public", False),
    "binned": ("clip", "published", "public", True),
    "otherdraft": ("other", "draft", "cell", False),
    "othercell": ("other", "published", "cell", False),
}

# The first layer of a meeting: title, date, speakers, key points, topics. A draft: the convenors of its
# cell, staff, and the speaker asked to review it. The bin: nobody (staff see it on /bin/ and in the admin).
READ_MEETING = {
    "public": EVERYONE,
    "members": MEMBERS,
    "cell": CELL,
    "draft": frozenset({"convenor", "reviewer", "staff"}),
    "membersnotes": EVERYONE,
    "cellnotes": EVERYONE,
    "binned": frozenset(),
    "otherdraft": OTHER_CELL,
    "othercell": OTHER_CELL,
    "reviewedcell": CELL,
}
# The second layer: the notes in detail and the questions carried forward.
READ_NOTES = dict(READ_MEETING, membersnotes=MEMBERS, cellnotes=CELL)
# Insights: a draft is its cell's convenors', staff's and its authors' (the reviewer wrote the draft insight).
READ_INSIGHT = {
    "public": EVERYONE,
    "members": MEMBERS,
    "cell": CELL,
    "draft": frozenset({"convenor", "reviewer", "staff"}),
    "binned": frozenset(),
    "otherdraft": OTHER_CELL,
    "othercell": OTHER_CELL,
}

REVIEWED = {"draft", "reviewedcell"}  # the meetings whose speaker "reviewer" was asked to review the draft

MEETING_FIELDS = {  # field: layer (COLLEAGUE: a second speaker, at an organisation that visible people share)
    "TITLE": "first",
    "POINTS": "first",
    "TAG": "first",
    "SPEAKER": "people",
    "ORG": "people",
    "JOB": "people",
    "BIO": "people",
    "COLLEAGUE": "people",
    "NOTES": "notes",
    "QUESTION": "notes",
    "OPENQ": "notes",  # OPENQ: a question no meeting takes up
}
INSIGHT_FIELDS = {
    "ITITLE": "first",
    "ISTAND": "first",
    "IBODY": "first",
    "ITAG": "first",
    "AUTHOR": "people",
    "WORKPLACE": "people",
}
# discussion: on every note and insight, a comment (flagged by a member: FLAG is the flag's reason) with a reply,
# a comment a moderator hid, one its author deleted, and a topic a member added. Comments are read by the readers
# of what they are on (a meeting's: the readers of its detailed notes), while it is published and out of the bin.
MEETING_DISCUSSION = {
    "COMMENT": "comments",
    "HIDDEN": "hidden",  # those readers who moderate them: staff; a meeting's cell's convenors
    "REMOVED": "nobody",
    "FLAG": "flags",  # on staff's moderation page alone
    "MTAG": "first",
}
INSIGHT_DISCUSSION = {f"I{name}": layer for name, layer in MEETING_DISCUSSION.items()}
COMMENTER = {"clip": "cell_member", "other": "other_convenor"}  # who wrote each cell's comments and added its topic


def moderators(kind, state):
    """Who hides and restores the comments of the content in `state`: staff; for a meeting, its cell's convenors."""
    if kind == "insight":
        return frozenset({"staff"})
    return frozenset(role for role, cells in CONVENES.items() if MEETING_STATES[state][0] in cells)


def discussion_layers(kind, state):
    """Who reads the comments of the meeting or insight in `state`, its hidden comment and its flag."""
    spec = MEETING_STATES[state] if kind == "meeting" else INSIGHT_STATES[state]
    live = spec[1] == "published" and not spec[-1]
    comments = (READ_NOTES if kind == "meeting" else READ_INSIGHT)[state] if live else frozenset()
    return {
        "comments": comments,
        "hidden": comments & moderators(kind, state),
        "nobody": frozenset(),
        "flags": comments & {"staff"},
    }


def mk(state, name):
    """The marker planted in one field of the content in one state."""
    return f"MK{state.upper()}Q{name}"


def name_of(marker, surname):
    """A person's or organisation's name carrying the marker, written as names are ('Mkdraftqspeaker Jones')."""
    return f"{marker.capitalize()} {surname}"


def _readers():
    """marker → the roles that may read it anywhere on the site (outside the bin page and the admin)."""
    read = {}
    for state in MEETING_STATES:
        # people are never binned: staff see them all
        layers = {"first": READ_MEETING[state], "notes": READ_NOTES[state], "people": READ_MEETING[state] | {"staff"}}
        layers.update(discussion_layers("meeting", state))
        for name, layer in {**MEETING_FIELDS, **MEETING_DISCUSSION}.items():
            read[mk(state, name)] = layers[layer]
    for state in INSIGHT_STATES:
        layers = {"first": READ_INSIGHT[state], "people": READ_INSIGHT[state] | {"staff"}}
        layers.update(discussion_layers("insight", state))
        for name, layer in {**INSIGHT_FIELDS, **INSIGHT_DISCUSSION}.items():
            read[mk(state, name)] = layers[layer]
    read[mk("profile", "NAME")] = EVERYONE  # a public profile that nothing names
    read[mk("nobody", "NAME")] = read[mk("nobody", "ORG")] = frozenset({"staff"})  # not public, named nowhere
    return read


READERS = _readers()
ALL_MARKERS = frozenset(READERS)
MAY_READ = {role: frozenset(m for m, readers in READERS.items() if role in readers) for role in ROLES}
BINNED = frozenset(m for m in ALL_MARKERS if m.startswith("MKBINNEDQ"))

# Person pages: whose they are, and the markers they carry.
PEOPLE = {
    **{f"speaker-{s}": (mk(s, "SPEAKER"), [mk(s, "JOB"), mk(s, "BIO")]) for s in MEETING_STATES},
    **{f"author-{s}": (mk(s, "AUTHOR"), []) for s in INSIGHT_STATES},
    "profile": (mk("profile", "NAME"), []),
    "nobody": (mk("nobody", "NAME"), []),
    "everywhere": (None, []),  # speaks at every meeting, wrote every insight: seen by all (the public note names them)
}
ORGANISATIONS = {
    **{f"speaker-{s}": mk(s, "ORG") for s in MEETING_STATES},
    **{f"author-{s}": mk(s, "WORKPLACE") for s in INSIGHT_STATES},
    "nobody": mk("nobody", "ORG"),
    "commonground": None,  # where "everywhere" and each meeting's COLLEAGUE work: seen by all
}
TOPICKED_STATES = ("public", "members", "cell", "draft", "binned", "othercell")  # whose topic pages are tried
TAGS = (
    [mk(s, "TAG") for s in MEETING_STATES]
    + [mk(s, "ITAG") for s in INSIGHT_STATES]
    + [mk(s, "MTAG") for s in TOPICKED_STATES]  # discussion: topics members added (all are checked on every page)
    + [mk(s, "IMTAG") for s in TOPICKED_STATES if s in INSIGHT_STATES]
    + ["sharedtopic"]
)

LOGIN = "login"  # a redirect to the site's login page
ADMIN_LOGIN = "admin login"  # a redirect to the admin's login page
INVITED = "invited"  # 403, a page that says only that this page is for members of A Better Way (and how to read it)


# --- how each URL answers ---------------------------------------------------------------------------------


def everyone(role, variant=None):
    return 200


def invited(role, spec):
    """Whether the reader of published members-only or cell-only content, out of the bin, is told that it is for
    members: those not members yet (a visitor, an unverified account), whom logging in or confirming their email
    may let in. A member outside the cell gets 404; a draft or the bin is 404 to all: never told it exists."""
    _cell, status, visibility, *_notes, binned = spec
    return role in EVERYONE - MEMBERS and status == "published" and visibility != "public" and not binned


def reading_meeting(role, state):
    if role in READ_MEETING[state]:
        return 200
    return INVITED if invited(role, MEETING_STATES[state]) else 404


def reading_insight(role, state):
    if role in READ_INSIGHT[state]:
        return 200
    return INVITED if invited(role, INSIGHT_STATES[state]) else 404


def reading_marker(marker_of):
    """200 for readers of the marker a variant carries (a variant that carries none is for everyone), else 404."""
    return lambda role, variant: 200 if marker_of(variant) is None or role in READERS[marker_of(variant)] else 404


def logged_in(role, variant=None, ok=200):
    return LOGIN if role == "anonymous" else ok


def anonymous_only(role, variant=None):
    return 200 if role == "anonymous" else 302  # logged-in users are sent on from login and signup


def staff_only(role, variant=None, ok=200):
    if role == "anonymous":
        return LOGIN
    return ok if role == "staff" else 403


def authors_only(role, variant=None):
    if role == "anonymous":
        return LOGIN
    return 200 if role in AUTHORS else 403


def meeting_author(role, state, ok=200):
    if role == "anonymous":
        return LOGIN
    if role not in READ_MEETING[state]:
        return 404
    return ok if MEETING_STATES[state][0] in CONVENES.get(role, ()) else 403


def insight_author(role, state, ok=200):
    if role == "anonymous":
        return LOGIN
    if role not in READ_INSIGHT[state]:
        return 404
    return ok if role == "staff" else 403


def cell_convenor(role, variant=None, ok=200):
    if role == "anonymous":
        return LOGIN
    return ok if "clip" in CONVENES.get(role, ()) else 403


def post_done(rule):
    """A POST action that redirects (302) when allowed."""
    return lambda role, variant=None: rule(role, variant, ok=302)


def joining(role, variant=None):
    if role == "anonymous":
        return LOGIN
    if role not in MEMBERS:
        return 403  # only members may ask to join a cell
    return 302  # asking to join (or being told you are in already) comes back to the cell page


def reviewing(role, state):
    if role == "anonymous":
        return LOGIN
    asked = state in REVIEWED and role == "reviewer"
    return 200 if asked and role in READ_MEETING[state] else 404  # once published, the note is for its readers


# --- what each page may show, and must show ---------------------------------------------------------------


def allowed_on_forms(role, variant):
    """A meeting form offers to take up only questions of the cells its writer convenes."""
    foreign = {
        mk(s, question)
        for s, spec in MEETING_STATES.items()
        if spec[0] not in CONVENES.get(role, ())
        for question in ("QUESTION", "OPENQ")
    }
    return MAY_READ[role] - foreign


def allowed_on_bin(role, variant):
    return MAY_READ[role] | BINNED if role == "staff" else MAY_READ[role]


def allowed_in_notes_search(role, variant):
    """Searching a word that is only in the notes finds only notes the reader may read (each result with what its
    page shows: speakers, topics, questions; the filters name its topics and people)."""
    if variant != "zebraword":
        return MAY_READ[role]
    readable = [s for s in MEETING_STATES if role in READ_NOTES[s]]
    return frozenset(marker for s in readable for marker in shows_meeting(role, s) | {mk(s, "MTAG")})


def shows_meeting(role, state):
    if role not in READ_MEETING[state]:
        return set()
    shown = {mk(state, name) for name in ("TITLE", "POINTS", "TAG", "SPEAKER", "ORG", "COLLEAGUE")}
    if role in READ_NOTES[state]:
        shown |= {mk(state, "NOTES"), mk(state, "QUESTION"), mk(state, "OPENQ")}
    return shown


def shows_insight(role, state):
    return {mk(state, name) for name in INSIGHT_FIELDS} if role in READ_INSIGHT[state] else set()


def shows_cell(role, cell):
    """A cell's page: its meetings the reader may see, and the questions still open that they may read."""
    states = [s for s, spec in MEETING_STATES.items() if spec[0] == cell]
    return {mk(s, "TITLE") for s in states if role in READ_MEETING[s]} | {
        mk(s, "OPENQ") for s in states if role in READ_NOTES[s]
    }


def shows_meeting_titles(role, variant=None):
    return {mk(s, "TITLE") for s in MEETING_STATES if role in READ_MEETING[s]}


def shows_insight_titles(role, variant=None):
    return {mk(s, "ITITLE") for s in INSIGHT_STATES if role in READ_INSIGHT[s]}


def shows_people(role, variant=None):
    names = [name for name, _ in PEOPLE.values() if name] + [mk(s, "COLLEAGUE") for s in MEETING_STATES]
    return {name for name in names if role in READERS[name]}


def shows_person(role, key):
    if key == "everywhere":  # what they said and wrote: where the reader may read it
        return shows_meeting_titles(role) | shows_insight_titles(role)
    name, more = PEOPLE[key]
    return {name, *more} if role in READERS[name] else set()


def shows_organisation(role, key):
    if key == "commonground":  # the people who work there: those the reader may see
        return {mk(s, "COLLEAGUE") for s in MEETING_STATES if role in READERS[mk(s, "COLLEAGUE")]}
    return {ORGANISATIONS[key]} if role in READERS[ORGANISATIONS[key]] else set()


def allowed_on_members(role, variant=None):
    """A cell's convenors (and staff) see who is in it, even someone the site shows nobody else."""
    return (
        MAY_READ[role] | {mk("nobody", "NAME"), mk("nobody", "ORG")}
        if role in {"convenor", "staff"}
        else MAY_READ[role]
    )


def shows_tags(role, variant=None):
    return {tag for tag in TAGS[:-1] if role in READERS[tag]}


def shows_tag(role, tag):
    return {tag} if tag != "sharedtopic" and role in READERS[tag] else set()


def shows_search(role, variant):
    if variant == "MK" and connection.vendor == "postgresql":
        return set()  # full-text search matches whole words, and "MK" only begins the markers (SQLite finds them)
    if variant == "zebraword":
        return {mk(s, n) for s in MEETING_STATES if role in READ_NOTES[s] for n in ("TITLE", "NOTES")}
    people = shows_people(role)
    if len(people) > 20:  # the search shows 20 people at most
        people = set()
    return shows_meeting_titles(role) | shows_insight_titles(role) | people


def shows_questions(role, variant=None):
    """The questions page: every question the reader may read, open or taken up."""
    return {mk(s, question) for s in MEETING_STATES if role in READ_NOTES[s] for question in ("QUESTION", "OPENQ")}


def shows_question_choices(role, variant=None):
    """The meeting form offers the questions of the writer's cells that they may read."""
    return {
        mk(s, question)
        for s, spec in MEETING_STATES.items()
        for question in ("QUESTION", "OPENQ")
        if spec[0] in CONVENES.get(role, ()) and role in READ_NOTES[s]
    }


def shows_history(role, state):
    """The history compares the last two versions: the second added the speakers and questions. (A note's
    editors see its earlier versions in full: core/visibility.py.)"""
    if meeting_author(role, state) != 200:
        return set()
    return {mk(state, n) for n in ("TITLE", "SPEAKER", "QUESTION")}


def shows_bin(role, variant=None):
    return {mk("binned", "TITLE"), mk("binned", "ITITLE")} if role == "staff" else set()


def shows_insight_form(role, variant=None):
    if role != "staff":
        return set()
    live = [s for s in MEETING_STATES if s != "binned"]
    return {mk(s, "TITLE") for s in live} | {name for name, _ in PEOPLE.values() if name}


# --- the table ----------------------------------------------------------------------------------------------


@dataclass
class Page:
    """How a URL answers. `url(world, variant)` builds it; `rule(role, variant)` gives the status (or LOGIN);
    `allowed(role, variant)` the markers it may show (by default all the role may read); `shows(role, variant)`
    those it must show."""

    url: object
    rule: object
    variants: tuple = (None,)
    method: str = "get"
    data: dict = field(default_factory=dict)
    allowed: object = None
    shows: object = None


M_STATES = tuple(MEETING_STATES)
I_STATES = tuple(INSIGHT_STATES)


def meeting_url(name):
    return lambda world, state: reverse(name, args=[world["meetings"][state].slug])


def insight_url(name):
    return lambda world, state: reverse(name, args=[world["insights"][state].slug])


def fixed(name, *args):
    return lambda world, variant=None: reverse(name, args=args)


# --- feeds and calendars: public, so every role gets exactly what a visitor gets ----------------------------

VISITOR = "anonymous"


def for_visitors(role, variant=None):
    """Feeds, calendars and the sitemap show only what a visitor may read, whoever asks (no marker of a draft,
    members-only, cell-only or binned note, nor members-only notes of a public meeting, to anyone)."""
    return MAY_READ[VISITOR]


def visitor_reads(marker_of):
    """200 for every role if a visitor may read the marker the variant carries (None: for all), else 404."""
    return lambda role, variant: reading_marker(marker_of)(VISITOR, variant)


def in_feed(meetings=(), insights=()):
    """What a feed of meetings and insights in these states must show: the titles and key points a visitor reads."""
    shown = {mk(s, n) for s in meetings if VISITOR in READ_MEETING[s] for n in ("TITLE", "POINTS")}
    return shown | {mk(s, n) for s in insights if VISITOR in READ_INSIGHT[s] for n in ("ITITLE", "ISTAND")}


def in_tag_feed(role, tag):
    if tag == "sharedtopic":
        return in_feed(M_STATES, I_STATES)
    shown = in_feed([s for s in M_STATES if mk(s, "TAG") == tag], [s for s in I_STATES if mk(s, "ITAG") == tag])
    return shown | {tag}


def in_person_feed(role, key):
    if key == "everywhere":
        return in_feed(M_STATES, I_STATES)
    kind, _, state = key.partition("-")
    shown = in_feed([state]) if kind == "speaker" else in_feed(insights=[state]) if kind == "author" else set()
    return shown | {PEOPLE[key][0]}


def in_cell_feed(role, cell):
    return in_feed(
        [s for s in M_STATES if MEETING_STATES[s][0] == cell], [s for s in I_STATES if INSIGHT_STATES[s][0] == cell]
    )


def with_upcoming_date(name, *args):
    """The address of a calendar, once the cell has a next meeting set (made inside the savepoint each try rolls
    back, so the world stays as it was)."""

    def url(world, variant=None):
        from django.utils import timezone

        from cells.models import UpcomingDate

        day = timezone.localdate() + datetime.timedelta(days=30)
        UpcomingDate.objects.get_or_create(cell=world["cell"], date=day, defaults={"start_time": datetime.time(15)})
        return reverse(name, args=[world["cell"].slug if arg == "cell" else day for arg in args])

    return url


# --- notifications: following what one may see, one's email settings, unsubscribing, the bulletin preview -------

# One topic and one person of each kind of state (all of them would double the time for little more).
FOLLOWED_STATES = ("public", "members", "cell", "draft", "binned", "othercell", "reviewedcell")
FOLLOWABLE = {  # variant → (kind in the URL, the marker that decides who may see it; None: everyone)
    "cell:clip": ("cell", None),
    "cell:other": ("cell", None),
    "principle:principle-all": ("principle", None),
    "topic:sharedtopic": ("topic", None),
    **{f"topic:{mk(s, 'TAG')}": ("topic", mk(s, "TAG")) for s in FOLLOWED_STATES},
    **{f"topic:{mk(s, 'ITAG')}": ("topic", mk(s, "ITAG")) for s in ("draft", "othercell")},
    **{f"person:speaker-{s}": ("person", PEOPLE[f"speaker-{s}"][0]) for s in FOLLOWED_STATES},
    **{f"person:{key}": ("person", PEOPLE[key][0]) for key in ("author-draft", "profile", "nobody", "everywhere")},
}
UNFOLLOWABLE = ("cell:clip", "principle:principle-all", "topic:sharedtopic", "topic:MKCELLQTAG", "person:nobody")


def follow_url(name):
    def url(world, variant):
        kind, key = variant.split(":")
        obj = {"cell": world["cells"], "principle": {"principle-all": world["principle"]}}.get(kind, {}).get(key)
        obj = obj or (world["tags"][key] if kind == "topic" else world["people"][key])
        return reverse(name, args=[kind, obj.slug])

    return url


def following_rule(role, variant):
    """Members follow what they may see (302 back to its page); anything else is 404, as if it were not there."""
    if role == "anonymous":
        return LOGIN
    if role not in MEMBERS:
        return 403
    marker = FOLLOWABLE[variant][1]
    return 302 if marker is None or role in READERS[marker] else 404


def members_only(role, variant=None):
    if role == "anonymous":
        return LOGIN
    return 200 if role in MEMBERS else 403


def unsubscribe_url(world, variant):
    from notifications.tokens import make_token

    token = make_token(world["roles"]["reviewer"], "following") if variant == "valid" else "forged:token"
    return reverse("notifications:unsubscribe", args=[token])


# --- discussion: comments, moderation, the topics members add (discussion/) ------------------------------------


@pytest.fixture(autouse=True)
def no_posts_counted_yet():
    """The comment and topic rate limits live in the cache: each test starts with none counted."""
    cache.clear()


def on_all(kind):
    return tuple(f"{kind}:{state}" for state in (MEETING_STATES if kind == "meeting" else INSIGHT_STATES))


# The comments whose own pages are tried, and the topics removed: one of each kind of state (all of them would
# add time for little more).
COMMENTED = (
    *(f"meeting:{s}" for s in ("public", "cell", "draft", "cellnotes", "othercell", "binned")),
    *(f"insight:{s}" for s in ("public", "cell")),
)
TOPICKED = (*(f"meeting:{s}" for s in TOPICKED_STATES), *(f"insight:{s}" for s in ("public", "cell", "draft")))


def kind_state(variant):
    kind, state = variant.split(":")
    return kind, state, (MEETING_STATES if kind == "meeting" else INSIGHT_STATES)[state][0]


def discussion_marker(variant, name):
    kind, state, _cell = kind_state(variant)
    return mk(state, name if kind == "meeting" else f"I{name}")


def target_url(name, tag=False):
    def url(world, variant):
        kind, state, _cell = kind_state(variant)
        target = world[f"{kind}s"][state]
        args = [target.slug, world["tags"][discussion_marker(variant, "MTAG")].slug] if tag else [target.slug]
        return reverse(name, args=args)

    return url


def comment_url(name, marker="COMMENT"):
    return lambda world, variant: reverse(name, args=[world["comments"][discussion_marker(variant, marker)].pk])


def seeing(role, variant, layer):
    """LOGIN, 404, or None when `role` may see what `variant` names (layer: "first" for the content itself, or
    the marker of one of its comments)."""
    kind, state, _cell = kind_state(variant)
    readers = (READ_MEETING if kind == "meeting" else READ_INSIGHT)[state] if layer == "first" else READERS[layer]
    if role == "anonymous":
        return LOGIN
    return None if role in readers else 404


def commenting(role, variant):
    """Members who read the comments of what they see may comment (302 to their comment); else 403."""
    kind, state, _cell = kind_state(variant)
    refused = seeing(role, variant, "first")
    return refused or (302 if role in MEMBERS and role in discussion_layers(kind, state)["comments"] else 403)


def own_comment(role, variant):
    """A comment's author edits (for 15 minutes) and deletes it; nobody else."""
    refused = seeing(role, variant, discussion_marker(variant, "COMMENT"))
    return refused or (200 if role == COMMENTER[kind_state(variant)[2]] else 403)


def showing_comment(role, variant):
    """A comment's address (variant: "MARKER@kind:state", the comment, hidden one or removed one there) sends its
    readers to the page of the thread that shows it (302); a reader not yet a member is invited to log in for a
    shown comment on published content only members read; else 404."""
    marker, variant = variant.split("@")
    kind, state, _cell = kind_state(variant)
    if role in READERS[discussion_marker(variant, marker)]:
        return 302
    _cell, status, *visibilities, binned = (MEETING_STATES if kind == "meeting" else INSIGHT_STATES)[state]
    for_members = any(visibility != "public" for visibility in visibilities)
    shown = marker == "COMMENT"  # not hidden by a moderator, not removed by its author
    if role in EVERYONE - MEMBERS and shown and status == "published" and not binned and for_members:
        return INVITED
    return 404


def flagging(role, variant):
    """Any member who sees a comment flags it, but not its author."""
    refused = seeing(role, variant, discussion_marker(variant, "COMMENT"))
    return refused or (200 if role in MEMBERS and role != COMMENTER[kind_state(variant)[2]] else 403)


def moderating(marker):
    def rule(role, variant):
        kind, state, _cell = kind_state(variant)
        refused = seeing(role, variant, discussion_marker(variant, marker))
        return refused or (302 if role in moderators(kind, state) else 403)

    return rule


def adding_topics(role, variant):
    """Members add topics to the published notes and insights they see."""
    kind, state, _cell = kind_state(variant)
    spec = (MEETING_STATES if kind == "meeting" else INSIGHT_STATES)[state]
    return seeing(role, variant, "first") or (302 if role in MEMBERS and spec[1] == "published" else 403)


def removing_topic(role, variant):
    """Staff, the content's cell's convenors, and the member who added the topic remove it."""
    _kind, _state, cell = kind_state(variant)
    removers = {COMMENTER[cell]} | {role for role, cells in CONVENES.items() if cell in cells}
    return seeing(role, variant, "first") or (302 if role in removers else 403)


def shows_discussion(kind, role, state):
    """What a note's or insight's page shows of its comments and member-added topic."""
    layers = discussion_layers(kind, state)
    prefix = "" if kind == "meeting" else "I"
    shown = (
        {mk(state, f"{prefix}MTAG")} if role in (READ_MEETING if kind == "meeting" else READ_INSIGHT)[state] else set()
    )
    if role in layers["comments"]:
        shown.add(mk(state, f"{prefix}COMMENT"))
    if role in layers["hidden"]:
        shown.add(mk(state, f"{prefix}HIDDEN"))
    return shown


def shows_own_comment(rule):
    return lambda role, variant: {discussion_marker(variant, "COMMENT")} if rule(role, variant) == 200 else set()


def shows_moderation(role, variant=None):
    """Staff's moderation page: the flagged comments with their flags' reasons, and those hidden lately."""
    if role != "staff":
        return set()
    return {
        discussion_marker(variant, name)
        for kind in ("meeting", "insight")
        for variant in on_all(kind)
        if "staff" in discussion_layers(*kind_state(variant)[:2])["comments"]
        for name in ("COMMENT", "FLAG", "HIDDEN")
    }


EXPECTATIONS = {
    # reading
    "home": Page(fixed("home"), everyone),
    "about": Page(fixed("about"), everyone),
    "search": Page(
        lambda w, q: reverse("search") + f"?q={q}",
        everyone,
        variants=("MK", "zebraword"),
        allowed=allowed_in_notes_search,
        shows=shows_search,
    ),
    # discovery: the archive by year (the meetings are of 2021, the insights of 2019) and the network's questions
    "archive": Page(fixed("archive"), everyone),
    "archive_year": Page(
        lambda w, year: reverse("archive_year", args=[year]),
        everyone,
        variants=(2021, 2019),
        shows=lambda role, year: shows_meeting_titles(role) if year == 2021 else shows_insight_titles(role),
    ),
    "questions": Page(fixed("questions"), everyone, shows=shows_questions),
    "tag_list": Page(fixed("tag_list"), everyone, shows=shows_tags),
    "tag": Page(
        lambda w, tag: reverse("tag", args=[w["tags"][tag].slug]),
        reading_marker(lambda tag: None if tag == "sharedtopic" else tag),
        variants=tuple(TAGS),
        shows=shows_tag,
    ),
    # the topic pages' old /tags/ addresses move permanently to /topics/, for everyone, saying nothing of the topic
    "old_tag_list": Page(fixed("old_tag_list"), lambda role, v=None: 301),
    "old_tag": Page(
        lambda w, tag: reverse("old_tag", args=[w["tags"][tag].slug]), lambda role, v=None: 301, variants=tuple(TAGS)
    ),
    "old_feed_tag": Page(
        lambda w, tag: reverse("old_feed_tag", args=[w["tags"][tag].slug]),
        lambda role, v=None: 301,
        variants=tuple(TAGS),
    ),
    "insights:principle_list": Page(fixed("insights:principle_list"), everyone),
    "insights:principle": Page(
        lambda w, v=None: w["principle"].get_absolute_url(),
        everyone,
        shows=lambda role, v: shows_meeting_titles(role) | shows_insight_titles(role),
    ),
    "insights:insight_list": Page(fixed("insights:insight_list"), everyone, shows=shows_insight_titles),
    "insights:insight": Page(
        insight_url("insights:insight"),
        reading_insight,
        variants=I_STATES,
        shows=lambda role, state: shows_insight(role, state) | shows_discussion("insight", role, state),
    ),
    "cells:cell_list": Page(fixed("cells:cell_list"), everyone),
    "cells:cell": Page(
        lambda w, c: w["cells"][c].get_absolute_url(), everyone, variants=("clip", "other"), shows=shows_cell
    ),
    "cells:meeting_list": Page(fixed("cells:meeting_list"), everyone, shows=shows_meeting_titles),
    "cells:meeting": Page(
        meeting_url("cells:meeting"),
        reading_meeting,
        variants=M_STATES,
        shows=lambda role, state: shows_meeting(role, state) | shows_discussion("meeting", role, state),
    ),
    "people:person_list": Page(fixed("people:person_list"), everyone, shows=shows_people),
    "people:person": Page(
        lambda w, key: w["people"][key].get_absolute_url(),
        reading_marker(lambda key: PEOPLE[key][0]),
        variants=tuple(PEOPLE),
        shows=shows_person,
    ),
    "people:organisation": Page(
        lambda w, key: w["organisations"][key].get_absolute_url(),
        reading_marker(lambda key: ORGANISATIONS[key]),
        variants=tuple(ORGANISATIONS),
        shows=shows_organisation,
    ),
    # feeds and calendars: public only, the same for every role (betterway/feeds.py, calendars.py, sitemaps.py)
    "feed_notes": Page(fixed("feed_notes"), everyone, allowed=for_visitors, shows=lambda r, v: in_feed(M_STATES)),
    "feed_insights": Page(
        fixed("feed_insights"), everyone, allowed=for_visitors, shows=lambda r, v: in_feed(insights=I_STATES)
    ),
    "feed_principle": Page(
        lambda w, v=None: reverse("feed_principle", args=[w["principle"].slug]),
        everyone,
        allowed=for_visitors,
        shows=lambda r, v: in_feed(M_STATES, I_STATES),
    ),
    "feed_cell": Page(
        lambda w, c: reverse("feed_cell", args=[w["cells"][c].slug]),
        everyone,
        variants=("clip", "other"),
        allowed=for_visitors,
        shows=in_cell_feed,
    ),
    "feed_tag": Page(
        lambda w, tag: reverse("feed_tag", args=[w["tags"][tag].slug]),
        visitor_reads(lambda tag: None if tag == "sharedtopic" else tag),
        variants=tuple(TAGS),
        allowed=for_visitors,
        shows=in_tag_feed,
    ),
    "feed_person": Page(
        lambda w, key: reverse("feed_person", args=[w["people"][key].slug]),
        visitor_reads(lambda key: PEOPLE[key][0]),
        variants=tuple(PEOPLE),
        allowed=for_visitors,
        shows=in_person_feed,
    ),
    "calendar": Page(
        with_upcoming_date("calendar"), everyone, allowed=for_visitors, shows=lambda r, v: {"BEGIN:VEVENT", "clip"}
    ),
    "cell_calendar": Page(
        with_upcoming_date("cell_calendar", "cell"), everyone, allowed=for_visitors, shows=lambda r, v: {"BEGIN:VEVENT"}
    ),
    "upcoming_date_calendar": Page(
        with_upcoming_date("upcoming_date_calendar", "cell", "day"),
        everyone,
        allowed=for_visitors,
        shows=lambda r, v: {"BEGIN:VEVENT"},
    ),
    "sitemap": Page(
        fixed("sitemap"),
        everyone,
        allowed=for_visitors,
        shows=lambda r, v: {"/notes/m-public/", "/notes/m-membersnotes/", "/insights/i-public/"},
    ),
    "robots_txt": Page(fixed("robots_txt"), everyone, allowed=for_visitors, shows=lambda r, v: {"Sitemap: "}),
    "favicon": Page(fixed("favicon"), lambda role, v=None: 302, allowed=for_visitors),
    # members
    "people:profile": Page(fixed("people:profile"), logged_in),
    "cells:join": Page(lambda w, v=None: reverse("cells:join", args=[w["cell"].slug]), joining, method="post"),
    "cells:members": Page(
        lambda w, v=None: reverse("cells:members", args=[w["cell"].slug]), cell_convenor, allowed=allowed_on_members
    ),
    "cells:decide_request": Page(
        lambda w, v=None: reverse("cells:decide_request", args=[w["cell"].slug, w["join_request"].pk]),
        post_done(cell_convenor),
        method="post",
        data={"decision": "accept"},
    ),
    # writing up meetings
    "cells:my_notes": Page(fixed("cells:my_notes"), authors_only),
    "cells:meeting_create": Page(
        fixed("cells:meeting_create"), authors_only, allowed=allowed_on_forms, shows=shows_question_choices
    ),
    "note_import": Page(fixed("note_import"), authors_only),
    "cells:meeting_edit": Page(
        meeting_url("cells:meeting_edit"),
        meeting_author,
        variants=M_STATES,
        allowed=allowed_on_forms,
        shows=lambda role, state: shows_question_choices(role) if meeting_author(role, state) == 200 else set(),
    ),
    "cells:meeting_preview": Page(
        meeting_url("cells:meeting_preview"),
        meeting_author,
        variants=M_STATES,
        shows=lambda role, state: shows_meeting(role, state) if meeting_author(role, state) == 200 else set(),
    ),
    "cells:meeting_publish": Page(meeting_url("cells:meeting_publish"), meeting_author, variants=M_STATES),
    "cells:meeting_unpublish": Page(
        meeting_url("cells:meeting_unpublish"), post_done(meeting_author), variants=M_STATES, method="post"
    ),
    "cells:meeting_delete": Page(meeting_url("cells:meeting_delete"), meeting_author, variants=M_STATES),
    "cells:meeting_request_reviews": Page(
        meeting_url("cells:meeting_request_reviews"), post_done(meeting_author), variants=M_STATES, method="post"
    ),
    "cells:meeting_review": Page(
        meeting_url("cells:meeting_review"),
        reviewing,
        variants=M_STATES,
        shows=lambda role, state: shows_meeting(role, state) if reviewing(role, state) == 200 else set(),
    ),
    "cells:meeting_history": Page(
        meeting_url("cells:meeting_history"), meeting_author, variants=M_STATES, shows=shows_history
    ),
    "cells:meeting_restore": Page(
        lambda w, s: reverse("cells:meeting_restore", args=[w["meetings"][s].slug, w["meeting_versions"][s]]),
        post_done(meeting_author),
        variants=M_STATES,
        method="post",
    ),
    # staff: insights and the bin
    "insights:insight_create": Page(fixed("insights:insight_create"), staff_only, shows=shows_insight_form),
    "insights:insight_edit": Page(insight_url("insights:insight_edit"), insight_author, variants=I_STATES),
    "insights:insight_preview": Page(insight_url("insights:insight_preview"), insight_author, variants=I_STATES),
    "insights:insight_publish": Page(insight_url("insights:insight_publish"), insight_author, variants=I_STATES),
    "insights:insight_unpublish": Page(
        insight_url("insights:insight_unpublish"), post_done(insight_author), variants=I_STATES, method="post"
    ),
    "insights:insight_delete": Page(insight_url("insights:insight_delete"), insight_author, variants=I_STATES),
    "insights:insight_history": Page(insight_url("insights:insight_history"), insight_author, variants=I_STATES),
    "insights:insight_restore": Page(
        lambda w, s: reverse("insights:insight_restore", args=[w["insights"][s].slug, w["insight_versions"][s]]),
        post_done(insight_author),
        variants=I_STATES,
        method="post",
    ),
    "bin": Page(fixed("bin"), staff_only, allowed=allowed_on_bin, shows=shows_bin),
    "bin_restore": Page(
        lambda w, v=None: reverse("bin_restore", args=["meeting", w["meetings"]["binned"].pk]),
        post_done(staff_only),
        method="post",
    ),
    # notifications: following, email settings, one-click unsubscribe (no login), staff's bulletin preview
    "notifications:follow": Page(
        follow_url("notifications:follow"), following_rule, variants=tuple(FOLLOWABLE), method="post"
    ),
    "notifications:unfollow": Page(
        follow_url("notifications:unfollow"), following_rule, variants=UNFOLLOWABLE, method="post"
    ),
    "notifications:preferences": Page(fixed("notifications:preferences"), members_only),
    "notifications:unsubscribe": Page(
        unsubscribe_url, lambda role, variant: 200 if variant == "valid" else 404, variants=("valid", "forged")
    ),
    "notifications:bulletin_preview": Page(fixed("notifications:bulletin_preview"), staff_only),
    # discussion: comments (posting, the author's edit and delete, flags), moderators, the topics members add
    "discussion:meeting_comment": Page(
        target_url("discussion:meeting_comment"),
        commenting,
        variants=on_all("meeting"),
        method="post",
        data={"body": "A new comment."},
    ),
    "discussion:insight_comment": Page(
        target_url("discussion:insight_comment"),
        commenting,
        variants=on_all("insight"),
        method="post",
        data={"body": "A new comment."},
    ),
    "discussion:comment": Page(
        lambda world, variant: comment_url("discussion:comment", variant.split("@")[0])(world, variant.split("@")[1]),
        showing_comment,
        variants=tuple(f"{marker}@{variant}" for marker in ("COMMENT", "HIDDEN", "REMOVED") for variant in COMMENTED),
    ),
    "discussion:comment_edit": Page(
        comment_url("discussion:comment_edit"), own_comment, variants=COMMENTED, shows=shows_own_comment(own_comment)
    ),
    "discussion:comment_delete": Page(
        comment_url("discussion:comment_delete"), own_comment, variants=COMMENTED, shows=shows_own_comment(own_comment)
    ),
    "discussion:comment_flag": Page(
        comment_url("discussion:comment_flag"), flagging, variants=COMMENTED, shows=shows_own_comment(flagging)
    ),
    "discussion:comment_hide": Page(
        comment_url("discussion:comment_hide"), moderating("COMMENT"), variants=COMMENTED, method="post"
    ),
    "discussion:comment_keep": Page(
        comment_url("discussion:comment_keep"), moderating("COMMENT"), variants=COMMENTED, method="post"
    ),
    "discussion:comment_restore": Page(
        comment_url("discussion:comment_restore", "HIDDEN"), moderating("HIDDEN"), variants=COMMENTED, method="post"
    ),
    "discussion:moderation": Page(fixed("discussion:moderation"), staff_only, shows=shows_moderation),
    "discussion:meeting_topics": Page(
        target_url("discussion:meeting_topics"),
        adding_topics,
        variants=on_all("meeting"),
        method="post",
        data={"names": "a topic added"},
    ),
    "discussion:insight_topics": Page(
        target_url("discussion:insight_topics"),
        adding_topics,
        variants=on_all("insight"),
        method="post",
        data={"names": "a topic added"},
    ),
    "discussion:meeting_topic_remove": Page(
        target_url("discussion:meeting_topic_remove", tag=True),
        removing_topic,
        variants=tuple(v for v in TOPICKED if v.startswith("meeting")),
        method="post",
    ),
    "discussion:insight_topic_remove": Page(
        target_url("discussion:insight_topic_remove", tag=True),
        removing_topic,
        variants=tuple(v for v in TOPICKED if v.startswith("insight")),
        method="post",
    ),
    # accounts (django-allauth)
    "account_login": Page(fixed("account_login"), anonymous_only),
    "account_signup": Page(fixed("account_signup"), anonymous_only),
    "account_logout": Page(fixed("account_logout"), lambda role, v=None: 302, method="post"),
    "account_inactive": Page(fixed("account_inactive"), everyone),
    # two-factor authentication (allauth.mfa): for anyone logged in; what needs a recent password is sent to ask
    # for it, what the reader has not set up is not there
    "mfa_index": Page(fixed("mfa_index"), logged_in),
    "mfa_authenticate": Page(fixed("mfa_authenticate"), lambda role, v=None: logged_in(role, ok=302)),
    "mfa_reauthenticate": Page(fixed("mfa_reauthenticate"), lambda role, v=None: logged_in(role, ok=302)),
    "mfa_activate_totp": Page(fixed("mfa_activate_totp"), lambda role, v=None: logged_in(role, ok=302)),
    "mfa_deactivate_totp": Page(fixed("mfa_deactivate_totp"), lambda role, v=None: logged_in(role, ok=404)),
    "mfa_view_recovery_codes": Page(fixed("mfa_view_recovery_codes"), lambda role, v=None: logged_in(role, ok=404)),
    "mfa_generate_recovery_codes": Page(
        fixed("mfa_generate_recovery_codes"), lambda role, v=None: logged_in(role, ok=302)
    ),
    "mfa_download_recovery_codes": Page(
        fixed("mfa_download_recovery_codes"), lambda role, v=None: logged_in(role, ok=404)
    ),
    "account_reauthenticate": Page(fixed("account_reauthenticate"), logged_in),
    "account_email": Page(fixed("account_email"), logged_in),
    "account_email_verification_sent": Page(fixed("account_email_verification_sent"), everyone),
    "account_change_password": Page(fixed("account_change_password"), logged_in),
    "account_set_password": Page(
        fixed("account_set_password"), lambda role, v=None: LOGIN if role == "anonymous" else 302
    ),  # users with a password are sent to change it instead
    "account_reset_password": Page(fixed("account_reset_password"), everyone),
    "account_reset_password_done": Page(fixed("account_reset_password_done"), everyone),
    "account_reset_password_from_key": Page(fixed("account_reset_password_from_key", "0", "bad-key"), everyone),
    "account_reset_password_from_key_done": Page(fixed("account_reset_password_from_key_done"), everyone),
    "account_confirm_email": Page(fixed("account_confirm_email", "bad-key"), everyone),
    # login by code is off: with no code pending, everyone is sent away (visitors to the login page)
    "account_confirm_login_code": Page(
        fixed("account_confirm_login_code"), lambda role, v=None: logged_in(role, ok=302)
    ),
}


# --- the admin: staff's alone ---------------------------------------------------------------------------------


def admin_only(staff_answer=200, others=ADMIN_LOGIN):
    """Everyone but staff is sent to the admin's login page; staff get `staff_answer`."""
    return lambda role, variant=None: staff_answer if role == "staff" else others


def admin_shows_titles(role, variant=None):
    return {mk(s, "TITLE") for s in MEETING_STATES} if role == "staff" else set()


def admin_shows_insight_titles(role, variant=None):
    return {mk(s, "ITITLE") for s in INSIGHT_STATES} if role == "staff" else set()


def admin_shows_meeting(role, state):
    return {mk(state, n) for n in ("TITLE", "POINTS", "NOTES", "QUESTION")} if role == "staff" else set()


def admin_shows_insight(role, state):
    return {mk(state, n) for n in ("ITITLE", "ISTAND", "IBODY")} if role == "staff" else set()


def admin_allowed(role, variant=None):
    return ALL_MARKERS if role == "staff" else frozenset()  # staff may see everything there; nobody else anything


ADMIN_SITE = {
    "admin:index": Page(fixed("admin:index"), admin_only()),
    # the admin's login is the site's (two-factor included): visitors are sent to it, other members refused, staff
    # sent in
    "admin:login": Page(
        fixed("admin:login"),
        lambda role, v=None: {"staff": 302, "anonymous": LOGIN}.get(role, 403),
    ),
    # logging out is a POST; others are sent to the admin's front page, which sends them to log in
    "admin:logout": Page(fixed("admin:logout"), admin_only(405, others=302)),
    "admin:password_change": Page(fixed("admin:password_change"), admin_only()),
    "admin:password_change_done": Page(fixed("admin:password_change_done"), admin_only()),
    "admin:autocomplete": Page(
        lambda w, v=None: (
            reverse("admin:autocomplete") + "?app_label=cells&model_name=speaker&field_name=person&term=mk"
        ),
        admin_only(),
        shows=lambda role, v: {mk("draft", "SPEAKER")} if role == "staff" else set(),
    ),
    "admin:jsi18n": Page(fixed("admin:jsi18n"), admin_only()),
    "admin:view_on_site": Page(
        lambda w, v=None: reverse(
            "admin:view_on_site",
            args=[ContentType.objects.get_for_model(w["meetings"]["public"]).pk, w["meetings"]["public"].pk],
        ),
        admin_only(302),
    ),
    "admin:app_list": Page(
        lambda w, app: reverse("admin:app_list", args=[app]),
        admin_only(),
        variants=tuple(sorted({m._meta.app_label for m in admin.site._registry})),
    ),
    "admin:auth_user_password_change": Page(
        lambda w, v=None: reverse("admin:auth_user_password_change", args=[w["roles"]["reviewer"].pk]), admin_only()
    ),
    "admin:taggit_tag_merge_tags": Page(fixed("admin:taggit_tag_merge_tags"), admin_only()),
}
ADMIN_MODEL_PAGES = ["changelist", "add", "history", "delete", "change"]
NEVER_DELETED = {
    "cells.Meeting",
    "insights.Insight",
    "taggit.Tag",
}  # binned instead; topics merged, never deleted (403)
READ_ONLY = {"django_tasks_database.DBTaskResult", "notifications.Delivery"}  # records: no add or delete page (403)


def admin_object(world, label, variant):
    """The object whose admin pages are opened, for each registered model."""
    if label == "cells.Meeting":
        return world["meetings"][variant]
    if label == "insights.Insight":
        return world["insights"][variant]
    return {
        "auth.Group": lambda: world["group"],
        "auth.User": lambda: world["roles"]["reviewer"],
        "taggit.Tag": lambda: world["tags"][mk("draft", "TAG")],
        "account.EmailAddress": lambda: world["roles"]["reviewer"].emailaddress_set.get(),
        "people.Organisation": lambda: world["organisations"]["speaker-draft"],
        "people.Person": lambda: world["people"]["speaker-draft"],
        "cells.Cell": lambda: world["cell"],
        "insights.Principle": lambda: world["principle"],
        "django_tasks_database.DBTaskResult": lambda: _task_result(),
        "notifications.Follow": lambda: world["roles"]["reviewer"].follows.create(cell=world["cell"]),
        "notifications.Preference": lambda: world["roles"]["reviewer"].email_preferences.create(
            kind="replies", frequency="never"
        ),
        "notifications.Delivery": lambda: world["roles"]["reviewer"].deliveries.create(
            key="bulletin:2026-W01", kind="bulletin"
        ),
        "mfa.Authenticator": lambda: Authenticator.objects.create(
            user=world["roles"]["reviewer"], type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00" * 20}
        ),
    }[label]()


def _task_result():
    """A finished background task (the admin lists them for staff, read-only)."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="notifications.tasks.example",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )


def admin_model_page(model, page):
    label = model._meta.label
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
    variants = {"cells.Meeting": M_STATES, "insights.Insight": I_STATES}.get(label, (None,))
    if page in ("changelist", "add"):
        url = fixed(name)
        variants = (None,)
    else:

        def url(world, variant, name=name, label=label):
            return reverse(name, args=[admin_object(world, label, variant).pk])

    staff_answer = (
        403
        if (page == "delete" and label in NEVER_DELETED) or (page in ("add", "delete") and label in READ_ONLY)
        else 200
    )
    shows = None
    if label == "cells.Meeting":
        shows = {"changelist": admin_shows_titles, "change": admin_shows_meeting}.get(page)
    elif label == "insights.Insight":
        shows = {"changelist": admin_shows_insight_titles, "change": admin_shows_insight}.get(page)
    return name, Page(url, admin_only(staff_answer), variants=variants, shows=shows)


def admin_pages():
    """Every admin URL, grouped: the site's own pages, then each registered model's."""
    groups = {"site": dict(ADMIN_SITE)}
    for model in admin.site._registry:
        groups[model._meta.label] = dict(admin_model_page(model, page) for page in ADMIN_MODEL_PAGES)
    return groups


ADMIN = admin_pages()


# --- every URL is in the table ----------------------------------------------------------------------------------


def site_url_names():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_of_the_site_is_in_the_permission_table():
    named = set(EXPECTATIONS) | {name for group in ADMIN.values() for name in group}
    assert site_url_names() - named == set(), "add the new URL to EXPECTATIONS (or ADMIN_SITE)"
    assert named - site_url_names() == set(), "remove URLs the site no longer has"


def test_the_markers_are_unique_and_none_hides_inside_another():
    markers = sorted(ALL_MARKERS | set(TAGS))
    clashes = [(a, b) for a in markers for b in markers if a != b and a.lower() in b.lower()]
    assert not clashes


# --- the world ----------------------------------------------------------------------------------------------------


@pytest.fixture
def world(cell, users):
    other = users["other_convenor"].person.memberships.get().cell
    cells = {"clip": cell, "other": other}
    reviewer = verified_user(username="reviewer@example.org")  # a speaker asked to review drafts that name them
    users["staff"].is_superuser = True  # staff use the admin with every permission
    users["staff"].save()
    roles = dict(users, unverified=UserFactory(username="unverified@example.org"), reviewer=reviewer)
    principle = PrincipleFactory(slug="principle-all")
    organisations = {"commonground": OrganisationFactory(name="Commonground Trust", slug="o-commonground")}
    people = {
        "everywhere": PersonFactory(
            name="Pat Everywhere", slug="p-everywhere", organisation=organisations["commonground"]
        ),
        "reviewer": PersonFactory(name="Robin Reviewer", slug="p-reviewer", user=reviewer),
    }
    meetings, meeting_versions, numbers = {}, {}, {"clip": 0, "other": 0}
    for day, (state, (where, status, visibility, notes_visibility, binned)) in enumerate(MEETING_STATES.items()):
        numbers[where] += 1
        meeting = MeetingFactory(
            cell=cells[where],
            number=numbers[where],
            kind="cell_meeting",
            slug=f"m-{state}",
            title=f"{mk(state, 'TITLE')} meeting",
            date=datetime.date(2021, 1, 10 + day),
            date_precision="day",
            summary=f"A key point: {mk(state, 'POINTS')}.",
            notes=f"Zebraword {mk(state, 'NOTES')} in detail.",
            status=status,
            visibility=visibility,
            notes_visibility=notes_visibility,
            deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) if binned else None,
            tags=[mk(state, "TAG"), "sharedtopic"],
            principles=[principle],
        )
        organisations[f"speaker-{state}"] = OrganisationFactory(
            name=name_of(mk(state, "ORG"), "Trust"), slug=f"o-{state}"
        )
        people[f"speaker-{state}"] = speaker = PersonFactory(
            name=name_of(mk(state, "SPEAKER"), "Jones"),
            slug=f"p-{state}",
            organisation=organisations[f"speaker-{state}"],
            role=name_of(mk(state, "JOB"), "director"),
            bio=f"Works on {mk(state, 'BIO')}.",
        )
        SpeakerFactory(meeting=meeting, person=speaker)
        SpeakerFactory(
            meeting=meeting,
            role="facilitator",
            person=PersonFactory(
                name=name_of(mk(state, "COLLEAGUE"), "Brown"),
                slug=f"c-{state}",
                organisation=organisations["commonground"],
            ),
        )
        SpeakerFactory(meeting=meeting, role="presenter", person=people["everywhere"])
        QuestionFactory(raised_at=meeting, text=f"What of {mk(state, 'QUESTION')}?", order=1)
        QuestionFactory(raised_at=meeting, text=f"And what of {mk(state, 'OPENQ')}?", order=2)
        meetings[state] = meeting
    for state in sorted(REVIEWED):
        status = "requested" if MEETING_STATES[state][1] == "draft" else "confirmed"
        SpeakerFactory(meeting=meetings[state], role="introducer", person=people["reviewer"])
        SpeakerReview.objects.create(meeting=meetings[state], person=people["reviewer"], status=status)
    public = meetings["public"]
    # The public note takes up a question of every other note, and its own is taken up at all of them.
    for meeting in meetings.values():
        if meeting != public:
            meeting.questions.get(order=1).taken_up_in.add(public)
            public.questions.get(order=1).taken_up_in.add(meeting)

    insights, insight_versions = {}, {}
    for day, (state, (where, status, visibility, binned)) in enumerate(INSIGHT_STATES.items()):
        organisations[f"author-{state}"] = OrganisationFactory(
            name=name_of(mk(state, "WORKPLACE"), "Trust"), slug=f"oa-{state}"
        )
        people[f"author-{state}"] = PersonFactory(
            name=name_of(mk(state, "AUTHOR"), "Smith"), slug=f"a-{state}", organisation=organisations[f"author-{state}"]
        )
        insights[state] = InsightFactory(
            slug=f"i-{state}",
            title=f"{mk(state, 'ITITLE')} insight",
            cell=cells[where],
            standfirst=f"Standfirst {mk(state, 'ISTAND')}.",
            body=f"Body {mk(state, 'IBODY')}.",
            published_on=datetime.date(2019, 1, 10 + day),
            status=status,
            visibility=visibility,
            deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) if binned else None,
            authors=[
                people[f"author-{state}"],
                people["everywhere"],
                *([people["reviewer"]] if state == "draft" else []),
            ],
            tags=[mk(state, "ITAG"), "sharedtopic"],
            principles=[principle],
            source_meetings=list(meetings.values()) if state == "public" else [public],
        )
    organisations["nobody"] = OrganisationFactory(name=name_of(mk("nobody", "ORG"), "Ltd"), slug="o-nobody")
    people["nobody"] = PersonFactory(
        name=name_of(mk("nobody", "NAME"), "Hidden"), slug="p-nobody", organisation=organisations["nobody"]
    )
    MembershipFactory(cell=cell, person=people["nobody"], role=Membership.Role.THOUGHT_LEADER)  # named by no content
    people["profile"] = PersonFactory(
        name=name_of(mk("profile", "NAME"), "Public"), slug="p-profile", organisation=None, is_public=True
    )

    # discussion: on each note and insight, a comment (flagged), a reply to it, a hidden comment, one its author
    # deleted, and a topic a member added (markers: MEETING_DISCUSSION). Made in bulk, for time: the site writes
    # each through core.versions.saving (tests/test_comments.py, test_member_tags.py).
    rows, replies, flags, topics = {}, {}, [], {}
    for kind, objects in (("meeting", meetings), ("insight", insights)):
        for state, obj in objects.items():
            variant = f"{kind}:{state}"
            author = roles[COMMENTER[kind_state(variant)[2]]]
            on = {"meeting": obj, "insight": None} if kind == "meeting" else {"meeting": None, "insight": obj}
            taken_down = {
                "COMMENT": {},
                "HIDDEN": {"hidden_at": timezone.now(), "hidden_by": users["staff"]},
                "REMOVED": {"removed_at": timezone.now()},
            }
            for name, how in taken_down.items():
                marker = discussion_marker(variant, name)
                rows[marker] = Comment(**on, author=author, body=f"Said: {marker}.", **how)
            replies[variant] = (discussion_marker(variant, "COMMENT"), Comment(**on, author=author, body="A reply."))
            flags.append((discussion_marker(variant, "COMMENT"), f"Why: {discussion_marker(variant, 'FLAG')}."))
            topics[discussion_marker(variant, "MTAG")] = (obj, author)
    Comment.objects.bulk_create(rows.values())
    for first, reply in replies.values():
        reply.parent = rows[first]
    Comment.objects.bulk_create(reply for _first, reply in replies.values())
    comments = rows
    Flag.objects.bulk_create(Flag(comment=comments[marker], flagged_by=reviewer, reason=why) for marker, why in flags)
    added = {tag.name: tag for tag in Tag.objects.bulk_create(Tag(name=name, slug=name.lower()) for name in topics)}
    links = TaggedItem.objects.bulk_create(
        TaggedItem(tag=added[name], content_object=obj) for name, (obj, _author) in topics.items()
    )
    MemberTag.objects.bulk_create(MemberTag(tagged_item=link, added_by=topics[link.tag.name][1]) for link in links)

    # A last version of each, with its speakers, questions and topics, for the history and restore pages
    # (the factory kept the first, before any of them).
    for objects, kept in ((meetings, meeting_versions), (insights, insight_versions)):
        for state, obj in objects.items():
            with versions.saving(obj, user=users["staff"], comment="Edited"):
                obj.editorial_note = "Checked."
                obj.save()
            kept[state] = Version.objects.get_for_object(obj).last().pk
    return {
        "roles": roles,
        "cell": cell,
        "cells": cells,
        "principle": principle,
        "meetings": meetings,
        "insights": insights,
        "people": people,
        "organisations": organisations,
        "tags": {tag.name: tag for tag in Tag.objects.filter(name__in=TAGS)},
        "meeting_versions": meeting_versions,
        "insight_versions": insight_versions,
        "comments": comments,
        "join_request": JoinRequest.objects.create(cell=cell, user=UserFactory()),
        "group": Group.objects.create(name="Editors"),
    }


# --- trying each page --------------------------------------------------------------------------------------------

CHECKS = {"requests": 0, "markers": 0}


@pytest.fixture(scope="module", autouse=True)
def count_checks(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter and capture and CHECKS["requests"]:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\ntest_permissions: {CHECKS['requests']} requests (one status check each), "
                f"{CHECKS['markers']} marker checks"
            )


def answer(client, page, world, variant):
    """(status, or LOGIN / ADMIN_LOGIN for a redirect to a login page, INVITED for the page that says it is for
    members; the page's text, lower case)."""
    url = page.url(world, variant)
    response = client.post(url, page.data) if page.method == "post" else client.get(url)
    if response.status_code == 302 and response["Location"].startswith(reverse("account_login")):
        return LOGIN, ""
    if response.status_code == 302 and response["Location"].startswith(reverse("admin:login")):
        return ADMIN_LOGIN, ""
    text = without_address(response.content.decode(), url)
    if response.status_code == 403 and "this page is for members of a better way" in text:
        return INVITED, text  # its text is still checked for markers
    return response.status_code, text


def without_address(text, url):
    """The page's text in lower case, without the address the reader asked for (a "Log in" link repeats it,
    and the address of a topic is its name): a reader is not told what they typed themselves."""
    text = text.lower()
    for form in {url, quote(url), quote(url, safe="")}:
        text = text.replace(form.lower(), "")
    return text


def around(text, marker, width=70):
    at = text.find(marker.lower())
    return " ".join(text[max(0, at - width) : at + len(marker) + width].split())


def problems_with(page, role, variant, got, text):
    """What is wrong with one answer: the markers it shows that `role` may not read, and those it should show."""
    allowed = page.allowed(role, variant) if page.allowed else MAY_READ[role]
    wrong = []
    for marker in sorted(ALL_MARKERS - allowed):
        CHECKS["markers"] += 1
        if marker.lower() in text:
            wrong.append(f"{role:<15} {variant or '':<22} shows {marker}: …{around(text, marker)}…")
    if got == 200 and page.shows:
        for marker in sorted(page.shows(role, variant)):
            CHECKS["markers"] += 1
            if marker.lower() not in text:
                wrong.append(f"{role:<15} {variant or '':<22} does not show {marker}, which it may read")
    return wrong


def try_page(client_for, world, name, page):
    wrong = []
    for role in ROLES:
        for variant in page.variants:
            expected = page.rule(role, variant)
            savepoint = transaction.savepoint()
            try:
                got, text = answer(client_for(world["roles"][role]), page, world, variant)
            finally:
                transaction.savepoint_rollback(savepoint)
            CHECKS["requests"] += 1
            if got != expected:
                wrong.append(f"{role:<15} {variant or '':<22} expected {expected}, got {got}")
            wrong += problems_with(page, role, variant, got, text)
    return [f"{name}: {line}" for line in wrong]


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_each_role_gets_the_expected_answer_and_sees_only_what_it_may_read(client_for, world, name):
    """For one URL: every role, and every state where the URL is about one meeting, insight, person or topic.
    Each try is rolled back, so an action one role takes does not change what the next one meets."""
    wrong = try_page(client_for, world, name, EXPECTATIONS[name])
    assert not wrong, "\n" + "\n".join(wrong)


@pytest.mark.parametrize("group", sorted(ADMIN))
def test_the_admin_is_staffs_alone(client_for, world, group):
    """Every admin URL: staff may see everything there; everyone else is sent to log in and sees nothing."""
    wrong = []
    for name, page in ADMIN[group].items():
        wrong += try_page(
            client_for,
            world,
            name,
            Page(page.url, page.rule, page.variants, page.method, page.data, allowed=admin_allowed, shows=page.shows),
        )
    assert not wrong, "\n" + "\n".join(wrong)


# --- counts, and what an upload says --------------------------------------------------------------------------------


def test_topic_counts_count_only_what_the_reader_may_read(client_for, world):
    """A topic used everywhere counts, for each reader, only the notes and insights they may read."""
    wrong = []
    for role in ROLES:
        text = client_for(world["roles"][role]).get(reverse("tag_list")).content.decode()
        found = re.search(r">\s*sharedtopic\s*<span class=\"count\">\s*(\d+)", text)
        expected = sum(role in READ_MEETING[s] for s in MEETING_STATES) + sum(
            role in READ_INSIGHT[s] for s in INSIGHT_STATES
        )
        CHECKS["requests"] += 1
        if not found or int(found.group(1)) != expected:
            wrong.append(f"{role}: expected {expected}, got {found and found.group(1)}")
    assert not wrong, "\n" + "\n".join(wrong)


def upload(client, world, role, state, *, title_number):
    """Upload a note for a cell `role` convenes, held on the day of the meeting in `state` and naming its
    speaker (without an organisation): what the result page says of the site's meetings and people."""
    cell = world["cells"]["other" if role == "other_convenor" else "clip"]
    meeting = world["meetings"][state]
    speaker = world["people"][f"speaker-{state}"].name
    note = (
        f"{cell.name} Cell {title_number}\n\n"
        f"Notes of the meeting held on {meeting.date.day} {meeting.date:%B %Y}, online\n\n"
        f"{speaker}, convenor of the cell, welcomed everyone and introduced the meeting.\n\n"
        f"Participants agreed that trust matters.\n"
    ).encode()
    response = client.post(reverse("note_import"), {"file": SimpleUploadedFile("note.txt", note)})
    return response.status_code, response.content.decode().lower(), mk(state, "SPEAKER")


@pytest.mark.parametrize("role", ["convenor", "other_convenor", "staff"])
def test_an_upload_names_no_meeting_or_person_its_uploader_may_not_see(client_for, world, role):
    """A note held on the day of a meeting the uploader may not see is not matched to it, and a speaker
    named like someone hidden from the uploader is not matched to them (nor their organisation named).
    A note held on the day of a meeting they may see IS matched to it, so the check is not vacuous."""
    wrong = []
    hidden = [s for s in MEETING_STATES if role not in READ_MEETING[s]]
    seen = next(s for s in MEETING_STATES if role in READ_MEETING[s] and MEETING_STATES[s][0] in CONVENES[role])
    for number, state in enumerate([*hidden, seen], start=41):
        savepoint = transaction.savepoint()
        try:
            status, text, typed = upload(client_for(world["roles"][role]), world, role, state, title_number=number)
        finally:
            transaction.savepoint_rollback(savepoint)
        CHECKS["requests"] += 1
        if status != 200:
            wrong.append(f"{state}: status {status}")
        for marker in sorted(ALL_MARKERS - MAY_READ[role] - {typed}):
            CHECKS["markers"] += 1
            if marker.lower() in text:
                wrong.append(f"{role} uploading a note of the day of {state}: shows {marker}: …{around(text, marker)}…")
        if state == seen:
            CHECKS["markers"] += 1
            if mk(seen, "TITLE").lower() not in text:
                wrong.append(f"{role}: a note of the day of {seen} is not matched to {mk(seen, 'TITLE')}")
    assert not wrong, "\n" + "\n".join(wrong)
