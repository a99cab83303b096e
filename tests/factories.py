"""Small builders for test data. The real content lives in fixtures/content/."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from cells.models import Cell, Meeting, Membership, Question, Speaker, UpcomingDate
from cells.times import split_times
from core import versions
from insights.models import Insight, Principle
from people.models import Organisation, Person


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.LazyAttribute(lambda user: user.username)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = "Chief executive"


class PrincipleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Principle

    title = factory.Sequence(lambda n: f"Principle {n} is better than its opposite")
    slug = factory.Sequence(lambda n: f"principle-{n}")
    statement = "A short statement."


class CellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cell

    name = factory.Sequence(lambda n: f"Cell {n}")
    slug = factory.Sequence(lambda n: f"cell-{n}")
    aims = "To learn from each other."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    cell = factory.SubFactory(CellFactory)
    person = factory.SubFactory(PersonFactory)
    role = Membership.Role.MEMBER


class ContentFactory(factory.django.DjangoModelFactory):
    """Meetings and insights are written only through core.versions.saving, in tests too."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        with versions.saving(obj, user=None, comment="Made by a test factory"):
            obj.save()
        return obj


class MeetingFactory(ContentFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    cell = factory.SubFactory(CellFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Meeting note {n}")
    slug = factory.Sequence(lambda n: f"meeting-{n}")
    date = factory.Sequence(lambda n: datetime.date(2020, 1, 1) + datetime.timedelta(days=n))
    summary = "Key points of the meeting."
    notes = "The notes in detail."
    status = "published"
    visibility = "public"

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def principles(self, create, extracted, **kwargs):
        if create and extracted:
            self.principles.set(extracted)


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    role = Speaker.Role.MAIN_SPEAKER


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    raised_at = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"What does question {n} ask?")


def _read_time(text):
    """(start, end, the words beside them) of a time written as a convenor writes it: '3.00–4.30pm, online'."""
    found, rest = split_times(text or "")
    return (found.start, found.end, rest) if found else (None, None, rest)


class UpcomingDateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpcomingDate

    class Params:
        time = ""  # e.g. "3.00–4.30pm, online": read into start_time, end_time and note, as the form reads it

    cell = factory.SubFactory(CellFactory)
    date = factory.Sequence(lambda n: datetime.date.today() + datetime.timedelta(days=n + 1))
    start_time = factory.LazyAttribute(lambda upcoming: _read_time(upcoming.time)[0])
    end_time = factory.LazyAttribute(lambda upcoming: _read_time(upcoming.time)[1])
    note = factory.LazyAttribute(lambda upcoming: _read_time(upcoming.time)[2])


class InsightFactory(ContentFactory):
    class Meta:
        model = Insight
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Insight {n}")
    slug = factory.Sequence(lambda n: f"insight-{n}")
    standfirst = "A standfirst."
    body = "The body of the insight."
    published_on = datetime.date(2018, 1, 1)
    status = "published"
    visibility = "public"

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            self.authors.set(extracted)

    @factory.post_generation
    def principles(self, create, extracted, **kwargs):
        if create and extracted:
            self.principles.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def source_meetings(self, create, extracted, **kwargs):
        if create and extracted:
            self.source_meetings.set(extracted)


class EmailAddressFactory(factory.django.DjangoModelFactory):
    """The address allauth logs a user in with; verified unless told otherwise."""

    class Meta:
        model = EmailAddress
        django_get_or_create = ["user", "email"]

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda address: address.user.email)
    verified = True
    primary = True


def verified_user(**kwargs):
    """A user who signed up and confirmed their email address: a member of the network."""
    user = UserFactory(**kwargs)
    EmailAddressFactory(user=user)
    return user


# --- following and emails (notifications/) ---------------------------------------------------------------------


class FollowFactory(factory.django.DjangoModelFactory):
    """A member following one thing: pass exactly one of cell, principle, tag or person."""

    class Meta:
        model = "notifications.Follow"

    user = factory.LazyFunction(verified_user)


class PreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Preference"
        django_get_or_create = ["user", "kind"]

    user = factory.LazyFunction(verified_user)
    kind = "following"
    frequency = "immediately"


# --- comments (discussion/) -------------------------------------------------------------------------------------


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on a meeting (or pass insight=… and meeting=None), written through core.versions.saving as the
    site writes it. Pass parent=… for a reply; removed_at / hidden_at / hidden_by for one taken down."""

    class Meta:
        model = "discussion.Comment"

    meeting = factory.SubFactory(MeetingFactory)
    insight = None
    author = factory.LazyFunction(verified_user)
    body = factory.Sequence(lambda n: f"A comment, number {n}.")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        comment = model_class(*args, **kwargs)
        with versions.saving(comment, user=comment.author, comment="Posted"):
            comment.save()
        return comment
