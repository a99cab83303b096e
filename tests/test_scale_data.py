"""make_scale_data builds the synthetic archive it says (bench/README.md), never beside real content unless told
to, and every page the benchmark loads renders on it, for a visitor and for a member."""

import datetime
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from reversion.models import Version

from bench import pages
from cells.models import Cell, Meeting, Membership
from discussion.models import Comment
from insights.models import Insight
from people.models import Person

from .factories import MeetingFactory


def make(**counts):
    out, err = StringIO(), StringIO()
    call_command("make_scale_data", stdout=out, stderr=err, **counts)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def archive(db):
    return make(meetings=40, insights=6, comments=30)


def test_makes_the_archive_it_reports(archive):
    out, err = archive
    assert "40 meetings, 6 insights, 30 comments" in out
    assert "meetings     [##############################]      40/40" in err  # the progress bar, finished

    meetings = Meeting.objects.filter(slug__startswith="scale-")
    assert meetings.count() == 40
    assert Insight.objects.filter(slug__startswith="scale-").count() == 6
    assert Comment.objects.count() == 30
    # like everything written on the site, each meeting has its first kept version
    assert Version.objects.get_for_model(Meeting).count() == 40
    # realistic shapes: one to four speakers, two to five topics, one or two principles a meeting
    for meeting in meetings.prefetch_related("speaker_roles", "tags", "principles"):
        assert 1 <= len(meeting.speaker_roles.all()) <= 4
        assert 2 <= len(meeting.tags.all()) <= 5
        assert 1 <= len(meeting.principles.all()) <= 2
        assert meeting.notes and meeting.summary
    # cells have a convenor and members; the commenters are members in cells
    cell = Cell.objects.filter(slug__startswith="scale-").first()
    assert cell.memberships.filter(role="convenor").count() == 1
    assert cell.memberships.count() >= 6
    commenter = Comment.objects.first().author
    assert EmailAddress.objects.filter(user=commenter, verified=True).exists()
    assert Membership.objects.filter(person__user__in=get_user_model().objects.filter(comments__isnull=False)).exists()


def test_comments_are_dated_in_the_weeks_after_what_they_are_on(archive):
    now = timezone.now()
    days = set()
    for comment in Comment.objects.select_related("meeting", "insight"):
        written = comment.meeting.date if comment.meeting else comment.insight.published_on
        assert written <= comment.created_at.date() <= min(now.date(), written + datetime.timedelta(days=61))
        days.add(comment.created_at.date())
    assert len(days) > 10  # spread over the archive's years, not all written today


def test_a_second_run_adds_beside_the_first(archive):
    make(meetings=10, insights=1, comments=0)
    assert Meeting.objects.count() == 50
    assert Insight.objects.count() == 7
    assert Meeting.objects.filter(slug="scale-note-50").exists()


@pytest.mark.django_db
def test_refuses_a_database_with_real_content():
    MeetingFactory(slug="a-real-meeting")

    with pytest.raises(CommandError, match="holds 1 real meetings and insights"):
        make(meetings=5)
    assert Meeting.objects.count() == 1
    assert not Person.objects.exists()

    out, _ = make(meetings=5, insights=1, comments=2, allow_real_content=True)
    assert "5 meetings" in out
    assert Meeting.objects.count() == 6


@pytest.mark.django_db
def test_refuses_negative_counts():
    with pytest.raises(CommandError, match="negative"):
        make(meetings=-1)


def test_every_page_the_bench_loads_renders(archive, client):
    paths = dict(pages.page_paths("collaboration"))
    labels = "home principle insight note cell topic person search notes insights about"
    assert set(paths) == set(labels.split())
    member = pages.bench_member()
    assert Membership.objects.filter(person__user=member).exists()

    for label, path in paths.items():
        assert client.get(path).status_code == 200, (label, path)
    client.force_login(member)
    for label, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, (label, path)
        assert "Log out" in response.content.decode()


def test_the_benchmark_session_logs_the_member_in(archive, client):
    name, _, key = pages.session_cookie(pages.bench_member()).partition("=")
    client.cookies[name] = key
    assert "Log out" in client.get("/").content.decode()
