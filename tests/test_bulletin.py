"""The weekly bulletin (issue 8): `manage.py send_bulletin [--dry-run]` sends each subscribed member what was
published since their last bulletin that they may read, in HTML and plain text, once a week; staff preview it."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cells.models import Membership
from core import versions
from discussion.models import Comment
from notifications import bulletins, weekly
from notifications.models import Delivery, Frequency, Kind

from .factories import (
    CellFactory,
    FollowFactory,
    InsightFactory,
    MeetingFactory,
    MembershipFactory,
    PersonFactory,
    PreferenceFactory,
    UpcomingDateFactory,
    UserFactory,
    verified_user,
)

NOW = timezone.now()
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver.example"


def published(factory=MeetingFactory, days_ago=1, **kwargs):
    """Content published `days_ago` days before now."""
    return factory(published_at=NOW - days_ago * DAY, **kwargs)


def comment_on(target, days_ago=1, **kwargs):
    comment = Comment(author=kwargs.pop("author", None) or verified_user(), body="A comment.", **kwargs)
    setattr(comment, target._meta.model_name, target)
    with versions.saving(comment, user=None, comment="Posted"):
        comment.save()
    Comment.objects.filter(pk=comment.pk).update(created_at=NOW - days_ago * DAY)
    return comment


def cell_member(cell, **kwargs):
    user = verified_user(**kwargs)
    MembershipFactory(cell=cell, person=PersonFactory(user=user), role=Membership.Role.MEMBER)
    return user


def run(*args, **kwargs):
    out = StringIO()
    call_command("send_bulletin", *args, stdout=out, stderr=out, **kwargs)
    return out.getvalue()


def for_(email):
    return [message for message in mail.outbox if message.to == [email]]


def test_each_member_gets_what_they_may_read_in_html_and_text(db):
    cell = CellFactory(name="Place cell")
    verified_user(username="member@example.org")
    cell_member(cell, username="insider@example.org")
    published(title="Public note PUBLICNOTE", cell=cell, summary="Points of the public note.")
    published(title="Cell note CELLNOTE", cell=cell, visibility="cell")
    published(InsightFactory, title="Members insight MEMBERSINSIGHT", visibility="members")
    published(title="Old note OLDNOTE", days_ago=30)
    MeetingFactory(title="Draft DRAFTNOTE", status="draft", published_at=NOW - DAY)
    UpcomingDateFactory(cell=cell, date=timezone.localdate() + 3 * DAY, place="Leeds")

    output = run()

    assert "[1/2] member@example.org: sent" in output
    mine = for_("member@example.org")
    assert len(mine) == 1
    message = mine[0]
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "PUBLICNOTE" in text and "MEMBERSINSIGHT" in text and "Leeds" in text
        assert "CELLNOTE" not in text and "OLDNOTE" not in text and "DRAFTNOTE" not in text
    assert message.subject.startswith("[A Better Way] Your bulletin for the week to ")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "CELLNOTE" in for_("insider@example.org")[0].body  # the cell's member reads it


def test_active_discussions_count_only_the_comments_the_reader_may_read(db):
    cell = CellFactory()
    verified_user(username="member@example.org")
    cell_member(cell, username="insider@example.org")
    public = published(title="PUBLICTALK", cell=cell, days_ago=20)
    for _ in range(2):
        comment_on(public)
    comment_on(public, hidden_at=NOW)  # hidden: counted for nobody
    notes_for_cell = published(title="CELLTALK", cell=cell, notes_visibility="cell", days_ago=20)
    for _ in range(3):
        comment_on(notes_for_cell)  # on notes the member may not read

    run()

    member_mail = for_("member@example.org")[0].body
    assert "PUBLICTALK" in member_mail and "2 new comments" in member_mail
    assert "CELLTALK" not in member_mail and "3 new comments" not in member_mail
    assert "CELLTALK" in for_("insider@example.org")[0].body


def test_running_it_again_sends_nobody_a_second_bulletin(db):
    verified_user(username="member@example.org")
    published(title="FIRSTNOTE")
    run()
    published(title="LATERNOTE", days_ago=0)
    output = run()
    assert len(mail.outbox) == 1
    assert "already this week" in output


def test_next_week_the_bulletin_holds_only_what_is_new_since(db):
    member = verified_user(username="member@example.org")
    published(title="FIRSTNOTE")
    weekly.run(until=NOW)
    MeetingFactory(title="SECONDNOTE", published_at=NOW + 3 * DAY)
    weekly.run(until=NOW + 7 * DAY)
    first, second = for_("member@example.org")
    assert "FIRSTNOTE" in first.body
    assert "SECONDNOTE" in second.body and "FIRSTNOTE" not in second.body
    assert Delivery.objects.filter(recipient=member, kind=Kind.BULLETIN, status="sent").count() == 2


def test_nothing_new_sends_nothing(db):
    verified_user()
    UpcomingDateFactory()  # a date alone is no news
    assert "nothing new" in run()
    assert mail.outbox == []


def test_only_subscribed_members_get_it(db):
    verified_user(username="member@example.org")
    left = verified_user(username="left@example.org")
    PreferenceFactory(user=left, kind=Kind.BULLETIN, frequency=Frequency.NEVER)
    UserFactory(username="unverified@example.org")
    verified_user(username="inactive@example.org", is_active=False)
    published(title="NEWNOTE")
    run()
    assert [m.to for m in mail.outbox] == [["member@example.org"]]


def test_dry_run_says_who_would_get_what_and_sends_nothing(db):
    verified_user(username="member@example.org")
    published(title="NEWNOTE")
    output = run("--dry-run")
    assert "member@example.org: would send — 1 new note or insight" in output
    assert mail.outbox == [] and not Delivery.objects.exists()


def test_what_a_member_chose_to_get_weekly_comes_in_the_bulletin_once(db, django_capture_on_commit_callbacks):
    from core import publishing

    cell = CellFactory(name="Place cell")
    member = verified_user(username="member@example.org")
    FollowFactory(user=member, cell=cell)
    PreferenceFactory(user=member, kind=Kind.FOLLOWING, frequency=Frequency.WEEKLY)
    meeting = MeetingFactory(cell=cell, status="draft", title="FOLLOWEDNOTE")
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish(meeting, user=None)
    assert mail.outbox == []

    run()

    body = for_("member@example.org")[0].body
    assert "FROM WHAT YOU FOLLOW" in body and "FOLLOWEDNOTE" in body
    assert body.count("FOLLOWEDNOTE") == 1  # not again under "new meeting notes"
    assert "You follow the cell Place cell." in body
    assert Delivery.objects.get(kind=Kind.FOLLOWING).status == Delivery.Status.BUNDLED
    weekly.run(until=NOW + 7 * DAY)
    assert len(mail.outbox) == 1  # nothing new the week after


def test_a_waiting_item_the_member_may_no_longer_read_is_dropped(db, django_capture_on_commit_callbacks):
    from core import publishing

    cell = CellFactory()
    member = verified_user(username="member@example.org")
    FollowFactory(user=member, cell=cell)
    PreferenceFactory(user=member, kind=Kind.FOLLOWING, frequency=Frequency.WEEKLY)
    meeting = MeetingFactory(cell=cell, status="draft", title="RESTRICTEDLATER")
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish(meeting, user=None)
    with versions.saving(meeting, user=None, comment="Cell only"):
        meeting.visibility = "cell"
        meeting.save()

    run()

    assert mail.outbox == []  # nothing else new: nothing sent, nothing named
    assert Delivery.objects.get(kind=Kind.FOLLOWING).status == Delivery.Status.SKIPPED


def test_a_failed_bulletin_is_kept_and_sent_once_by_the_next_run(db):
    verified_user(username="member@example.org")
    published(title="NEWNOTE")

    def down(self, fail_silently=False):
        raise OSError("mail server down")

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", down):
        output = run()
    assert "failed" in output and mail.outbox == []
    assert Delivery.objects.get(kind=Kind.BULLETIN).status == Delivery.Status.PENDING

    run()
    run()
    assert len(mail.outbox) == 1 and "NEWNOTE" in mail.outbox[0].body


def test_week_keys_follow_the_iso_week():
    monday = timezone.make_aware(datetime.datetime(2026, 1, 5, 9))
    sunday = timezone.make_aware(datetime.datetime(2026, 1, 11, 21))
    assert bulletins.week_key(monday) == bulletins.week_key(sunday) == "bulletin:2026-W02"


# --- staff preview ---------------------------------------------------------------------------------------------


def test_staff_preview_the_bulletin_of_any_member(client, db):
    cell = CellFactory()
    member = verified_user(username="member@example.org")
    published(title="PUBLICNOTE")
    published(title="CELLNOTE", cell=cell, visibility="cell")
    client.force_login(verified_user(username="staff@example.org", is_staff=True))

    own = client.get(reverse("notifications:bulletin_preview")).content.decode()
    assert "PUBLICNOTE" in own and "CELLNOTE" in own and "Your bulletin for the week to" in own

    theirs = client.get(reverse("notifications:bulletin_preview"), {"member": member.email}).content.decode()
    assert "PUBLICNOTE" in theirs and "CELLNOTE" not in theirs
    assert mail.outbox == [] and not Delivery.objects.exists()
    assert client.get(reverse("notifications:bulletin_preview"), {"member": "nobody@example.org"}).status_code == 404


def test_only_staff_preview_it(client, db):
    url = reverse("notifications:bulletin_preview")
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(verified_user())
    assert client.get(url).status_code == 403
