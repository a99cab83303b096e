"""Members comment on published meetings and insights (issue 8): each flow, each refusal, who sees what,
moderation, and the number of queries of pages with comments."""

import datetime
import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from core.markdown import render_markdown
from discussion import throttle
from discussion.models import Comment, Flag
from discussion.signals import comment_posted

from .factories import CommentFactory, InsightFactory, MeetingFactory, PersonFactory, UserFactory, verified_user
from .test_markdown import parse as elements_of


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate limits live in the cache: each test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def meeting(cell):
    return MeetingFactory(cell=cell, slug="trust", title="Trust in place")


@pytest.fixture
def posted():
    """The comments discussion.signals.comment_posted was sent for, in order."""
    sent = []

    def receiver(sender, comment, **kwargs):
        sent.append(comment)

    comment_posted.connect(receiver, weak=False)
    yield sent
    comment_posted.disconnect(receiver)


def on(target):
    """CommentFactory's arguments for a comment on `target`, a meeting or an insight."""
    if target._meta.model_name == "meeting":
        return {"meeting": target, "insight": None}
    return {"meeting": None, "insight": target}


def post_url(target):
    kind = "meeting" if target._meta.model_name == "meeting" else "insight"
    return reverse(f"discussion:{kind}_comment", args=[target.slug])


def page(client, target):
    response = client.get(target.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


# --- posting ---------------------------------------------------------------------------------------------------


def test_a_member_comments_on_a_note_and_everyone_who_reads_it_sees_the_comment(users, client_for, meeting, posted):
    member = users["member"]
    client = client_for(member)
    response = client.post(post_url(meeting), {"body": "We tried *this* in Wigan.\n\n# Not a heading"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{meeting.get_absolute_url()}#comment-{comment.pk}"
    assert (comment.meeting, comment.author, comment.parent) == (meeting, member, None)
    assert posted == [comment]  # the signal, once, after the comment is saved
    assert posted[0].pk is not None
    assert Version.objects.get_for_object(comment).count() == 1
    text = page(client_for(users["anonymous"]), meeting)
    assert "We tried <em>this</em> in Wigan." in text
    assert "<p># Not a heading</p>" in text and "<h2>Not a heading" not in text  # no headings in comments
    assert "Comments <span" in text and "(1)" in text


def test_a_comment_is_signed_with_the_profile_name_for_those_who_may_see_the_profile(users, client_for, meeting):
    """Never the email address; the name on the profile to readers who may see that person (everyone once the
    profile is public), "A member" to the others; the form says which before posting."""
    client_for(users["member"]).post(post_url(meeting), {"body": "Signed."})  # no profile at all
    text = page(client_for(users["anonymous"]), meeting)
    assert "A member" in text and "member@example.org" not in text
    cell_member = users["cell_member"]  # a profile (a place in the cell), not public
    name = cell_member.person.name
    form = page(client_for(cell_member), meeting)
    assert f"Shown with your name, <strong>{name}</strong>, to those who can see your profile" in form
    client_for(cell_member).post(post_url(meeting), {"body": "Signed by name."})
    assert name not in page(client_for(users["anonymous"]), meeting)
    assert name not in page(client_for(users["member"]), meeting)
    for role in ("cell_member", "staff"):
        assert name in page(client_for(users[role]), meeting), role
    cell_member.person.is_public = True
    cell_member.person.save()
    assert name in page(client_for(users["anonymous"]), meeting)
    assert "to everyone who can read this page" in page(client_for(cell_member), meeting)


def test_a_comment_on_an_insight(users, client_for, posted):
    insight = InsightFactory(slug="an-insight")
    client = client_for(users["member"])
    response = client.post(post_url(insight), {"body": "A thought on the insight."})
    assert response.status_code == 302
    assert Comment.objects.get().insight == insight
    assert len(posted) == 1
    assert "A thought on the insight." in page(client_for(users["anonymous"]), insight)


def test_a_reply_sits_under_its_comment_and_a_reply_to_a_reply_joins_the_same_thread(
    users, client_for, meeting, posted
):
    first = CommentFactory(meeting=meeting, body="The first comment.")
    client = client_for(users["member"])
    client.post(post_url(meeting), {"body": "A reply.", "parent": first.pk})
    reply = Comment.objects.get(body="A reply.")
    assert reply.parent == first
    client.post(post_url(meeting), {"body": "A reply to the reply.", "parent": reply.pk})
    assert Comment.objects.get(body="A reply to the reply.").parent == first  # one level of replies
    assert len(posted) == 2
    text = page(client, meeting)
    assert text.index("The first comment.") < text.index("A reply.") < text.index("A reply to the reply.")
    assert f'data-replies-to="{first.pk}"' in text


def test_each_comment_has_its_own_reply_form_and_a_reply_posted_from_it_lands_in_its_thread(users, client_for, meeting):
    """The reply forms of a page are rendered once and copied for each comment (discussion/replies.py): each
    still replies to its own comment, with field ids of its own, the labels and hints tied to them."""
    from discussion.replies import STAND_IN

    first = CommentFactory(meeting=meeting, body="The first comment.")
    second = CommentFactory(meeting=meeting, body="The second comment.")
    client = client_for(users["member"])
    text = page(client, meeting)
    assert STAND_IN not in text
    for comment in (first, second):
        assert text.count(f'name="parent" value="{comment.pk}"') == 1
        assert text.count(f'id="id_reply{comment.pk}_body"') == 1
        assert f'for="id_reply{comment.pk}_body"' in text
        assert f'aria-describedby="id_reply{comment.pk}_body_helptext"' in text
    client.post(post_url(meeting), {"body": "A reply to the second.", "parent": second.pk})
    assert Comment.objects.get(body="A reply to the second.").parent == second
    response = client.post(post_url(meeting), {"body": "Fetched."}, HTTP_X_REQUESTED_WITH="fetch")
    fetched = Comment.objects.get(body="Fetched.")
    assert f'name="parent" value="{fetched.pk}"' in response.content.decode()  # the new comment's own reply form
    assert STAND_IN not in response.content.decode()


def test_a_reply_to_a_comment_taken_down_meanwhile_keeps_its_text(users, client_for, meeting):
    first = CommentFactory(meeting=meeting, removed_at=timezone.now())
    response = client_for(users["member"]).post(post_url(meeting), {"body": "My careful reply.", "parent": first.pk})
    assert response.status_code == 200
    text = response.content.decode()
    assert "no longer shown" in text and "My careful reply." in text
    assert not Comment.objects.filter(body="My careful reply.").exists()


def test_the_comment_page_works_without_javascript_for_a_reply(users, client_for, meeting):
    first = CommentFactory(meeting=meeting, body="Answer me.")
    response = client_for(users["member"]).get(post_url(meeting) + f"?reply_to={first.pk}")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Answer me." in text and f'name="parent" value="{first.pk}"' in text and "Your reply" in text


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "![x](https://evil.example/pixel.png)",
        "<iframe src=https://evil.example></iframe>",
    ],
)
def test_nothing_typed_in_a_comment_runs_as_script_or_loads_an_image(attack):
    for tag, attrs in elements_of(render_markdown(attack, "comment")):
        assert tag not in {"script", "img", "iframe", "svg"}
        for name, value in attrs:
            assert not name.startswith("on")
            assert not (value or "").strip().lower().startswith(("javascript:", "data:"))


def test_a_comments_links_are_marked_as_written_by_a_user():
    html = str(render_markdown("[a report](https://example.org/report)", "comment"))
    assert '<a href="https://example.org/report" rel="nofollow noopener ugc">a report</a>' in html


# --- refusals ----------------------------------------------------------------------------------------------------


def test_a_visitor_is_asked_to_log_in_and_the_page_offers_it(users, client_for, meeting):
    client = client_for(users["anonymous"])
    response = client.post(post_url(meeting), {"body": "Hello"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "to comment." in page(client, meeting)
    assert not Comment.objects.exists()


def test_an_account_without_a_confirmed_email_may_not_comment(client_for, meeting):
    client = client_for(UserFactory())
    assert client.post(post_url(meeting), {"body": "Hello"}).status_code == 403
    assert "Confirm your email address to comment" in page(client, meeting)
    assert not Comment.objects.exists()


def test_no_comments_on_a_draft_or_on_what_the_reader_may_not_see(users, client_for, cell):
    draft = MeetingFactory(cell=cell, status="draft")
    cell_only = MeetingFactory(cell=cell, visibility="cell", notes_visibility="cell")
    assert client_for(users["convenor"]).post(post_url(draft), {"body": "x"}).status_code == 403
    assert client_for(users["member"]).post(post_url(cell_only), {"body": "x"}).status_code == 404
    assert not Comment.objects.exists()


def test_a_note_whose_details_are_for_its_cell_keeps_its_comments_there_too(users, client_for, cell):
    """The comments of a meeting follow its detailed notes: a public note with cell-only notes shows no
    comments, no count and no form to others, and refuses their comments."""
    meeting = MeetingFactory(cell=cell, visibility="public", notes_visibility="cell")
    CommentFactory(meeting=meeting, author=users["cell_member"], body="Only for the cell.")
    for role in ("anonymous", "member", "other_convenor"):
        text = page(client_for(users[role]), meeting)
        assert "Only for the cell." not in text and 'id="comments"' not in text, role
    assert client_for(users["member"]).post(post_url(meeting), {"body": "x"}).status_code == 403
    for role in ("cell_member", "convenor", "staff"):
        assert "Only for the cell." in page(client_for(users[role]), meeting), role


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write your comment before posting it."),
        ("   \n\n  ", "Write your comment before posting it."),
        ("x" * 4001, "A comment can be up to 4,000 characters long: this one has 4001."),
        ("Line one\nline two \x00 here", "Line 2: the text contains a NUL character"),
    ],
    ids=["empty", "only-spaces", "too-long", "nul"],
)
def test_a_comment_the_site_cannot_take_gets_a_clear_error_and_the_text_stays(
    users, client_for, meeting, body, message
):
    response = client_for(users["member"]).post(post_url(meeting), {"body": body})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and message in text
    assert 'class="error-message" id="id_body_error"' in text  # next to the field
    if body.strip() and "\x00" not in body:
        assert body in text  # what was typed is still in the form
    assert not Comment.objects.exists()


def test_posting_is_throttled_per_account_with_a_friendly_message(users, client_for, meeting, posted):
    client = client_for(users["member"])
    for n in range(10):
        assert client.post(post_url(meeting), {"body": f"Comment {n}"}).status_code == 302
    response = client.post(post_url(meeting), {"body": "The eleventh, typed with care."})
    assert response.status_code == 429
    text = response.content.decode()
    assert "You have posted 10 comments in a minute" in text and "The eleventh, typed with care." in text
    assert Comment.objects.count() == 10 and len(posted) == 10
    # another account is not held back
    assert client_for(users["cell_member"]).post(post_url(meeting), {"body": "Mine"}).status_code == 302


def test_posts_sent_at_the_same_moment_cannot_pass_the_limit_together(users, meeting):
    """Eleven posts that each get past the limit's check before any of them is saved (as when several workers
    take them at the same moment): the eleventh is refused, because taking a place counts it at once."""
    places = [throttle.take("comments", users["member"]) for _ in range(11)]
    assert places[:10] == [None] * 10
    assert "You have posted 10 comments in a minute" in places[10]
    throttle.give_back("comments", users["member"])  # one of the ten failed after all: a place is free again
    assert throttle.take("comments", users["member"]) is None
    assert throttle.take("comments", users["member"]) is not None


def test_the_daily_limit_holds_too(users, client_for, meeting, monkeypatch):
    monkeypatch.setattr(throttle, "LIMITS", [(60, 10, "a minute", "in a minute"), (86400, 3, "a day", "tomorrow")])
    client = client_for(users["member"])
    for n in range(3):
        client.post(post_url(meeting), {"body": f"Comment {n}"})
    response = client.post(post_url(meeting), {"body": "One more"})
    assert response.status_code == 429 and "3 comments in a day" in response.content.decode()


def test_the_same_text_twice_within_a_minute_is_refused(users, client_for, meeting, cell):
    client = client_for(users["member"])
    assert client.post(post_url(meeting), {"body": "Agreed!"}).status_code == 302
    response = client.post(post_url(meeting), {"body": "Agreed!"})
    assert response.status_code == 409
    assert "same text here a moment ago" in response.content.decode()
    assert Comment.objects.count() == 1
    other = MeetingFactory(cell=cell)
    assert client.post(post_url(other), {"body": "Agreed!"}).status_code == 302  # elsewhere it is a new comment


def test_the_script_gets_the_new_comment_or_the_form_with_its_errors(users, client_for, meeting):
    client = client_for(users["member"])
    ajax = {"HTTP_X_REQUESTED_WITH": "fetch"}
    response = client.post(post_url(meeting), {"body": "Posted without reloading."}, **ajax)
    assert response.status_code == 201
    text = response.content.decode()
    assert text.lstrip().startswith('<li class="comment"') and "Posted without reloading." in text
    assert "<html" not in text
    response = client.post(post_url(meeting), {"body": " "}, **ajax)
    assert response.status_code == 200 and "Write your comment before posting it." in response.content.decode()
    assert "<html" not in response.content.decode()


# --- editing and deleting ----------------------------------------------------------------------------------------


def edit(client, comment, body, version=None):
    return client.post(
        reverse("discussion:comment_edit", args=[comment.pk]),
        {"body": body, "edit_version": version or comment.edit_version},
    )


def test_an_author_edits_their_comment_within_15_minutes_and_the_earlier_text_is_kept(users, client_for, meeting):
    comment = CommentFactory(meeting=meeting, author=users["member"], body="Frist thoughts.")
    client = client_for(users["member"])
    assert client.get(reverse("discussion:comment_edit", args=[comment.pk])).status_code == 200
    assert edit(client, comment, "First thoughts.").status_code == 302
    comment.refresh_from_db()
    assert comment.body == "First thoughts." and comment.edited_at is not None
    kept = [version.field_dict["body"] for version in Version.objects.get_for_object(comment)]
    assert kept == ["First thoughts.", "Frist thoughts."]
    text = page(client_for(users["anonymous"]), meeting)
    assert "First thoughts." in text and "edited" in text and "Frist" not in text


def test_after_15_minutes_the_comment_can_no_longer_be_edited_and_the_new_text_is_not_lost(users, client_for, meeting):
    comment = CommentFactory(meeting=meeting, author=users["member"], body="Old words.")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    client = client_for(users["member"])
    response = client.get(reverse("discussion:comment_edit", args=[comment.pk]))
    assert response.status_code == 403 and "that time has passed" in response.content.decode()
    response = edit(client, comment, "New words I typed.")
    assert response.status_code == 403 and "New words I typed." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Old words."
    assert f"/comments/{comment.pk}/edit/" not in page(client, meeting)  # no Edit link any more


def test_an_edit_made_from_an_old_page_is_refused_with_the_text_kept(users, client_for, meeting):
    comment = CommentFactory(meeting=meeting, author=users["member"], body="One.")
    client = client_for(users["member"])
    old_version = comment.edit_version
    edit(client, comment, "Two.")
    response = edit(client, comment, "Three, from an older tab.", version=old_version)
    assert response.status_code == 200
    assert "changed after you opened this page" in response.content.decode()
    assert "Three, from an older tab." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Two."


def test_only_its_author_edits_or_deletes_a_comment(users, client_for, meeting):
    comment = CommentFactory(meeting=meeting, author=users["member"])
    for role in ("cell_member", "convenor", "staff"):
        client = client_for(users[role])
        assert edit(client, comment, "Hijacked").status_code == 403, role
        assert client.post(reverse("discussion:comment_delete", args=[comment.pk])).status_code == 403, role
    comment.refresh_from_db()
    assert comment.body != "Hijacked" and comment.removed_at is None


def test_an_author_deletes_their_comment_and_its_replies_stay_under_comment_removed(users, client_for, meeting):
    comment = CommentFactory(meeting=meeting, author=users["member"], body="Regrettable words.")
    CommentFactory(meeting=meeting, parent=comment, body="A reply worth keeping.")
    lonely = CommentFactory(meeting=meeting, author=users["member"], body="Nobody answered this.")
    client = client_for(users["member"])
    assert client.get(reverse("discussion:comment_delete", args=[comment.pk])).status_code == 200
    for gone in (comment, lonely):
        response = client.post(reverse("discussion:comment_delete", args=[gone.pk]))
        assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.removed_at is not None and comment.body == "Regrettable words."  # the row stays
    assert Version.objects.get_for_object(comment).first().revision.get_comment() == "Deleted by its author"
    for role in ("anonymous", "member", "staff"):
        text = page(client_for(users[role]), meeting)
        assert "Regrettable words." not in text and "Nobody answered this." not in text, role
        assert "Comment removed by its author." in text and "A reply worth keeping." in text, role
        assert text.count("Comment removed by its author.") == 1  # the one without replies leaves nothing
    assert client.get(reverse("discussion:comment_edit", args=[comment.pk])).status_code == 404


# --- flags and moderation ------------------------------------------------------------------------------------------


def flag(client, comment, reason="It is abusive."):
    return client.post(reverse("discussion:comment_flag", args=[comment.pk]), {"reason": reason})


def test_a_member_flags_a_comment_with_a_reason_and_staff_see_it_to_moderate(users, client_for, meeting):
    comment = CommentFactory(meeting=meeting, author=users["cell_member"], body="Buy my book.")
    client = client_for(users["member"])
    assert client.get(reverse("discussion:comment_flag", args=[comment.pk])).status_code == 200
    assert flag(client, comment, "It is advertising.").status_code == 302
    assert Flag.objects.get().reason == "It is advertising."
    assert "You flagged this comment" in page(client, meeting)
    flag(client, comment, "Again")
    assert Flag.objects.count() == 1  # one flag a member
    text = client_for(users["staff"]).get(reverse("discussion:moderation")).content.decode()
    assert "Buy my book." in text and "It is advertising." in text and "member@example.org" in text
    assert client_for(users["convenor"]).get(reverse("discussion:moderation")).status_code == 403
    assert client_for(users["member"]).get(reverse("discussion:moderation")).status_code == 403


def test_a_flag_needs_a_reason_and_nobody_flags_their_own_comment(users, client_for, meeting):
    comment = CommentFactory(meeting=meeting, author=users["member"])
    assert flag(client_for(users["member"]), comment).status_code == 403
    response = flag(client_for(users["cell_member"]), comment, reason="  ")
    assert response.status_code == 200 and "Say why a moderator should look" in response.content.decode()
    assert not Flag.objects.exists()


def test_a_hidden_comment_offers_its_moderators_restore_not_flag(users, client_for, meeting):
    comment = CommentFactory(meeting=meeting, author=users["member"], body="Out of order.", hidden_at=timezone.now())
    text = page(client_for(users["convenor"]), meeting)
    assert "Out of order." in text and "Restore" in text
    assert ">Flag<" not in text
    assert flag(client_for(users["convenor"]), comment, "Rude.").status_code == 403
    assert not Flag.objects.exists()


def moderate(client, action, comment, **data):
    return client.post(reverse(f"discussion:comment_{action}", args=[comment.pk]), data)


def test_a_cells_convenor_hides_and_restores_comments_on_their_cells_meetings(users, client_for, meeting):
    comment = CommentFactory(meeting=meeting, author=users["member"], body="Out of order.")
    Flag.objects.create(comment=comment, flagged_by=users["cell_member"], reason="Rude.")
    convenor = client_for(users["convenor"])
    assert "Flagged (1)" in page(convenor, meeting)
    assert moderate(convenor, "hide", comment).status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at and comment.hidden_by == users["convenor"]
    assert Flag.objects.get().resolved_by == users["convenor"]  # hiding deals with its flags
    for role in ("anonymous", "member", "cell_member", "other_convenor"):
        assert "Out of order." not in page(client_for(users[role]), meeting), role
    for role in ("convenor", "staff"):
        text = page(client_for(users[role]), meeting)
        assert "Out of order." in text and "Hidden by a moderator" in text, role
    assert client_for(users["member"]).get(reverse("discussion:comment_edit", args=[comment.pk])).status_code == 404
    assert moderate(client_for(users["convenor"]), "restore", comment).status_code == 302
    assert "Out of order." in page(client_for(users["anonymous"]), meeting)
    assert [v.revision.get_comment() for v in Version.objects.get_for_object(comment)][:2] == [
        "Restored by a moderator",
        "Hidden by a moderator",
    ]


def test_only_moderators_hide_restore_or_keep(users, client_for, meeting):
    comment = CommentFactory(meeting=meeting)
    insight_comment = CommentFactory(**on(InsightFactory(cell=meeting.cell)))
    for role in ("member", "cell_member", "other_convenor"):
        for action in ("hide", "restore", "keep"):
            assert moderate(client_for(users[role]), action, comment).status_code == 403, (role, action)
    # a cell's convenors moderate its meetings' comments; an insight's are staff's
    assert moderate(client_for(users["convenor"]), "hide", insight_comment).status_code == 403
    assert moderate(client_for(users["staff"]), "hide", insight_comment).status_code == 302
    response = moderate(client_for(users["anonymous"]), "hide", comment)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client_for(users["staff"]).get(reverse("discussion:comment_hide", args=[comment.pk])).status_code == 405


def test_staff_keep_a_flagged_comment_from_the_moderation_page(users, client_for, meeting):
    comment = CommentFactory(meeting=meeting, body="Blunt but fair.")
    Flag.objects.create(comment=comment, flagged_by=users["member"], reason="Too blunt.")
    hidden = CommentFactory(meeting=meeting, body="Was hidden.", hidden_at=timezone.now())
    staff = client_for(users["staff"])
    moderation = reverse("discussion:moderation")
    text = staff.get(moderation).content.decode()
    assert "Blunt but fair." in text and "Was hidden." in text
    response = moderate(staff, "keep", comment, next=moderation)
    assert response.status_code == 302 and response["Location"] == moderation
    assert Flag.objects.get().resolved_at is not None
    text = staff.get(moderation).content.decode()
    assert "Blunt but fair." not in text and "No comment is waiting for a moderator." in text
    moderate(staff, "restore", hidden, next="https://evil.example/")
    hidden.refresh_from_db()
    assert hidden.hidden_at is None


# --- who sees a comment: exactly the readers of what it is on ------------------------------------------------------


def test_comments_are_visible_exactly_to_those_who_may_read_what_they_are_on(users, cell):
    states = {
        "public": MeetingFactory(cell=cell),
        "members": MeetingFactory(cell=cell, visibility="members", notes_visibility="members"),
        "cell": MeetingFactory(cell=cell, visibility="cell", notes_visibility="cell"),
        "draft": MeetingFactory(cell=cell, status="draft"),
        "binned": MeetingFactory(cell=cell, deleted_at=timezone.now()),
        "membersnotes": MeetingFactory(cell=cell, notes_visibility="members"),
        "insight-cell": InsightFactory(cell=cell, visibility="cell"),
    }
    comments = {state: CommentFactory(**on(target)) for state, target in states.items()}
    expected = {
        "anonymous": {"public"},
        "member": {"public", "members", "membersnotes"},
        "cell_member": {"public", "members", "membersnotes", "cell", "insight-cell"},
        "convenor": {"public", "members", "membersnotes", "cell", "insight-cell"},
        "other_convenor": {"public", "members", "membersnotes"},
        "staff": {"public", "members", "membersnotes", "cell", "insight-cell"},  # never a draft's or the bin's
    }
    for role, states_seen in expected.items():
        seen = set(Comment.objects.visible_to(users[role]).values_list("pk", flat=True))
        assert seen == {comments[s].pk for s in states_seen}, role
    unverified = UserFactory()
    assert set(Comment.objects.visible_to(unverified).values_list("pk", flat=True)) == {comments["public"].pk}


def test_a_comment_on_a_note_that_is_unpublished_shows_nowhere_until_it_is_published_again(users, client_for, meeting):
    CommentFactory(meeting=meeting, body="Said while it was published.")
    from core.publishing import unpublish

    unpublish(meeting, user=users["staff"])
    for role in ("convenor", "staff"):
        assert "Said while it was published." not in page(client_for(users[role]), meeting), role
    assert not Comment.objects.visible_to(users["staff"]).exists()


# --- long threads: a page at a time, and each comment's address finds its page ----------------------------------


@pytest.fixture
def long_thread(settings, meeting):
    """Seven comments on the meeting, three to a page; the fifth has a reply, the second was hidden."""
    settings.COMMENTS_PER_PAGE = 3
    start = timezone.now() - datetime.timedelta(days=1)
    comments = []
    for n in range(1, 8):
        comment = CommentFactory(**on(meeting), body=f"Comment number {n}.")
        Comment.objects.filter(pk=comment.pk).update(created_at=start + datetime.timedelta(minutes=n))
        comments.append(comment)
    reply = CommentFactory(**on(meeting), parent=comments[4], body="A reply to number 5.")
    Comment.objects.filter(pk=comments[1].pk).update(hidden_at=timezone.now())
    return comments, reply


def shown_on(html):
    return [n for n in range(1, 8) if f"Comment number {n}." in html]


def test_a_long_thread_shows_a_page_of_comments_at_a_time_with_their_replies(users, client_for, meeting, long_thread):
    client = client_for(users["member"])
    first = page(client, meeting)
    assert shown_on(first) == [1, 3, 4]  # the hidden second is not shown, nor counted in a page
    assert "Page 1 of 2" in first and "?comments=2#comments" in first
    assert 'Comments <span class="count" data-comment-count>(7)</span>' in first  # six comments and the reply
    second = client.get(meeting.get_absolute_url(), {"comments": 2}).content.decode()
    assert shown_on(second) == [5, 6, 7] and "A reply to number 5." in second
    assert "Page 2 of 2" in second
    past_the_end = client.get(meeting.get_absolute_url(), {"comments": 9}).content.decode()
    assert shown_on(past_the_end) == [5, 6, 7]


def test_a_comments_address_opens_the_page_of_the_thread_that_shows_it_to_its_reader(
    users, client_for, meeting, long_thread
):
    comments, reply = long_thread
    note = meeting.get_absolute_url()
    member = client_for(users["member"])
    assert reply.get_absolute_url() == f"/comments/{reply.pk}/"
    assert member.get(reply.get_absolute_url())["Location"] == f"{note}?comments=2#comment-{reply.pk}"
    assert member.get(comments[0].get_absolute_url())["Location"] == f"{note}#comment-{comments[0].pk}"
    assert member.get(comments[3].get_absolute_url())["Location"] == f"{note}#comment-{comments[3].pk}"
    assert member.get(comments[1].get_absolute_url()).status_code == 404  # hidden: not theirs to read
    followed = member.get(reply.get_absolute_url(), follow=True).content.decode()
    assert f'id="comment-{reply.pk}"' in followed and "A reply to number 5." in followed
    # the cell's convenor sees the hidden comment too, so the fourth is on their second page
    convenor = client_for(users["convenor"])
    assert convenor.get(comments[3].get_absolute_url())["Location"] == f"{note}?comments=2#comment-{comments[3].pk}"
    assert convenor.get(comments[1].get_absolute_url())["Location"] == f"{note}#comment-{comments[1].pk}"


def test_a_new_comment_on_a_long_thread_lands_on_its_last_page(users, client_for, meeting, long_thread):
    response = client_for(users["member"]).post(post_url(meeting), {"body": "The eighth word."})
    comment = Comment.objects.latest("pk")
    assert response["Location"] == f"{meeting.get_absolute_url()}?comments=3#comment-{comment.pk}"


def test_a_comments_address_invites_a_visitor_to_log_in_only_where_the_page_would(users, client_for, cell):
    members_only = MeetingFactory(cell=cell, visibility="members", notes_visibility="members")
    public = MeetingFactory(cell=cell)
    comment, open_comment = CommentFactory(**on(members_only)), CommentFactory(**on(public))
    removed = CommentFactory(**on(members_only), removed_at=timezone.now())
    notes_for_members = MeetingFactory(cell=cell, notes_visibility="members")  # key points public, notes not
    on_the_notes = CommentFactory(**on(notes_for_members))
    visitor = Client()
    for invite_for in (comment, on_the_notes):
        invited = visitor.get(invite_for.get_absolute_url())
        assert invited.status_code == 403 and "for members of A Better Way" in invited.content.decode()
        assert invite_for.body not in invited.content.decode()
    assert visitor.get(removed.get_absolute_url()).status_code == 404
    assert visitor.get(open_comment.get_absolute_url()).status_code == 302
    assert visitor.get("/comments/999999/").status_code == 404


# --- queries ----------------------------------------------------------------------------------------------------


def _grow_comments(target, n):
    """n more of each kind of comment on `target`: shown, replied to, removed with a reply, hidden, flagged;
    and n more topics."""
    for i in range(n):
        top = CommentFactory(**on(target))
        CommentFactory(**on(target), parent=top)
        gone = CommentFactory(**on(target), removed_at=timezone.now())
        CommentFactory(**on(target), parent=gone)
        CommentFactory(**on(target), hidden_at=timezone.now())
        Flag.objects.create(comment=top, flagged_by=verified_user(), reason=f"Reason {i}.")
        target.tags.add(f"topic {target.pk} {i}")


@pytest.mark.parametrize("role", ["anonymous", "member", "convenor", "staff"])
@pytest.mark.parametrize("kind", ["meeting", "insight"])
def test_pages_with_comments_make_the_same_queries_however_many_there_are(users, client_for, cell, role, kind):
    target = MeetingFactory(cell=cell) if kind == "meeting" else InsightFactory(cell=cell)
    client = client_for(users[role])
    counts, rows = {}, 0
    for size in (1, 4, 20):
        _grow_comments(target, size - rows)
        rows = size
        client.get(target.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(target.get_absolute_url())
        assert response.status_code == 200
        counts[size] = len(queries)
    assert len(set(counts.values())) == 1, f"{kind} as {role}: queries by comments: {counts}"


def test_the_moderation_page_makes_the_same_queries_however_many_comments_wait(users, client_for, cell):
    meeting = MeetingFactory(cell=cell)
    client = client_for(users["staff"])
    counts, rows = {}, 0
    for size in (1, 4, 20):
        _grow_comments(meeting, size - rows)
        rows = size
        client.get(reverse("discussion:moderation"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("discussion:moderation")).status_code == 200
        counts[size] = len(queries)
    assert len(set(counts.values())) == 1, f"moderation: {counts}"


# --- in a browser: posting without reloading, and without JavaScript; accessibility -----------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def browser_page(live_server, transactional_db):
    """(a page logged in as a member in the system Chromium, the meeting's address, the context's maker)."""
    if not CHROMIUM:
        pytest.skip("No Chromium installed: apt-get install chromium to run the browser tests")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    member = verified_user(username="jo@example.org")
    PersonFactory(user=member, name="Jo Bloggs")
    meeting = MeetingFactory(slug="trust", title="Trust in place")
    CommentFactory(meeting=meeting, body="An earlier comment.")
    client = Client()
    client.force_login(member)
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])

        def page(javascript=True, width=1280):
            context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 900})
            context.add_cookies([cookie])
            return context.new_page()

        yield page, live_server.url + meeting.get_absolute_url()
        browser.close()


@pytest.mark.browser
def test_in_a_browser_a_comment_and_a_reply_post_without_reloading_and_errors_keep_the_text(browser_page):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    new_page, url = browser_page
    page = new_page()
    page.goto(url)
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Your comment").fill("Posted *without* reloading.")
    page.get_by_role("button", name="Post your comment").click()
    expect(page.locator(".comment-body em", has_text="without")).to_be_visible()
    expect(page.locator("[data-comment-status]")).to_have_text("Your comment is posted.")
    expect(page.locator("[data-comment-count]")).to_have_text("(2)")
    assert page.evaluate("document.activeElement.id").startswith("comment-")
    page.get_by_role("button", name="Post your comment").click()  # empty: refused, said next to the field
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#id_body_error")).to_contain_text("Write your comment before posting it.")
    page.locator("summary", has_text="Reply").last.click()
    page.get_by_label("Your reply").last.fill("And a reply.")
    page.get_by_role("button", name="Post your reply").last.click()
    expect(page.locator(".comment-replies .comment-body", has_text="And a reply.")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    assert Comment.objects.filter(body="And a reply.", parent__body="Posted *without* reloading.").exists()
    problems = []
    for width in (1280, 320):
        page = new_page(width=width)
        page.goto(url)
        page.locator("summary", has_text="Reply").first.click()
        results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]})
        if results.violations_count:
            problems.append(f"{width}px:\n{results.generate_report()}")
        if page.evaluate("document.documentElement.scrollWidth - window.innerWidth") > 0:
            problems.append(f"{width}px: the page scrolls sideways")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"comments-{width}.png", full_page=True)
    assert not problems, "\n\n".join(problems)


@pytest.mark.browser
def test_in_a_browser_without_javascript_a_comment_posts_and_comes_back_to_the_page(browser_page):
    new_page, url = browser_page
    page = new_page(javascript=False)
    page.goto(url)
    page.get_by_label("Your comment").fill("Posted the ordinary way.")
    page.get_by_role("button", name="Post your comment").click()
    page.wait_for_url("**/notes/trust/#comment-*")
    assert page.get_by_text("Your comment is posted.").is_visible()
    assert page.get_by_text("Posted the ordinary way.").is_visible()
