"""One gate: the doors that were open (issue 7) are closed, one test each.

Each test describes a way past the visibility rule, the version keeping or the person matching
that the code of 9a71d42 left open; each failed there and passes now.
"""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from betterway.content import load_content
from cells import joining
from cells.models import Cell, Meeting
from core import versions
from core.models import UnversionedWrite
from insights.models import Insight
from people.models import Person

from .factories import (
    InsightFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    QuestionFactory,
    SpeakerFactory,
    UserFactory,
    verified_user,
)


def html_of(response):
    return response.content.decode()


def other_cell_of(users):
    return users["other_convenor"].person.memberships.get().cell


def meeting_form_data(meeting=None, *, cell, **overrides):
    """The meeting form as a browser sends it (an edit of `meeting`, unchanged unless overridden)."""
    data = {
        "title": meeting.title if meeting else "Collaborative Leadership in Place Cell 9",
        "cell": str(cell.pk),
        "kind": "cell_meeting",
        "number": str(meeting.number) if meeting else "9",
        "when": meeting.display_date if meeting else "9 September 2021",
        "place": "",
        "summary": meeting.summary if meeting else "- A key point",
        "notes": meeting.notes if meeting else "The notes.",
        "editorial_note": "",
        "visibility": "public",
        "notes_visibility": "public",
        "tags": "",
        "next_dates": "",
        "speakers-TOTAL_FORMS": "0",
        "speakers-INITIAL_FORMS": "0",
        "speakers-MIN_NUM_FORMS": "0",
        "speakers-MAX_NUM_FORMS": "1000",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "save": "1",
    }
    if meeting is not None:
        data["edit_version"] = str(meeting.edit_version)
    data.update(overrides)
    return data


# 1 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["draft", "binned note", "cell-only note"])
def test_a_speaker_named_only_in_a_draft_a_binned_or_a_cell_only_note_is_not_shown_to_a_visitor_nor_their_organisation(
    client_for, users, cell, where
):
    organisation = OrganisationFactory(name="Quillworks Trust", slug="quillworks-trust")
    person = PersonFactory(name="Zebedee Quillfeather", slug="zebedee-quillfeather", organisation=organisation)
    meeting = {
        "draft": lambda: MeetingFactory(cell=cell, status="draft"),
        "binned note": lambda: MeetingFactory(cell=cell, deleted_at=timezone.now()),
        "cell-only note": lambda: MeetingFactory(cell=cell, visibility="cell"),
    }[where]()
    SpeakerFactory(meeting=meeting, person=person)

    for reader in ("anonymous", "member"):  # a member of no cell reads no more of it than a visitor
        client = client_for(users[reader])
        people_page = html_of(client.get(reverse("people:person_list")))
        assert "Zebedee Quillfeather" not in people_page and "Quillworks Trust" not in people_page
        assert client.get(person.get_absolute_url()).status_code == 404
        assert client.get(organisation.get_absolute_url()).status_code == 404
        found = client.get(reverse("search"), {"q": "Quillfeather"})
        assert list(found.context["results"]["people"]) == []
        assert "Zebedee Quillfeather" not in html_of(found) and "Quillworks Trust" not in html_of(found)
        found = client.get(reverse("search"), {"q": "Quillworks"})
        assert "Quillworks Trust" not in html_of(found)

    staff = client_for(users["staff"])  # the page does show them to those who may see them
    assert "Zebedee Quillfeather" in html_of(staff.get(reverse("people:person_list")))


# 2 -------------------------------------------------------------------------------------------


def test_a_member_whose_request_to_join_a_cell_was_accepted_is_not_listed_publicly(client_for, users, cell):
    newcomer = verified_user(username="ottoline.vandersnoot@example.org")
    join_request = joining.ask_to_join(cell, newcomer, "Hello")
    assert joining.accept(join_request, by=users["convenor"])
    person = Person.objects.get(user=newcomer)
    assert person.name == "ottoline.vandersnoot"  # made from the email's local part

    visitor = client_for(users["anonymous"])
    assert "ottoline.vandersnoot" not in html_of(visitor.get(reverse("people:person_list")))
    assert visitor.get(person.get_absolute_url()).status_code == 404
    assert "ottoline.vandersnoot" not in html_of(visitor.get(cell.get_absolute_url()))
    assert list(visitor.get(reverse("search"), {"q": "vandersnoot"}).context["results"]["people"]) == []


# 3 -------------------------------------------------------------------------------------------

DEMO_EMAILS = ["staff@example.org", "convenor@example.org", "cellmember@example.org", "member@example.org"]


def test_the_demo_accounts_are_not_on_the_people_page_nor_convenors_on_the_real_cells_page(client, db):
    load_content()
    with override_settings(DEBUG=True):
        call_command("create_demo_accounts", stdout=io.StringIO())
    demo_names = {"Demo Staff", "Demo Convenor", "Demo Cell Member", "Demo Member"}
    demo_names |= set(Person.objects.filter(user__email__in=DEMO_EMAILS).values_list("name", flat=True))
    cell = Cell.objects.get(slug="collaborative-leadership-in-place")

    people_page = html_of(client.get(reverse("people:person_list")))
    cell_page = html_of(client.get(cell.get_absolute_url()))
    for name in sorted(demo_names):
        assert name not in people_page, f"{name} is on the public People page"
        assert name not in cell_page, f"{name} is on the cell's page"
    assert "Collaborative Leadership in Place" in cell_page


# 4 -------------------------------------------------------------------------------------------


def test_an_account_without_a_verified_email_address_cannot_read_members_only_content(client, cell):
    meeting = MeetingFactory(cell=cell, title="Members-only musings on trust", visibility="members")
    insight = InsightFactory(title="A members-only essay on power", visibility="members")
    unverified = UserFactory(username="not.yet.confirmed@example.org")  # no verified EmailAddress
    client.force_login(unverified)

    for own_page in (meeting.get_absolute_url(), insight.get_absolute_url()):
        response = client.get(own_page)  # asked to confirm their email address (tests/test_members_only.py)
        assert response.status_code == 403
        assert "Confirm your email address" in html_of(response)
    for page in (
        meeting.get_absolute_url(),
        insight.get_absolute_url(),
        reverse("home"),
        reverse("cells:meeting_list"),
        reverse("insights:insight_list"),
        cell.get_absolute_url(),
        reverse("search") + "?q=members-only",
    ):
        html = html_of(client.get(page))
        assert "Members-only musings on trust" not in html and "A members-only essay on power" not in html, page


# 5 -------------------------------------------------------------------------------------------


def test_a_topic_used_only_on_drafts_answers_404_to_a_visitor_and_is_not_on_the_topics_page(client, cell):
    MeetingFactory(cell=cell, status="draft", tags=["Hushed topic"])
    InsightFactory(status="draft", tags=["Hushed topic"])
    MeetingFactory(cell=cell, tags=["Open topic"])

    assert client.get(reverse("tag", args=["hushed-topic"])).status_code == 404
    topics = html_of(client.get(reverse("tag_list")))
    assert "Hushed topic" not in topics and "Open topic" in topics
    assert client.get(reverse("tag", args=["open-topic"])).status_code == 200


# 6 -------------------------------------------------------------------------------------------

UPLOADED_NOTE = (
    "Collaborative Leadership in Place Cell 7\n\n"
    "Notes of the meeting held on 5th March 2025, online\n\n"
    "Summary of key points\n\n- Trust matters.\n"
)


@pytest.mark.parametrize("matched_by", ["the same title", "the same kind and day"])
def test_a_note_upload_never_shows_the_title_or_link_of_a_matching_note_the_uploader_cannot_see(
    client_for, users, cell, matched_by
):
    if matched_by == "the same title":
        hidden = MeetingFactory(
            cell=other_cell_of(users),
            number=None,
            status="draft",
            slug="hidden-namesake",
            title="Collaborative Leadership in Place Cell 7",
            date=datetime.date(2019, 1, 1),
        )
    else:
        hidden = MeetingFactory(
            cell=other_cell_of(users),
            number=None,
            status="draft",
            slug="hidden-same-day",
            title="Quiet plans for Harbourside",
            kind="cell_meeting",
            date=datetime.date(2025, 3, 5),
            date_precision="day",
        )
    client = client_for(users["convenor"])
    assert client.get(hidden.get_absolute_url()).status_code == 404  # the uploader cannot see it

    response = client.post(reverse("note_import"), {"file": SimpleUploadedFile("cell7.txt", UPLOADED_NOTE.encode())})

    html = html_of(response)
    assert hidden.get_absolute_url() not in html
    assert "Quiet plans for Harbourside" not in html
    assert "Matches" not in html and "Matched" not in html
    Meeting.objects.get(pk=hidden.pk)  # left as it was…
    hidden.refresh_from_db()
    assert hidden.summary == "Key points of the meeting."
    mine = Meeting.objects.get(cell=cell, number=7)  # …and the upload became the convenor's own draft
    assert mine.status == "draft" and mine.get_absolute_url() in html


# 7 -------------------------------------------------------------------------------------------


def test_forms_offer_no_content_the_writer_cannot_see_and_nothing_from_the_bin_as_choices(client_for, users, cell):
    other = other_cell_of(users)
    other_draft = MeetingFactory(cell=other, status="draft", title="Their unpublished plan")
    QuestionFactory(raised_at=other_draft, text="Should the harbour close at night?")
    SpeakerFactory(meeting=other_draft, person=PersonFactory(name="Ysolde Marchbanks"))
    binned = MeetingFactory(cell=cell, title="A note thrown away", deleted_at=timezone.now())
    QuestionFactory(raised_at=binned, text="Is the orchard still ours?")
    SpeakerFactory(meeting=binned, person=PersonFactory(name="Barnaby Thistlewood"))
    live = MeetingFactory(cell=cell, title="A note still here")
    QuestionFactory(raised_at=live, text="Who keeps the keys?")

    convenor = client_for(users["convenor"])
    for page in (
        reverse("cells:meeting_create") + f"?cell={cell.slug}",
        reverse("cells:meeting_edit", args=[MeetingFactory(cell=cell).slug]),
    ):
        response = convenor.get(page)
        assert response.status_code == 200
        html = html_of(response)
        assert "Who keeps the keys?" in html  # the choices are there…
        for hidden in (
            "Should the harbour close at night?",
            "Is the orchard still ours?",  # …but not these
            "Their unpublished plan",
            "A note thrown away",
            "Ysolde Marchbanks",
            "Barnaby Thistlewood",
        ):
            assert hidden not in html, f"{hidden!r} is offered on {page}"

    staff = client_for(users["staff"])
    html = html_of(staff.get(reverse("insights:insight_create")))
    assert "A note still here" in html and "Their unpublished plan" in html  # staff see every live note
    assert "A note thrown away" not in html


# 8 -------------------------------------------------------------------------------------------


def test_questions_carried_forward_belong_to_the_detailed_notes_and_a_visitor_sees_none_of_members_only_notes(
    client_for, users, cell
):
    meeting = MeetingFactory(
        cell=cell, status="published", visibility="public", notes_visibility="members", summary="Public key points."
    )
    QuestionFactory(raised_at=meeting, text="How do we share power with residents?")

    visitor = client_for(users["anonymous"])
    page = html_of(visitor.get(meeting.get_absolute_url()))
    assert "Public key points." in page
    assert "How do we share power with residents?" not in page
    assert "How do we share power with residents?" not in html_of(visitor.get(cell.get_absolute_url()))

    member = client_for(users["member"])
    assert "How do we share power with residents?" in html_of(member.get(meeting.get_absolute_url()))


# 9 -------------------------------------------------------------------------------------------

IMPORTED_NOTE = """Climate Action Cell 2

Notes of the meeting held on 3rd March 2025, online

1. Discussion

Participants agreed that local ownership builds trust.
"""


def test_the_importers_update_raises_edit_version_and_keeps_a_version(db, tmp_path):
    path = tmp_path / "climate.txt"
    path.write_text(IMPORTED_NOTE, encoding="utf-8")
    call_command("import_notes", str(path), "--json", stdout=io.StringIO())
    meeting = Meeting.objects.get(title="Climate Action Cell 2")
    before = (meeting.edit_version, Version.objects.get_for_object(meeting).count())

    path.write_text(IMPORTED_NOTE.replace("builds trust", "builds lasting trust"), encoding="utf-8")
    out = io.StringIO()
    call_command("import_notes", str(path), "--update", "--json", stdout=out)

    assert json.loads(out.getvalue().splitlines()[0])["action"] == "updated"
    meeting.refresh_from_db()
    assert "builds lasting trust" in meeting.notes
    assert meeting.edit_version == before[0] + 1
    kept = Version.objects.get_for_object(meeting)
    assert kept.count() == before[1] + 1
    assert kept.first().field_dict["edit_version"] == meeting.edit_version
    assert "builds lasting trust" not in kept[1].field_dict["notes"]


# 10 ------------------------------------------------------------------------------------------


def test_a_meeting_edit_posted_without_edit_version_is_refused_and_overwrites_nothing(client_for, users, cell):
    meeting = MeetingFactory(cell=cell, number=2, summary="The summary as it stands.")
    stored_version = Meeting.objects.get(pk=meeting.pk).edit_version
    data = meeting_form_data(meeting, cell=cell, summary="An edit from a form of unknown age.")
    del data["edit_version"]

    response = client_for(users["convenor"]).post(reverse("cells:meeting_edit", args=[meeting.slug]), data)

    assert response.status_code == 200
    assert response.context["form"].errors.get("edit_version")
    meeting.refresh_from_db()
    assert meeting.summary == "The summary as it stands."
    assert meeting.edit_version == stored_version


# 11 ------------------------------------------------------------------------------------------


def test_writing_a_meeting_or_insight_outside_versions_saving_raises_unversioned_write_and_delete_too(cell):
    meeting = MeetingFactory(cell=cell, summary="Kept.")
    insight = InsightFactory(body="Kept.")

    meeting.summary = "Written behind the versions' back."
    with pytest.raises(UnversionedWrite):
        meeting.save()
    with pytest.raises(UnversionedWrite):
        Meeting(cell=cell, title="Made behind the versions' back", slug="unversioned").save()
    insight.body = "Written behind the versions' back."
    with pytest.raises(UnversionedWrite):
        insight.save()
    with pytest.raises(UnversionedWrite):
        meeting.delete()

    assert Meeting.objects.get(pk=meeting.pk).summary == "Kept."
    assert Insight.objects.get(pk=insight.pk).body == "Kept."
    assert not Meeting.objects.filter(slug="unversioned").exists()


# 12 ------------------------------------------------------------------------------------------


def test_loading_the_content_twice_changes_nothing_and_an_edit_made_on_the_site_is_kept_as_a_version(db, users):
    load_content()
    edit_versions = {m.slug: m.edit_version for m in Meeting.objects.all()}
    edit_versions.update({i.slug: i.edit_version for i in Insight.objects.all()})
    version_count = Version.objects.count()

    load_content()

    assert Version.objects.count() == version_count
    again = {m.slug: m.edit_version for m in Meeting.objects.all()}
    again.update({i.slug: i.edit_version for i in Insight.objects.all()})
    assert again == edit_versions

    meeting = Meeting.objects.order_by("slug").first()
    loaded_summary = meeting.summary
    with versions.saving(meeting, user=users["staff"], comment="Edited on the site"):  # as the edit form does
        meeting.summary = "A correction made on the site."
        meeting.save()
    edited_version = Meeting.objects.get(pk=meeting.pk).edit_version

    load_content()  # the files' text comes back, as a new version: the edit stays in the history

    meeting.refresh_from_db()
    assert meeting.summary == loaded_summary
    assert meeting.edit_version == edited_version + 1
    kept = [version.field_dict for version in Version.objects.get_for_object(meeting)]
    assert (kept[0]["summary"], kept[0]["edit_version"]) == (loaded_summary, meeting.edit_version)
    assert "A correction made on the site." in [fields["summary"] for fields in kept[1:]]


# 13 ------------------------------------------------------------------------------------------


def test_a_new_speaker_whose_name_matches_someone_at_another_organisation_is_not_merged_with_them_silently(
    client_for, users, cell
):
    collaborate = OrganisationFactory(name="Collaborate", slug="collaborate")
    dawn = PersonFactory(name="Dawn Plimmer", slug="dawn-plimmer", organisation=collaborate)
    SpeakerFactory(meeting=MeetingFactory(cell=cell, number=1), person=dawn)  # on the site, seen by everyone
    convenor = client_for(users["convenor"])
    create = reverse("cells:meeting_create")
    speaker = {
        "speakers-TOTAL_FORMS": "1",
        "speakers-0-new_name": "Dawn Plimmer",
        "speakers-0-role": "main_speaker",
        "speakers-0-order": "0",
    }

    # With another organisation: someone else of the same name, a new person.
    response = convenor.post(
        create,
        meeting_form_data(
            cell=cell, number="5", title="Cell 5", **speaker, **{"speakers-0-new_organisation": "Fair Power"}
        ),
    )
    assert response.status_code == 302
    [spoke] = Meeting.objects.get(cell=cell, number=5).speaker_roles.all()
    assert spoke.person != dawn and spoke.person.organisation.name == "Fair Power"
    dawn.refresh_from_db()
    assert dawn.organisation == collaborate
    assert dawn.speaker_roles.count() == 1

    # With no organisation while the only Dawn Plimmer on the site has one: asked, not guessed.
    response = convenor.post(create, meeting_form_data(cell=cell, number="6", title="Cell 6", **speaker))
    assert response.status_code == 200
    assert "Dawn Plimmer is already on the site" in html_of(response)
    assert not Meeting.objects.filter(cell=cell, number=6).exists()
    assert dawn.speaker_roles.count() == 1
