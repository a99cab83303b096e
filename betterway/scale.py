"""A large synthetic archive for measuring speed (`make_scale_data`, bench/README.md).

Text is recombined from the network's real notes and essays (fixtures/content/): each synthetic note
takes a run of real paragraphs, shuffled, so that search, excerpts and page sizes behave as they would
with real notes. Numbers follow the real archive: a cell meets about eight times, a meeting has one to
four speakers, two to five topics, up to three questions for later meetings; most content is public,
some is for members or a cell, a few notes are drafts.

Every synthetic meeting and insight has a slug starting with "scale-", so that real content can be
told apart: `make_scale_data` refuses to write into a database that holds real content unless told to.
Cells have a convenor, a thought leader and members; the accounts that comment are members (verified
email) with a person in one or more cells, so that a logged-in reader meets the whole visibility rule.
Meetings, insights and comments are created with their first kept version (core.versions.created_in_bulk),
like everything written on the site, in batches: one by one would take hours at 100,000 meetings.
"""

import datetime
import random
import secrets
import time
from itertools import cycle
from pathlib import Path

import yaml
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from cells.models import Cell, Meeting, Membership, Question, Speaker
from core import versions
from discussion.models import Comment
from insights.models import Insight, Principle
from people.models import Organisation, Person

from . import search_index
from .content import CONTENT_DIR

PREFIX = "scale-"
COMMENT = "Synthetic archive (make_scale_data)"
BATCH = 1000
# The shape of what build() makes: raise it when that changes, so that bench/run rebuilds its databases.
VERSION = 2

FIRST_NAMES = (
    "Amira Ben Chloe Dev Ellen Femi Grace Hamid Isla Jonah Kiran Lena Marcus Nadia Owen Priya Quentin Rosa "
    "Sam Tariq Una Viktor Wendy Yusuf Zara Aled Bethan Cormac Dervla Eilidh Fergus Gwen Hollie Idris Jas"
).split()
LAST_NAMES = (
    "Adeyemi Bell Chowdhury Davies Evans Fraser Gill Hughes Iqbal Jones Khan Lewis Murray Nowak O'Brien Patel "
    "Quinn Reid Shah Thomas Underwood Vaughan Walsh Young Zhou Campbell Morgan Ahmed Kelly Robertson"
).split()
PLACES = (
    "Bradford Bristol Camden Cardiff Croydon Derby Dundee Gateshead Hackney Hull Leeds Leicester Lewisham Liverpool "
    "Luton Manchester Newham Norwich Oldham Plymouth Preston Salford Sheffield Southwark Stockport Sunderland "
    "Swansea Wakefield Wigan Wolverhampton York"
).split()
ORGANISATION_KINDS = [
    "Community Trust",
    "Council for Voluntary Service",
    "Youth Project",
    "Citizens Advice",
    "Foundation",
    "Borough Council",
    "Housing Association",
    "Mind",
    "Community Foundation",
    "Carers Centre",
]
JOBS = ["Chief executive", "Director", "Head of policy", "Programme manager", "Trustee", "Founder", "Chair"]
CELL_THEMES = ["Leadership", "Place", "Systems change", "Young people", "Health and care", "Funding", "Housing"]


class RealContentPresent(Exception):
    pass


def real_content():
    """How many meetings and insights in the database are not synthetic."""
    return (
        Meeting.objects.exclude(slug__startswith=PREFIX).count()
        + Insight.objects.exclude(slug__startswith=PREFIX).count()
    )


def synthetic_meetings():
    return Meeting.objects.filter(slug__startswith=PREFIX).count()


class Source:
    """The real text, read from fixtures/content/: paragraphs, subjects, questions, topics."""

    def __init__(self, directory=CONTENT_DIR):
        self.paragraphs, self.key_points, self.subjects, self.questions, self.topics = [], [], [], [], set()
        self.titles = []
        for path in sorted((Path(directory) / "meetings").glob("*.yaml")):
            record = yaml.safe_load(path.read_text(encoding="utf-8"))
            self.paragraphs += _paragraphs(record.get("notes", ""))
            self.key_points += _paragraphs(record.get("summary", ""))
            if record.get("subject"):
                self.subjects.append(record["subject"])
            self.questions += [q if isinstance(q, str) else q.get("text", "") for q in record.get("questions") or []]
            self.topics.update(record.get("tags") or [])
        for path in sorted((Path(directory) / "insights").glob("*.yaml")):
            record = yaml.safe_load(path.read_text(encoding="utf-8"))
            self.paragraphs += _paragraphs(record.get("body", ""))
            self.titles.append(record["title"])
            self.topics.update(record.get("tags") or [])
        self.questions = [q for q in self.questions if q] or ["How do we keep going when the funding ends?"]
        self.topics = sorted(self.topics)
        self.principles = yaml.safe_load((Path(directory) / "principles.yaml").read_text(encoding="utf-8"))


def _paragraphs(text):
    return [part.strip() for part in (text or "").split("\n\n") if part.strip() and not part.startswith("#")]


class Progress:
    """A progress bar on a stream (the command's stderr) with the rate and the time left: redrawn in place on a
    terminal, one line a tenth of the way otherwise (a log file)."""

    def __init__(self, stream, label, total):
        self.stream, self.label, self.total, self.done = stream, label, total, 0
        self.started = time.monotonic()
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.tenths = 0

    def advance(self, count):
        self.done += count
        if self.stream is None or not self.total:
            return
        tenths = 10 * self.done // self.total
        if not self.tty and tenths == self.tenths and self.done < self.total:
            return
        self.tenths = tenths
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0
        left = f"{(self.total - self.done) / rate:.0f} s left" if rate and self.done < self.total else ""
        filled = int(30 * self.done / self.total)
        line = (
            f"{self.label:<12} [{'#' * filled}{' ' * (30 - filled)}] {self.done:>7,}/{self.total:,}"
            f"  {rate:,.0f}/s  {elapsed:.0f} s  {left}"
        )
        if self.tty:
            self.stream.write(f"\r{line:<90}" + ("\n" if self.done >= self.total else ""))
        else:
            self.stream.write(line.rstrip() + "\n")
        self.stream.flush()


def build(*, meetings, insights, comments, seed=1, stream=None, allow_real_content=False):
    """Add a synthetic archive of `meetings` meetings, `insights` insights and `comments` comments."""
    if not allow_real_content and real_content():
        raise RealContentPresent(
            f"This database holds {real_content()} real meetings and insights: use an empty database "
            "(or --allow-real-content to add synthetic content beside them)."
        )
    rng = random.Random(seed)
    source = Source()
    start = synthetic_meetings()
    maker = _Maker(rng, source, stream, offset=start)
    maker.principles()
    maker.people(max(30, meetings // 2))
    maker.cells(max(5, meetings // 8))
    maker.memberships()
    maker.topics(max(60, min(2000, meetings // 20)))
    maker.meetings(meetings)
    maker.insights(insights)
    maker.comments(comments)
    search_index.rebuild(stream=stream)  # rows written in bulk send no signals: index them all at the end
    return maker.counts


class _Maker:
    def __init__(self, rng, source, stream, offset):
        self.rng, self.source, self.stream, self.offset = rng, source, stream, offset
        self.counts = {}
        self.now = timezone.now()
        self.run = f"{secrets.token_hex(3)}-"  # in the slugs of this run's people, cells and accounts

    def _progress(self, label, total):
        return Progress(self.stream, label, total)

    def _text(self, low, high, pool=None):
        pool = pool or self.source.paragraphs
        start = self.rng.randrange(len(pool))
        count = self.rng.randint(low, high)
        chosen = [pool[(start + i) % len(pool)] for i in range(count)]
        self.rng.shuffle(chosen)
        return "\n\n".join(chosen)

    def principles(self):
        self.principle_rows = list(Principle.objects.all())
        if not self.principle_rows:
            for order, row in enumerate(self.source.principles):
                Principle.objects.create(
                    order=order, **{k: row.get(k, "") for k in ("slug", "title", "statement", "body", "area")}
                )
            self.principle_rows = list(Principle.objects.all())

    def people(self, count):
        tag = self.run
        organisations = [
            Organisation(name=f"{place} {kind}", slug=f"{PREFIX}{tag}{slugify(place)}-{i}")
            for i, (place, kind) in enumerate(
                (self.rng.choice(PLACES), self.rng.choice(ORGANISATION_KINDS)) for _ in range(max(10, count // 3))
            )
        ]
        Organisation.objects.bulk_create(organisations, batch_size=BATCH)
        progress = self._progress("people", count)
        self.people_rows = []
        for first in range(0, count, BATCH):
            batch = []
            for i in range(first, min(count, first + BATCH)):
                name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
                batch.append(
                    Person(
                        name=name,
                        slug=f"{PREFIX}{tag}{slugify(name)}-{i}",
                        organisation=self.rng.choice(organisations),
                        role=self.rng.choice(JOBS),
                        bio=self._text(1, 1),
                        is_public=self.rng.random() < 0.8,
                    )
                )
            self.people_rows += Person.objects.bulk_create(batch)
            progress.advance(len(batch))
        self.counts["people"] = count

    def cells(self, count):
        tag = self.run
        rows = []
        for i in range(count):
            name = f"{self.rng.choice(PLACES)} cell {i + 1}: {self.rng.choice(CELL_THEMES)}"
            rows.append(Cell(name=name, slug=f"{PREFIX}{tag}cell-{i + 1}", aims=self._text(1, 2), order=100 + i))
        self.cell_rows = Cell.objects.bulk_create(rows, batch_size=BATCH)
        self.counts["cells"] = count

    def memberships(self):
        """Each cell: a convenor, a thought leader and four to ten members, from the synthetic people."""
        rows, self.cell_people = [], []
        for cell in self.cell_rows:
            people = self.rng.sample(self.people_rows, min(len(self.people_rows), self.rng.randint(6, 12)))
            for index, person in enumerate(people):
                role = ("convenor", "thought_leader")[index] if index < 2 else "member"
                rows.append(Membership(cell=cell, person=person, role=role))
            self.cell_people += people
        Membership.objects.bulk_create(rows, batch_size=BATCH)
        self.counts["memberships"] = len(rows)

    def topics(self, count):
        names = list(self.source.topics)
        words = sorted({w.strip(".,;:()‘’“”'\"").lower() for p in self.source.key_points for w in p.split()} - {""})
        words = [w for w in words if len(w) > 5 and w.isalpha()]
        while len(names) < count and words:
            names.append(f"{self.rng.choice(words)} {self.rng.choice(words)}")
        existing = set(Tag.objects.values_list("slug", flat=True))
        new = {}
        for name in names[:count]:
            slug = slugify(name)[:100]
            if slug and slug not in existing and slug not in new:
                new[slug] = Tag(name=name[:100], slug=slug)
        Tag.objects.bulk_create(new.values(), batch_size=BATCH)
        self.tag_ids = list(Tag.objects.values_list("pk", flat=True))

    def meetings(self, count):
        progress = self._progress("meetings", count)
        numbers = dict.fromkeys((cell.pk for cell in self.cell_rows), 0)  # this run's cells are new
        self.meeting_rows = []
        ctype = ContentType.objects.get_for_model(Meeting)
        subjects = self.source.subjects or ["Leadership"]
        for first in range(0, count, BATCH):
            batch = []
            for i in range(first, min(count, first + BATCH)):
                cell = self.rng.choice(self.cell_rows) if self.rng.random() < 0.9 else None
                if cell:
                    numbers[cell.pk] += 1
                day = datetime.date(2015, 1, 1) + datetime.timedelta(days=self.rng.randrange(4200))
                subject = self.rng.choice(subjects)
                visibility = self.rng.choices(
                    ["public", "members", "cell"] if cell else ["public", "members"], [80, 15, 5] if cell else [85, 15]
                )[0]
                status = "draft" if self.rng.random() < 0.03 else "published"
                batch.append(
                    Meeting(
                        cell=cell,
                        kind="cell_meeting"
                        if cell
                        else self.rng.choice(["roundtable", "dinner", "network_discussion"]),
                        number=numbers[cell.pk] if cell else None,
                        title=f"Note from {cell.name}, meeting {numbers[cell.pk]}"
                        if cell
                        else f"Note from a discussion: {subject}",
                        subject=subject,
                        slug=f"{PREFIX}note-{self.offset + i + 1}",
                        date=day,
                        place=self.rng.choice(PLACES),
                        summary=self._text(2, 4, self.source.key_points),
                        notes=self._text(4, 12),
                        visibility=visibility,
                        notes_visibility=visibility,
                        status=status,
                        published_at=self.now if status == "published" else None,
                    )
                )
            with transaction.atomic():
                created = versions.created_in_bulk(Meeting, batch, comment=COMMENT)
                self._speakers_questions_topics(created, ctype)
            self.meeting_rows += [(m.pk, m.title, m.date) for m in created]
            progress.advance(len(batch))
        self.counts["meetings"] = count

    def _speakers_questions_topics(self, meetings, ctype):
        speakers, questions, tagged, principled = [], [], [], []
        through = Principle.meetings.through
        roles = [choice for choice, _ in Speaker.Role.choices]
        for meeting in meetings:
            for order, person in enumerate(self.rng.sample(self.people_rows, self.rng.randint(1, 4))):
                speakers.append(Speaker(meeting=meeting, person=person, role=self.rng.choice(roles), order=order))
            for order in range(self.rng.randint(0, 3)):
                questions.append(Question(raised_at=meeting, text=self.rng.choice(self.source.questions), order=order))
            for tag_id in self.rng.sample(self.tag_ids, min(len(self.tag_ids), self.rng.randint(2, 5))):
                tagged.append(TaggedItem(content_type=ctype, object_id=meeting.pk, tag_id=tag_id))
            for principle in self.rng.sample(
                self.principle_rows,
                self.rng.randint(min(1, len(self.principle_rows)), min(2, len(self.principle_rows))),
            ):
                principled.append(through(principle_id=principle.pk, meeting_id=meeting.pk))
        Speaker.objects.bulk_create(speakers, batch_size=BATCH)
        Question.objects.bulk_create(questions, batch_size=BATCH)
        TaggedItem.objects.bulk_create(tagged, batch_size=BATCH)
        through.objects.bulk_create(principled, batch_size=BATCH)

    def insights(self, count):
        progress = self._progress("insights", count)
        ctype = ContentType.objects.get_for_model(Insight)
        kinds = [choice for choice, _ in Insight.Kind.choices]
        titles = self.source.titles + self.source.subjects
        self.insight_rows = []
        # New rows have no related rows yet: say so to the serializer of their first version, which would
        # otherwise ask the database once per relation and row.
        empty = [field for field in Insight._meta.many_to_many if field.remote_field.through._meta.auto_created]
        for first in range(0, count, BATCH):
            batch = []
            for i in range(first, min(count, first + BATCH)):
                day = datetime.date(2015, 1, 1) + datetime.timedelta(days=self.rng.randrange(4200))
                batch.append(
                    Insight(
                        kind=self.rng.choice(kinds),
                        title=self.rng.choice(titles),
                        slug=f"{PREFIX}insight-{self.offset + i + 1}",
                        standfirst=self._text(1, 1, self.source.key_points),
                        body=self._text(6, 20),
                        published_on=day,
                        status="published",
                        visibility=self.rng.choices(["public", "members"], [85, 15])[0],
                        published_at=self.now,
                    )
                )
            for insight in batch:
                insight._prefetched_objects_cache = {field.name: field.related_model.objects.none() for field in empty}
            with transaction.atomic():
                created = versions.created_in_bulk(Insight, batch, comment=COMMENT)
                authors, principles, tagged = [], [], []
                for insight in created:
                    for person in self.rng.sample(self.people_rows, self.rng.randint(1, 2)):
                        authors.append(Insight.authors.through(insight_id=insight.pk, person_id=person.pk))
                    for principle in self.rng.sample(self.principle_rows, min(len(self.principle_rows), 1)):
                        principles.append(Insight.principles.through(insight_id=insight.pk, principle_id=principle.pk))
                    for tag_id in self.rng.sample(self.tag_ids, min(len(self.tag_ids), self.rng.randint(2, 5))):
                        tagged.append(TaggedItem(content_type=ctype, object_id=insight.pk, tag_id=tag_id))
                Insight.authors.through.objects.bulk_create(authors, batch_size=BATCH)
                Insight.principles.through.objects.bulk_create(principles, batch_size=BATCH)
                TaggedItem.objects.bulk_create(tagged, batch_size=BATCH)
            self.insight_rows += [(insight.pk, insight.title, insight.published_on) for insight in created]
            progress.advance(len(batch))
        self.counts["insights"] = count

    def comments(self, count):
        if not count or not (self.meeting_rows or self.insight_rows):
            self.counts["comments"] = 0
            return
        users = self._members(max(20, count // 25))
        progress = self._progress("comments", count)
        # Each comment is given its meeting or insight as a stand-in (the key and the title its version's
        # description needs), rather than the key alone, which would cost a query a comment.
        targets = cycle(self.rng.sample(self.meeting_rows, len(self.meeting_rows)))
        # Each is dated in the weeks after what it is on (never later than now), as a real archive's comments are
        # spread over its years: written in bulk they would all be dated now (created_at is set on creation), and
        # the newest things in the archive would be every comment at once.
        for first in range(0, count, BATCH):
            batch, dates = [], []
            for _ in range(first, min(count, first + BATCH)):
                author, body = self.rng.choice(users), self._text(1, 2)
                if self.insight_rows and (not self.meeting_rows or self.rng.random() < 0.2):
                    pk, title, day = self.rng.choice(self.insight_rows)
                    batch.append(Comment(insight=Insight(pk=pk, title=title), author=author, body=body))
                else:
                    pk, title, day = next(targets)
                    batch.append(Comment(meeting=Meeting(pk=pk, title=title), author=author, body=body))
                dates.append(day)
            created = versions.created_in_bulk(Comment, batch, comment=COMMENT)
            for comment, day in zip(created, dates, strict=True):
                written = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
                comment.created_at = min(self.now, written + datetime.timedelta(hours=self.rng.randrange(24 * 60)))
            Comment.objects.bulk_update(created, ["created_at"], batch_size=BATCH)
            progress.advance(len(batch))
        self.counts["comments"] = count

    def _members(self, count):
        User = get_user_model()
        tag = self.run
        users = User.objects.bulk_create(
            [
                User(
                    username=f"{PREFIX}{tag}member-{i}@example.org",
                    email=f"{PREFIX}{tag}member-{i}@example.org",
                    first_name=self.rng.choice(FIRST_NAMES),
                    last_name=self.rng.choice(LAST_NAMES),
                )
                for i in range(count)
            ],
            batch_size=BATCH,
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users], batch_size=BATCH
        )
        # Each account is a person in one or more cells (a cell's people are its members' profiles).
        people = list({person.pk: person for person in self.cell_people if person.user_id is None}.values())
        for user, person in zip(users, people, strict=False):
            person.user = user
        Person.objects.bulk_update(people[: len(users)], ["user"], batch_size=BATCH)
        return users
