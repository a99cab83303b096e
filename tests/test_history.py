"""The history of a meeting note or an insight: its versions, what changed between two, restoring one."""

import pytest
from django.urls import reverse
from reversion.models import Version

from cells import history
from core import dates, publishing, versions
from core.diffs import changed_meanwhile

from .factories import (
    InsightFactory,
    MeetingFactory,
    PersonFactory,
    QuestionFactory,
    SpeakerFactory,
    verified_user,
)


def edit(obj, user, comment, **changes):
    with versions.saving(obj, user=user, comment=comment):
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.save()


@pytest.fixture
def meeting(cell, users):
    """A note with three versions: as loaded, then two edits by the convenor."""
    meeting = MeetingFactory.build(
        cell=cell, title="Trust in place", slug="trust", summary="Trust grew slowly in Surrey."
    )
    with versions.saving(meeting, user=None, comment="Loaded"):
        meeting.save()
        SpeakerFactory(meeting=meeting, person=PersonFactory(name="Dawn Plimmer"), role="main_speaker")
        QuestionFactory(raised_at=meeting, text="How do we share power?")
    edit(meeting, users["convenor"], "Fixed the summary", summary="Trust grew quickly in Surrey.")
    edit(meeting, users["convenor"], "Added the place", place="Guildford")
    return meeting


def main_of(response):
    """The page's <main> (the footer says whose account is signed in: the reader's own)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def history_url(meeting, **query):
    url = reverse("cells:meeting_history", args=[meeting.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_history_lists_every_version_newest_first_with_who_and_when(client_for, users, meeting):
    response = client_for(users["convenor"]).get(history_url(meeting))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["comment"] for row in rows] == ["Added the place", "Fixed the summary", "Loaded"]
    assert [row["number"] for row in rows] == [3, 2, 1]
    html = main_of(response)
    name = users["convenor"].person.name
    assert html.count(f"by {name}") >= 2 and "by Someone" in html  # the loader's version has no account
    assert html.count('<time datetime="') >= 3


def test_by_default_the_latest_version_is_compared_with_the_one_before(client_for, users, meeting):
    response = client_for(users["convenor"]).get(history_url(meeting))
    assert (response.context["old"]["number"], response.context["new"]["number"]) == (2, 3)
    assert [label for label, _ in response.context["changes"]] == ["Place"]
    assert "<ins>Guildford</ins>" in response.content.decode()


def test_comparing_two_chosen_versions_shows_the_removed_and_added_words(client_for, users, meeting):
    oldest, newest = Version.objects.get_for_object(meeting).last(), Version.objects.get_for_object(meeting).first()
    response = client_for(users["convenor"]).get(history_url(meeting, old=oldest.pk, new=newest.pk))
    html = response.content.decode()
    assert "What changed from version 1 to version 3" in html
    assert "<del>slowly</del>" in html
    assert "<ins>quickly</ins>" in html


def test_the_versions_compared_are_put_in_order_whichever_way_they_are_picked(client_for, users, meeting):
    oldest, newest = Version.objects.get_for_object(meeting).last(), Version.objects.get_for_object(meeting).first()
    response = client_for(users["convenor"]).get(history_url(meeting, old=newest.pk, new=oldest.pk))
    assert (response.context["old"]["number"], response.context["new"]["number"]) == (1, 3)


def test_versions_of_another_object_cannot_be_compared(client_for, users, meeting):
    other = MeetingFactory(cell=meeting.cell)
    edit(other, users["staff"], "Edited", title="Other")
    stranger = Version.objects.get_for_object(other).first()
    response = client_for(users["convenor"]).get(history_url(meeting, old=stranger.pk, new=stranger.pk))
    assert (response.context["old"]["number"], response.context["new"]["number"]) == (2, 3)


def test_the_compare_shows_choice_labels_and_speakers_as_people_read_them(client_for, users, meeting):
    edit(meeting, users["convenor"], "Members only", visibility="members")
    meeting.speaker_roles.all().delete()
    edit(meeting, users["convenor"], "Removed the speaker")
    oldest, newest = Version.objects.get_for_object(meeting).last(), Version.objects.get_for_object(meeting).first()
    changes = dict(
        client_for(users["convenor"]).get(history_url(meeting, old=oldest.pk, new=newest.pk)).context["changes"]
    )
    assert "<del>Everyone</del>" in changes["Who may read it"]
    assert "<del>Dawn Plimmer (Main speaker)</del>" in changes["Speakers"]


def test_restoring_brings_back_the_old_text_speakers_and_questions_as_a_new_version(client_for, users, meeting):
    oldest = Version.objects.get_for_object(meeting).last()
    with versions.saving(meeting, user=users["convenor"], comment="Rewrote it"):
        meeting.summary = "Something else entirely."
        meeting.save()
        meeting.speaker_roles.all().delete()
        meeting.questions.all().delete()
        SpeakerFactory(meeting=meeting, person=PersonFactory(name="Someone New"))
    before = Version.objects.get_for_object(meeting).count()

    response = client_for(users["convenor"]).post(
        reverse("cells:meeting_restore", args=[meeting.slug, oldest.pk]), follow=True
    )

    meeting.refresh_from_db()
    assert meeting.summary == "Trust grew slowly in Surrey."
    assert meeting.place == ""
    assert [s.person.name for s in meeting.speaker_roles.all()] == ["Dawn Plimmer"]
    assert [q.text for q in meeting.questions.all()] == ["How do we share power?"]
    assert Version.objects.get_for_object(meeting).count() == before + 1  # the earlier versions are all kept
    assert response.context["rows"][0]["comment"].startswith("Restored version 1, saved ")
    html = main_of(response)
    assert "Restored version 1, saved " in html
    assert "@" not in html  # neither the message nor the kept comment names the account by its email


def test_a_restored_version_can_itself_be_undone(client_for, users, meeting):
    client = client_for(users["convenor"])
    oldest = Version.objects.get_for_object(meeting).last()
    client.post(reverse("cells:meeting_restore", args=[meeting.slug, oldest.pk]))
    before_restore = Version.objects.get_for_object(meeting)[1]
    client.post(reverse("cells:meeting_restore", args=[meeting.slug, before_restore.pk]))
    meeting.refresh_from_db()
    assert (meeting.summary, meeting.place) == ("Trust grew quickly in Surrey.", "Guildford")


def test_each_older_version_offers_a_restore_button_and_the_current_one_does_not(client_for, users, meeting):
    response = client_for(users["convenor"]).get(history_url(meeting))
    assert [row["restorable"] for row in response.context["rows"]] == [False, True, True]
    assert response.content.decode().count("Restore this version</button>") == 2


def test_restoring_needs_a_post(client_for, users, meeting):
    version = Version.objects.get_for_object(meeting).last()
    response = client_for(users["convenor"]).get(reverse("cells:meeting_restore", args=[meeting.slug, version.pk]))
    assert response.status_code == 405


def test_a_version_of_another_meeting_cannot_be_restored_here(client_for, users, meeting):
    other = MeetingFactory(cell=meeting.cell)
    edit(other, users["staff"], "Edited", title="Other")
    stranger = Version.objects.get_for_object(other).last()
    response = client_for(users["convenor"]).post(reverse("cells:meeting_restore", args=[meeting.slug, stranger.pk]))
    assert response.status_code == 404


def test_restoring_keeps_the_note_published_and_out_of_the_bin(client_for, users, meeting):
    publishing.move_to_bin(meeting, user=users["staff"])
    publishing.restore_from_bin(meeting, user=users["staff"])
    client = client_for(users["convenor"])
    binned = client.get(history_url(meeting)).context["rows"][1]
    assert binned["comment"] == "Moved to the bin"
    client.post(reverse("cells:meeting_restore", args=[meeting.slug, binned["version"].pk]))
    meeting.refresh_from_db()
    assert (meeting.deleted_at, meeting.status) == (None, "published")


def test_a_note_with_no_versions_yet_says_so(client_for, users, cell):
    meeting = MeetingFactory(cell=cell)
    Version.objects.get_for_object(meeting).delete()  # as content loaded before versions were kept
    html = client_for(users["convenor"]).get(history_url(meeting)).content.decode()
    assert "No versions are kept yet" in html


@pytest.mark.parametrize(
    ("role", "expected"),
    [("member", 403), ("cell_member", 403), ("other_convenor", 403), ("convenor", 200), ("staff", 200)],
)
def test_only_those_who_may_author_a_note_see_its_history(client_for, users, meeting, role, expected):
    assert client_for(users[role]).get(history_url(meeting)).status_code == expected


def test_anonymous_visitors_are_asked_to_log_in_for_a_history(client, meeting):
    response = client.get(history_url(meeting))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["member", "other_convenor"])
def test_the_history_of_a_draft_is_not_found_by_those_who_cannot_see_the_draft(client_for, users, meeting, role):
    with versions.saving(meeting, user=None, comment="Back to draft"):
        meeting.status = "draft"
        meeting.save()
    assert client_for(users[role]).get(history_url(meeting)).status_code == 404


def test_the_history_of_a_binned_note_is_not_found(client_for, users, meeting):
    publishing.move_to_bin(meeting, user=users["staff"])
    assert client_for(users["staff"]).get(history_url(meeting)).status_code == 404


def test_an_insight_has_a_history_that_staff_can_restore(client_for, users):
    insight = InsightFactory(title="Local is better", slug="local", body="Power sits far away.")
    edit(insight, users["staff"], "Rewrote the body", body="Power sits close by.")
    client = client_for(users["staff"])
    response = client.get(reverse("insights:insight_history", args=[insight.slug]))
    assert "<del>far away.</del>" in response.content.decode()
    oldest = response.context["rows"][-1]["version"]
    client.post(reverse("insights:insight_restore", args=[insight.slug, oldest.pk]))
    insight.refresh_from_db()
    assert insight.body == "Power sits far away."
    assert Version.objects.get_for_object(insight).count() == 3


@pytest.mark.parametrize("role", ["member", "convenor"])
def test_only_staff_see_the_history_of_an_insight(client_for, users, role):
    insight = InsightFactory()
    assert client_for(users[role]).get(reverse("insights:insight_history", args=[insight.slug])).status_code == 403


def test_what_changed_meanwhile_compares_the_version_a_form_started_from_with_the_stored_one(users, meeting):
    started_from = meeting.edit_version
    edit(meeting, users["staff"], "Their edit", title="Trust in Guildford")
    meeting.refresh_from_db()
    changes = dict(changed_meanwhile(meeting, started_from))
    assert "<del>place</del>" in changes["Title"] and "<ins>Guildford</ins>" in changes["Title"]


def test_a_long_text_shows_only_the_paragraphs_that_changed(client_for, users, meeting):
    paragraphs = [f"Paragraph {n} about trust." for n in range(1, 10)]
    edit(meeting, users["convenor"], "Long notes", notes="\n\n".join(paragraphs))
    paragraphs[4] = "Paragraph 5 about power."
    edit(meeting, users["convenor"], "One word", notes="\r\n\r\n".join(paragraphs))
    changes = dict(client_for(users["convenor"]).get(history_url(meeting)).context["changes"])
    html = changes["The notes in detail"]
    assert "Paragraph 5 about <del>trust.</del> <ins>power.</ins>" in html
    assert html.count("[4 unchanged paragraphs]") == 2
    assert "Paragraph 1" not in html and "Paragraph 9" not in html


def test_a_removed_speaker_is_struck_through_and_the_others_are_left_alone(client_for, users, meeting):
    SpeakerFactory(meeting=meeting, person=PersonFactory(name="Steve Wyler"), role="facilitator", order=1)
    edit(meeting, users["convenor"], "Added Steve")
    meeting.speaker_roles.get(person__name="Dawn Plimmer").delete()
    edit(meeting, users["convenor"], "Removed Dawn")
    changes = dict(client_for(users["convenor"]).get(history_url(meeting)).context["changes"])
    assert changes["Speakers"] == "<del>Dawn Plimmer (Main speaker)</del><br>Steve Wyler (Facilitator)"


def test_topics_are_part_of_each_version_compared_and_restored(client_for, users, meeting):
    with versions.saving(meeting, user=users["convenor"], comment="Tagged"):
        meeting.save()
        meeting.tags.set(["place", "trust"])
    tagged = Version.objects.get_for_object(meeting).first()
    with versions.saving(meeting, user=users["convenor"], comment="Retagged"):
        meeting.save()
        meeting.tags.set(["covid-19"])
    client = client_for(users["convenor"])
    changes = dict(client.get(history_url(meeting)).context["changes"])
    assert "<del>place, trust</del>" in changes["Topics"] and "<ins>covid-19</ins>" in changes["Topics"]

    client.post(reverse("cells:meeting_restore", args=[meeting.slug, tagged.pk]))
    assert sorted(meeting.tags.names()) == ["place", "trust"]


def test_a_stale_meeting_form_shows_what_changed_in_place_speakers_and_topics(client_for, users, meeting):
    client = client_for(users["convenor"])
    started = client.get(reverse("cells:meeting_edit", args=[meeting.slug])).context["form"].initial["edit_version"]
    with versions.saving(meeting, user=users["staff"], comment="Staff edit"):
        meeting.place = "Woking"
        meeting.save()
        meeting.speaker_roles.all().delete()
        meeting.tags.set(["woking"])
    changes = dict(changed_meanwhile(meeting, started))
    assert "<ins>Woking</ins>" in changes["Place"]
    assert "Dawn Plimmer" in changes["Speakers"] and "<ins>woking</ins>" in changes["Topics"]


# --- who made a version: a name, never an email address ---------------------------------------------------------


def test_history_names_people_by_their_profile_or_full_name_and_never_by_email(client_for, users, meeting):
    staff_no_name = users["staff"]
    named = verified_user(username="jo@example.org", first_name="Jo", last_name="Bloggs")
    edit(meeting, staff_no_name, "Tidied by staff")
    edit(meeting, named, "Tidied by Jo")
    response = client_for(users["convenor"]).get(history_url(meeting))
    html = main_of(response)
    assert [row["who"] for row in response.context["rows"][:2]] == ["Jo Bloggs", "A member of staff"]
    assert f"by {users['convenor'].person.name}" in html
    assert "@" not in html


def test_a_version_by_a_member_the_reader_may_not_name_is_by_a_member_not_a_convenor(client_for, users, meeting):
    """Members add topics to notes, and each addition is a version: one whose name the reader may not see is "A
    member", never "A convenor"; staff stay "A member of staff"."""
    quiet = verified_user(username="quiet@example.org")  # no name on the account, no profile
    edit(meeting, quiet, "Added the topic “place”")
    response = client_for(users["convenor"]).get(history_url(meeting))
    assert response.context["rows"][0]["who"] == "A member"
    assert "by A member" in main_of(response) and "A convenor" not in main_of(response)


def test_a_profile_the_reader_may_not_see_is_not_named(users, meeting):
    """A convenor's profile kept private shows to staff; another convenor sees "A convenor"."""
    hidden = verified_user(username="private@example.org")
    PersonFactory(user=hidden, name="Private Person", is_public=False)
    assert history.name_of(users["staff"], hidden, others="A convenor") == "Private Person"
    assert history.name_of(users["other_convenor"], hidden, others="A convenor") == "A convenor"
    assert history.name_of(users["other_convenor"], None) == "Someone"


def test_the_date_of_a_version_is_written_the_sites_one_way(client_for, users, meeting):
    html = main_of(client_for(users["convenor"]).get(history_url(meeting)))
    row = client_for(users["convenor"]).get(history_url(meeting)).context["rows"][0]
    assert f">{dates.display_datetime(row['when'])}</time> by" in html
    assert " at " in dates.display_datetime(row["when"])


def test_a_refused_stale_edit_names_who_saved_meanwhile(client_for, users, cell):
    meeting = MeetingFactory(cell=cell, number=2, summary="The original.")
    form_version = meeting.edit_version
    edit(meeting, users["staff"], "Staff fix", summary="Staff fix.")
    data = {
        "title": meeting.title,
        "cell": str(cell.pk),
        "kind": "cell_meeting",
        "number": "2",
        "when": "",
        "summary": "Mine.",
        "notes": "",
        "visibility": "public",
        "notes_visibility": "public",
        "edit_version": str(form_version),
        "save": "1",
        "speakers-TOTAL_FORMS": "0",
        "speakers-INITIAL_FORMS": "0",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }
    response = client_for(users["convenor"]).post(reverse("cells:meeting_edit", args=[meeting.slug]), data)
    html = main_of(response)
    assert "What changed while you were editing" in html
    assert "by A member of staff is now the current one" in html
    assert "@" not in html
