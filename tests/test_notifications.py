"""Emails when something happens (issue 8): a new note or insight in what a member follows, a reply to their
comment, a comment on a meeting of a cell they convene.

Each is sent after the transaction commits, once per event and recipient, only to those who may read what it
is about, showing nothing they may not read; a failed send is retried and never lost; every email unsubscribes
in one click."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from cells.models import Membership
from core import publishing, versions
from discussion.models import Comment
from discussion.signals import comment_posted
from notifications import sending
from notifications.models import Delivery, Event, Frequency, Kind, Preference
from notifications.tasks import fan_out_event, send_delivery
from notifications.tokens import make_token

from .factories import (
    CellFactory,
    FollowFactory,
    InsightFactory,
    MeetingFactory,
    MembershipFactory,
    PersonFactory,
    PreferenceFactory,
    PrincipleFactory,
    SpeakerFactory,
    UserFactory,
    verified_user,
)

SITE = "http://testserver.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """publish(obj): publish it as a convenor would, and let the transaction commit (running what waits for it)."""

    def run(obj, user=None):
        with django_capture_on_commit_callbacks(execute=True):
            publishing.publish(obj, user=user)

    return run


def draft(**kwargs):
    return MeetingFactory(status="draft", **kwargs)


def post_comment(target, author, body="A thought on this.", parent=None):
    """A comment as discussion/ saves it (versioned), then the signal it sends once posted."""
    comment = Comment(author=author, body=body, parent=parent, **{target._meta.model_name: target})
    with versions.saving(comment, user=author, comment="Posted"):
        comment.save()
    comment_posted.send(sender=Comment, comment=comment)
    return comment


def cell_member(cell, role=Membership.Role.MEMBER, **kwargs):
    user = verified_user(**kwargs)
    MembershipFactory(cell=cell, person=PersonFactory(user=user), role=role)
    return user


def change(obj, **fields):
    with versions.saving(obj, user=None, comment="Changed by a test"):
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()


def to(email):
    return [message for message in mail.outbox if message.to == [email]]


def html_of(message):
    return message.alternatives[0][0]


# --- a new note or insight in what you follow -------------------------------------------------------------------


def test_a_follower_of_a_cell_is_told_once_when_its_next_note_is_published(db, publish):
    cell = CellFactory(name="Collaborative Leadership in Place")
    follower = verified_user(username="follower@example.org")
    FollowFactory(user=follower, cell=cell)
    meeting = draft(cell=cell, title="Trust and power", summary="Key point: **trust** first.", notes="SECRETNOTES")

    publish(meeting)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["follower@example.org"]
    assert message.subject == "[A Better Way] New meeting note: Trust and power"
    assert "Key point: trust first." in message.body
    assert f"{SITE}{meeting.get_absolute_url()}" in message.body
    assert "because you follow the cell Collaborative Leadership in Place" in message.body
    assert "<strong>trust</strong>" in html_of(message)
    assert "SECRETNOTES" not in message.body + html_of(message)  # the detailed notes are never emailed


def test_nothing_is_sent_before_the_transaction_commits(db, django_capture_on_commit_callbacks):
    cell = CellFactory()
    FollowFactory(cell=cell)
    meeting = draft(cell=cell)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publishing.publish(meeting, user=None)
    assert mail.outbox == [] and not Delivery.objects.exists()
    for callback in callbacks:
        callback()  # the commit
    assert len(mail.outbox) == 1


def test_a_publication_rolled_back_tells_nobody(db, django_capture_on_commit_callbacks):
    from django.db import transaction

    cell = CellFactory()
    FollowFactory(cell=cell)
    meeting = draft(cell=cell)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            publishing.publish(meeting, user=None)
            raise RuntimeError("the request failed after publishing")
    assert mail.outbox == [] and not Event.objects.exists()


def test_one_email_however_many_followed_things_a_note_concerns(db, publish):
    cell, principle, speaker = CellFactory(), PrincipleFactory(), PersonFactory(is_public=True)
    follower = verified_user()
    meeting = draft(cell=cell, tags=["place"], principles=[principle])
    SpeakerFactory(meeting=meeting, person=speaker)
    from taggit.models import Tag

    for target in [
        {"cell": cell},
        {"principle": principle},
        {"tag": Tag.objects.get(name="place")},
        {"person": speaker},
    ]:
        FollowFactory(user=follower, **target)

    publish(meeting)

    assert len(mail.outbox) == 1
    assert "the cell" in mail.outbox[0].body and "the topic place" in mail.outbox[0].body


def test_the_publisher_is_not_told_of_their_own_note(db, publish):
    cell = CellFactory()
    convenor = cell_member(cell, Membership.Role.CONVENOR)
    FollowFactory(user=convenor, cell=cell)
    publish(draft(cell=cell), user=convenor)
    assert mail.outbox == []


def test_publishing_again_after_unpublishing_tells_nobody_twice(db, publish):
    cell = CellFactory()
    FollowFactory(cell=cell)
    meeting = draft(cell=cell)
    publish(meeting)
    publishing.unpublish(meeting, user=None)
    publish(meeting)
    assert len(mail.outbox) == 1


def test_a_retried_task_sends_nothing_twice(db, publish):
    cell = CellFactory()
    FollowFactory(cell=cell)
    meeting = draft(cell=cell)
    publish(meeting)
    event = Event.objects.get()
    delivery = Delivery.objects.get()

    Event.objects.update(fanned_out_at=None)  # as if the fan-out task ran again after a crash
    fan_out_event.enqueue(event.pk)
    send_delivery.enqueue(delivery.pk)  # and the send task too
    call_command("send_pending", verbosity=0)

    assert len(mail.outbox) == 1
    assert Delivery.objects.count() == 1


def test_a_cell_only_note_reaches_only_the_followers_in_the_cell(db, publish):
    cell = CellFactory()
    outsider = verified_user(username="outsider@example.org")
    insider = cell_member(cell, username="insider@example.org")
    for user in (outsider, insider):
        FollowFactory(user=user, cell=cell)

    publish(draft(cell=cell, visibility="cell", title="Only for the cell"))

    assert [m.to for m in mail.outbox] == [["insider@example.org"]]


def test_a_members_only_note_reaches_no_unverified_account(db, publish):
    cell = CellFactory()
    unverified = UserFactory(username="unverified@example.org")
    FollowFactory(user=unverified, cell=cell)  # followed before the rules; unverified accounts get no email
    member = verified_user(username="member@example.org")
    FollowFactory(user=member, cell=cell)

    publish(draft(cell=cell, visibility="members"))

    assert [m.to for m in mail.outbox] == [["member@example.org"]]


def test_no_email_names_a_topic_or_speaker_its_reader_may_not_see(db, publish):
    """A follower of a topic used only on a cell-only note is told nothing; a speaker's follower hears of a note
    only where they may read it."""
    cell = CellFactory()
    follower = verified_user()
    secret = draft(cell=cell, visibility="cell", tags=["secrettopic"])
    from taggit.models import Tag

    FollowFactory(user=follower, tag=Tag.objects.get(name="secrettopic"))
    publish(secret)
    assert mail.outbox == []


def test_an_insight_under_a_followed_principle(db, publish):
    principle = PrincipleFactory(title="Local is better than national")
    follower = verified_user()
    FollowFactory(user=follower, principle=principle)
    insight = InsightFactory(status="draft", principles=[principle], title="Power in place", standfirst="Why *local*.")

    publish(insight)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[A Better Way] New insight: Power in place"
    assert "the principle “Local is better than national”" in mail.outbox[0].body
    assert "<em>local</em>" in html_of(mail.outbox[0])


def test_visibility_is_checked_again_when_the_email_is_sent(db, django_capture_on_commit_callbacks):
    """The note became cell-only between the fan-out and the send: the outsider's email is not sent."""
    cell = CellFactory()
    FollowFactory(cell=cell)
    meeting = draft(cell=cell)
    with mock.patch("notifications.tasks.send_delivery"):  # the send task waits in the queue…
        with django_capture_on_commit_callbacks(execute=True):
            publishing.publish(meeting, user=None)
    delivery = Delivery.objects.get()
    change(meeting, visibility="cell")  # …while the convenor restricts the note

    send_delivery.enqueue(delivery.pk)

    assert mail.outbox == []
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SKIPPED


def test_a_note_moved_to_the_bin_before_the_send_is_not_told(db, django_capture_on_commit_callbacks):
    cell = CellFactory()
    FollowFactory(cell=cell)
    meeting = draft(cell=cell)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publishing.publish(meeting, user=None)
    publishing.move_to_bin(meeting, user=None)
    for callback in callbacks:
        callback()
    assert mail.outbox == []


def test_unfollowing_before_the_send_stops_the_email(db, django_capture_on_commit_callbacks):
    cell = CellFactory()
    follow = FollowFactory(cell=cell)
    meeting = draft(cell=cell)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publishing.publish(meeting, user=None)
    follow.delete()
    for callback in callbacks:
        callback()
    assert mail.outbox == []


# --- choices: immediately, weekly, never -----------------------------------------------------------------------


def test_a_member_who_chose_the_bulletin_gets_no_email_now(db, publish):
    cell = CellFactory()
    follow = FollowFactory(cell=cell)
    PreferenceFactory(user=follow.user, kind=Kind.FOLLOWING, frequency=Frequency.WEEKLY)
    publish(draft(cell=cell))
    assert mail.outbox == []
    assert Delivery.objects.get().status == Delivery.Status.WAITING


def test_a_member_who_chose_never_gets_nothing(db, publish):
    cell = CellFactory()
    follow = FollowFactory(cell=cell)
    PreferenceFactory(user=follow.user, kind=Kind.FOLLOWING, frequency=Frequency.NEVER)
    publish(draft(cell=cell))
    assert mail.outbox == [] and not Delivery.objects.exists()


def test_the_choice_at_send_time_is_the_one_kept(db, django_capture_on_commit_callbacks):
    cell = CellFactory()
    follow = FollowFactory(cell=cell)
    with mock.patch("notifications.tasks.send_delivery"):
        with django_capture_on_commit_callbacks(execute=True):
            publishing.publish(draft(cell=cell), user=None)
    PreferenceFactory(user=follow.user, kind=Kind.FOLLOWING, frequency=Frequency.WEEKLY)

    send_delivery.enqueue(Delivery.objects.get().pk)

    assert mail.outbox == []
    assert Delivery.objects.get().status == Delivery.Status.WAITING  # it goes in the bulletin instead


# --- comments -----------------------------------------------------------------------------------------------------


def test_a_reply_tells_the_author_of_the_comment_once(db, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(title="Trust and power")
    alice = verified_user(username="alice@example.org")
    PersonFactory(user=alice, name="Alice Adams", is_public=True)
    bob = verified_user(username="bob@example.org")
    PersonFactory(user=bob, name="Bob Brown", is_public=True)
    with django_capture_on_commit_callbacks(execute=True):
        first = post_comment(meeting, alice, "What about *funders*?")
    assert mail.outbox == []  # nobody to tell: the meeting has no cell convenor following, no parent

    with django_capture_on_commit_callbacks(execute=True):
        post_comment(meeting, bob, "Funders **matter**.", parent=first)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert message.subject == "[A Better Way] Bob Brown replied to your comment on Trust and power"
    assert "Funders **matter**." in message.body
    assert "<strong>matter</strong>" in html_of(message)
    reply = Comment.objects.latest("pk")
    assert f"{SITE}/comments/{reply.pk}/" in message.body  # the comment's address finds its page of the thread


def test_replying_to_your_own_comment_tells_nobody(db, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(cell=None, number=None)
    alice = verified_user()
    with django_capture_on_commit_callbacks(execute=True):
        first = post_comment(meeting, alice)
        post_comment(meeting, alice, "And another thing.", parent=first)
    assert mail.outbox == []


def test_a_comment_on_a_meeting_tells_the_cell_convenors(db, django_capture_on_commit_callbacks):
    cell = CellFactory(name="Place")
    cell_member(cell, Membership.Role.CONVENOR, username="convenor@example.org")
    cell_member(cell, username="member-of-cell@example.org")  # members are not told
    other_cell_convenor = cell_member(CellFactory(), Membership.Role.CONVENOR)
    meeting = MeetingFactory(cell=cell, title="Meeting four")
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(meeting, verified_user(), "Good meeting.")
    assert [m.to for m in mail.outbox] == [["convenor@example.org"]]
    assert mail.outbox[0].subject == "[A Better Way] New comment on Meeting four"
    assert "a meeting of Place" in mail.outbox[0].body
    assert not to(other_cell_convenor.email)


def test_a_convenor_replied_to_gets_one_email_not_two(db, django_capture_on_commit_callbacks):
    cell = CellFactory()
    convenor = cell_member(cell, Membership.Role.CONVENOR)
    meeting = MeetingFactory(cell=cell)
    with mock.patch("notifications.tasks.fan_out_event"):
        first = post_comment(meeting, convenor)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(meeting, verified_user(), "A reply.", parent=first)
    assert len(mail.outbox) == 1
    assert "replied to your comment" in mail.outbox[0].subject


def test_a_reply_on_content_the_author_may_no_longer_read_does_not_reach_them(db, django_capture_on_commit_callbacks):
    """Alice commented while the insight was for members; it is now for its cell, which she is not in: a cell
    member's reply does not reach her, and names nothing to her."""
    cell = CellFactory()
    insight = InsightFactory(visibility="members", cell=cell, title="SECRETTITLE")
    alice = verified_user()
    with mock.patch("notifications.tasks.fan_out_event"):
        first = post_comment(insight, alice)
    change(insight, visibility="cell")
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(insight, cell_member(cell), "A reply in the cell.", parent=first)
    assert mail.outbox == []


def test_a_hidden_comment_tells_nobody(db, django_capture_on_commit_callbacks):
    cell = CellFactory()
    cell_member(cell, Membership.Role.CONVENOR)
    meeting = MeetingFactory(cell=cell)
    comment = Comment(author=verified_user(), body="Spam", meeting=meeting, hidden_at=timezone.now())
    with versions.saving(comment, user=None, comment="Posted"):
        comment.save()
    with django_capture_on_commit_callbacks(execute=True):
        comment_posted.send(sender=Comment, comment=comment)
    assert mail.outbox == []


def test_a_commenter_whose_page_is_hidden_is_named_a_member(db, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(cell=None, number=None)
    alice = verified_user()
    hidden = verified_user()
    PersonFactory(user=hidden, name="HIDDENNAME Person", is_public=False)
    with mock.patch("notifications.tasks.fan_out_event"):
        first = post_comment(meeting, alice)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(meeting, hidden, "Hello.", parent=first)
    message = mail.outbox[0]
    assert "HIDDENNAME" not in message.subject + message.body + html_of(message)
    assert message.subject.startswith("[A Better Way] A member replied")


def test_text_from_members_cannot_inject_markup_or_headers(db, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(cell=None, number=None, title="Line one\nBcc: evil@example.org <script>")
    alice = verified_user()
    with mock.patch("notifications.tasks.fan_out_event"):
        first = post_comment(meeting, alice)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(meeting, verified_user(), "<script>alert(1)</script> [x](javascript:alert(1))", parent=first)
    message = mail.outbox[0]
    assert "\n" not in message.subject
    html = html_of(message)
    assert "<script" not in html and 'href="javascript' not in html  # shown as text, never as markup
    assert message.message()["Bcc"] is None


# --- a failed send is retried, never lost ------------------------------------------------------------------------


class Outage(Exception):
    pass


def failing_send(self, fail_silently=False):
    raise Outage("the mail server is down")


def test_a_failed_send_is_kept_and_sent_once_by_the_retry(db, publish):
    cell = CellFactory()
    FollowFactory(cell=cell)
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", failing_send):
        publish(draft(cell=cell))
    delivery = Delivery.objects.get()
    assert mail.outbox == []
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    assert "the mail server is down" in delivery.last_error

    call_command("send_pending", verbosity=0)  # not due yet: backing off
    assert mail.outbox == []

    Delivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    call_command("send_pending", verbosity=0)
    call_command("send_pending", verbosity=0)
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2


def test_after_the_last_attempt_it_is_marked_failed_and_staff_can_send_it_again(db, publish, client):
    cell = CellFactory()
    FollowFactory(cell=cell)
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", failing_send):
        publish(draft(cell=cell))
        for _ in range(sending.MAX_ATTEMPTS - 1):
            Delivery.objects.update(next_attempt_at=timezone.now())
            call_command("send_pending", verbosity=0)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == sending.MAX_ATTEMPTS
    call_command("send_pending", verbosity=0)
    assert mail.outbox == []  # given up: kept, with its error, for staff

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "retry", "index": 0, "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_backoff_grows_and_is_capped():
    steps = [sending.backoff(n).total_seconds() / 60 for n in range(1, 8)]
    assert steps == [1, 5, 25, 125, 625, 720, 720]


def test_an_email_a_stopped_worker_was_sending_is_sent_by_the_sweep(db):
    cell = CellFactory()
    follow = FollowFactory(cell=cell)
    meeting = MeetingFactory(cell=cell)
    event = Event.objects.create(key="published:cells.meeting:x", type="published", content=meeting)
    Event.objects.filter(pk=event.pk).update(fanned_out_at=timezone.now())
    Delivery.objects.create(
        recipient=follow.user,
        key=event.key,
        kind=Kind.FOLLOWING,
        event=event,
        status=Delivery.Status.SENDING,
        claimed_at=timezone.now() - sending.STALE_CLAIM - datetime.timedelta(minutes=1),
    )
    call_command("send_pending", verbosity=0)
    assert len(mail.outbox) == 1


def test_an_event_whose_task_was_lost_is_fanned_out_by_the_sweep(db, django_capture_on_commit_callbacks):
    cell = CellFactory()
    FollowFactory(cell=cell)
    with mock.patch("notifications.tasks.fan_out_event", **{"enqueue.side_effect": ConnectionError("queue down")}):
        with django_capture_on_commit_callbacks(execute=True):
            publishing.publish(draft(cell=cell), user=None)  # the request still succeeds (robust on_commit)
    assert mail.outbox == []
    call_command("send_pending", verbosity=0)
    assert mail.outbox == []  # it may still be on its way: left a few minutes
    Event.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=10))
    call_command("send_pending", verbosity=0)
    assert len(mail.outbox) == 1


def test_send_pending_dry_run_sends_nothing(db, publish, capsys):
    cell = CellFactory()
    FollowFactory(cell=cell)
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", failing_send):
        publish(draft(cell=cell))
    Delivery.objects.update(next_attempt_at=timezone.now())
    call_command("send_pending", "--dry-run")
    assert "1 email(s) due" in capsys.readouterr().out
    assert mail.outbox == []


# --- one-click unsubscribe ---------------------------------------------------------------------------------------


def test_every_email_has_a_one_click_unsubscribe_that_works_without_logging_in(db, publish):
    cell = CellFactory()
    follow = FollowFactory(cell=cell)
    publish(draft(cell=cell))
    message = mail.outbox[0]
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header.startswith(f"<{SITE}/unsubscribe/") and header.endswith(">")
    url = header[1:-1].removeprefix(SITE)
    assert url in message.body and url in html_of(message)

    mail_client = Client(enforce_csrf_checks=True)  # a mail provider: no session, no CSRF token
    page = mail_client.get(url)
    assert page.status_code == 200 and "Stop these emails" in page.content.decode()
    assert not Preference.objects.exists()  # looking (or a link scanner) changes nothing

    done = mail_client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert Preference.objects.get(user=follow.user, kind=Kind.FOLLOWING).frequency == Frequency.NEVER

    publish(draft(cell=cell))
    assert len(mail.outbox) == 1  # nothing more


def test_an_unsubscribe_link_stops_only_its_own_kind(db, client):
    user = verified_user()
    client.post(reverse("notifications:unsubscribe", args=[make_token(user, Kind.REPLIES)]))
    assert dict(Preference.objects.filter(user=user).values_list("kind", "frequency")) == {"replies": "never"}


def test_leaving_the_bulletin_stops_what_came_in_it(db, client):
    user = verified_user()
    PreferenceFactory(user=user, kind=Kind.REPLIES, frequency=Frequency.WEEKLY)
    url = reverse("notifications:unsubscribe", args=[make_token(user, Kind.BULLETIN)])
    assert "replies to your comments" in client.get(url).content.decode()
    client.post(url)
    choices = dict(Preference.objects.filter(user=user).values_list("kind", "frequency"))
    assert choices == {"bulletin": "never", "replies": "never"}


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxLCJrIjoicmVwbGllcyJ9:1t:forged"])
def test_a_forged_or_broken_link_unsubscribes_nobody(db, client, token):
    verified_user()
    assert client.get(reverse("notifications:unsubscribe", args=[token])).status_code == 404
    assert client.post(reverse("notifications:unsubscribe", args=[token])).status_code == 404
    assert not Preference.objects.exists()


def test_a_token_made_for_one_user_does_not_unsubscribe_another(db, client):
    alice, bob = verified_user(), verified_user()
    client.post(reverse("notifications:unsubscribe", args=[make_token(alice, Kind.FOLLOWING)]))
    assert not Preference.objects.filter(user=bob).exists()


@override_settings(SITE_URL="https://betterway.example")
def test_links_are_absolute_from_site_url(db, publish):
    cell = CellFactory()
    FollowFactory(cell=cell)
    meeting = draft(cell=cell)
    publish(meeting)
    message = mail.outbox[0]
    assert f"https://betterway.example{meeting.get_absolute_url()}" in message.body
    assert message.extra_headers["Message-ID"].endswith("@betterway.example>")
