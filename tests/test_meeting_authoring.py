"""Convenors write up their cell's meetings: drafts, preview, publish, reviews, two layers, import."""

import datetime
from io import BytesIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reversion.models import Version

from cells.models import Meeting, SpeakerReview
from people.models import Person

from .factories import MeetingFactory, PersonFactory, SpeakerFactory, UserFactory


def meeting_data(cell, **overrides):
    data = {
        "title": "Collaborative Leadership in Place Cell 4",
        "cell": str(cell.pk) if cell else "",
        "kind": "cell_meeting",
        "number": "4",
        "when": "9 September 2021",
        "place": "",
        "summary": "- A key point",
        "notes": "## Opening\n\nThe notes.",
        "editorial_note": "",
        "visibility": "public",
        "notes_visibility": "public",
        "tags": "place",
        "next_dates": "",
        "speakers-TOTAL_FORMS": "2",
        "speakers-INITIAL_FORMS": "0",
        "speakers-MIN_NUM_FORMS": "0",
        "speakers-MAX_NUM_FORMS": "1000",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-text": "",
        "save": "1",
    }
    data.update(overrides)
    return data


def edit_data(meeting, **overrides):
    """The edit form as the browser would send it back, unchanged unless overridden."""
    data = meeting_data(
        meeting.cell,
        title=meeting.title,
        number=str(meeting.number or ""),
        summary=meeting.summary,
        notes=meeting.notes,
        when=meeting.display_date,
        edit_version=str(meeting.edit_version),
        **{"speakers-TOTAL_FORMS": "0", "questions-TOTAL_FORMS": "0"},
    )
    data.update(overrides)
    return data


@pytest.fixture
def convenor_client(client, users):
    client.force_login(users["convenor"])
    return client


def create(client, cell, **overrides):
    return client.post(reverse("cells:meeting_create"), meeting_data(cell, **overrides))


def test_a_convenor_writes_up_a_meeting_with_two_speakers(convenor_client, cell, users):
    cate = PersonFactory(name="Cate Newnes-Smith", is_public=True)
    response = create(
        convenor_client,
        cell,
        **{
            "speakers-0-person": str(cate.pk),
            "speakers-0-role": "thought_leader",
            "speakers-0-order": "1",
            "speakers-1-new_name": "Dawn Plimmer",
            "speakers-1-new_organisation": "Collaborate",
            "speakers-1-role": "main_speaker",
            "speakers-1-order": "0",
            "questions-0-text": "What does systems leadership look like?",
            "next_dates": "9 September 2031, 3.00-4.30pm",
        },
    )
    meeting = Meeting.objects.get(number=4)
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert (meeting.status, meeting.created_by, meeting.date_precision) == ("draft", users["convenor"], "day")
    assert [(s.person.name, s.role) for s in meeting.speaker_roles.order_by("order")] == [
        ("Dawn Plimmer", "main_speaker"),
        ("Cate Newnes-Smith", "thought_leader"),
    ]
    assert Person.objects.get(name="Dawn Plimmer").organisation.name == "Collaborate"
    assert meeting.questions.get().text == "What does systems leadership look like?"
    upcoming = cell.upcoming_dates.get()
    assert (upcoming.start_time, upcoming.end_time) == (datetime.time(15, 0), datetime.time(16, 30))
    assert [t.name for t in meeting.tags.all()] == ["place"]
    assert Version.objects.get_for_object(meeting).count() == 1


def test_a_draft_is_seen_by_its_convenor_and_by_no_visitor(convenor_client, client, cell):
    create(convenor_client, cell)
    meeting = Meeting.objects.get(number=4)
    assert convenor_client.get(meeting.get_absolute_url()).status_code == 200
    convenor_client.logout()
    assert client.get(meeting.get_absolute_url()).status_code == 404


def test_preview_renders_the_text_and_saves_nothing(convenor_client, cell):
    data = meeting_data(cell, summary="- **Bold** point", preview="1")
    del data["save"]
    response = convenor_client.post(reverse("cells:meeting_create"), data)
    assert response.status_code == 200 and "<strong>Bold</strong>" in response.content.decode()
    assert not Meeting.objects.filter(number=4).exists()


def test_add_another_speaker_adds_a_row_without_javascript(convenor_client, cell):
    data = meeting_data(cell, add_speakers="1")
    del data["save"]
    response = convenor_client.post(reverse("cells:meeting_create"), data)
    assert len(response.context["speakers"].forms) == 3


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"when": "next Tuesday"}, "when", "Enter a date like 5 June 2019"),
        ({"when": "31 February 2021"}, "when", "Enter a date like"),
        ({"title": ""}, "title", "This field is required"),
        ({"title": "x" * 251}, "title", "at most 250 characters"),
        (
            {"speakers-0-role": "presenter", "speakers-0-new_organisation": "Somewhere"},
            "new_name",
            "Give the speaker’s name",
        ),
        ({"speakers-0-new_name": "Jo Bloggs"}, "role", "Give the speaker’s role"),
        ({"visibility": "everyone"}, "visibility", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(convenor_client, cell, overrides, field, message):
    response = create(convenor_client, cell, **overrides)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert 'aria-invalid="true"' in html
    assert not Meeting.objects.filter(number=4).exists()


def test_a_meeting_number_cannot_be_used_twice_in_a_cell(convenor_client, cell):
    MeetingFactory(cell=cell, number=4)
    response = create(convenor_client, cell)
    assert "already has a meeting 4" in response.content.decode()


def test_a_convenor_cannot_write_up_another_cells_meeting(convenor_client, users):
    other = users["other_convenor"].person.memberships.get().cell
    response = create(convenor_client, other)
    assert "Select a valid choice" in response.content.decode()
    assert not Meeting.objects.filter(cell=other).exists()
    theirs = MeetingFactory(cell=other, status="published")
    assert convenor_client.get(reverse("cells:meeting_edit", args=[theirs.slug])).status_code == 403


def test_only_staff_write_up_network_events(client, users):
    client.force_login(users["convenor"])
    response = create(client, None, number="", kind="roundtable")
    assert "This field is required" in response.content.decode()
    client.force_login(users["staff"])
    response = create(client, None, number="", kind="roundtable")
    assert response.status_code == 302
    assert Meeting.objects.get(kind="roundtable").cell is None


@pytest.mark.parametrize("role", ["member", "cell_member", "other_convenor"])
def test_members_who_do_not_convene_the_cell_cannot_author(client, users, cell, role):
    meeting = MeetingFactory(cell=cell, status="published")
    client.force_login(users[role])
    expected_create = 403 if role != "other_convenor" else 200
    assert client.get(reverse("cells:meeting_create")).status_code == expected_create
    assert client.get(reverse("cells:meeting_edit", args=[meeting.slug])).status_code == 403
    assert client.post(reverse("cells:meeting_publish", args=[meeting.slug])).status_code == 403


def test_visitors_are_asked_to_log_in(client, cell):
    response = client.get(reverse("cells:meeting_create"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_publishing_shows_the_readiness_check_and_records_who_and_when(convenor_client, cell, users):
    earlier = MeetingFactory(cell=cell, number=3, status="published")
    earlier.questions.create(text="What next?")
    meeting = MeetingFactory(cell=cell, number=4, status="draft", summary="", date=None)
    html = convenor_client.get(reverse("cells:meeting_publish", args=[meeting.slug])).content.decode()
    assert "There is no summary of key points." in html
    assert "The meeting has no date" in html
    assert "No principle or topic is chosen" in html
    assert "raised 1 question for later; this note takes none of them up" in html
    response = convenor_client.post(reverse("cells:meeting_publish", args=[meeting.slug]))
    meeting.refresh_from_db()
    assert response.status_code == 302
    assert (meeting.status, meeting.published_by) == ("published", users["convenor"])
    assert meeting.published_at is not None
    convenor_client.post(reverse("cells:meeting_unpublish", args=[meeting.slug]))
    meeting.refresh_from_db()
    assert meeting.status == "draft"


def test_named_speakers_review_the_draft_and_the_convenor_sees_their_answers(convenor_client, client, cell):
    speaker_user = UserFactory(email="dawn@example.org")
    dawn = PersonFactory(name="Dawn Plimmer", user=speaker_user)
    meeting = MeetingFactory(cell=cell, status="draft", notes="Dawn said collaboration is hard.")
    SpeakerFactory(meeting=meeting, person=dawn)
    convenor_client.post(reverse("cells:meeting_request_reviews", args=[meeting.slug]))
    assert mail.outbox[0].to == ["dawn@example.org"]
    assert reverse("cells:meeting_review", args=[meeting.slug]) in mail.outbox[0].body

    # publishing before Dawn confirms needs the convenor's confirmation of that choice
    response = convenor_client.post(reverse("cells:meeting_publish", args=[meeting.slug]))
    assert "Not every speaker has confirmed (Dawn Plimmer)" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "draft"

    reviewer = client.__class__()
    reviewer.force_login(speaker_user)
    page = reviewer.get(reverse("cells:meeting_review", args=[meeting.slug]))
    assert page.status_code == 200 and "Dawn said collaboration is hard." in page.content.decode()
    reviewer.post(
        reverse("cells:meeting_review", args=[meeting.slug]), {"answer": "changes", "comment": "I said it is worth it."}
    )
    review = SpeakerReview.objects.get()
    assert (review.status, review.comment) == ("changes", "I said it is worth it.")
    html = convenor_client.get(meeting.get_absolute_url()).content.decode()
    assert "Asked for a change" in html and "I said it is worth it." in html

    response = convenor_client.post(
        reverse("cells:meeting_publish", args=[meeting.slug]), {"publish_without_confirmations": "on"}
    )
    meeting.refresh_from_db()
    assert meeting.status == "published"


def test_asking_for_a_change_needs_a_comment(client, cell):
    user = UserFactory()
    meeting = MeetingFactory(cell=cell, status="draft")
    SpeakerReview.objects.create(meeting=meeting, person=PersonFactory(user=user))
    client.force_login(user)
    response = client.post(reverse("cells:meeting_review", args=[meeting.slug]), {"answer": "changes"})
    assert "Say what you would like changed." in response.content.decode()


def test_someone_not_asked_to_review_cannot_open_the_review_page(client, cell, users):
    meeting = MeetingFactory(cell=cell, status="draft")
    client.force_login(users["member"])
    assert client.get(reverse("cells:meeting_review", args=[meeting.slug])).status_code == 404


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(client, users, cell):
    meeting = MeetingFactory(cell=cell, number=2, summary="The original summary.")
    first, second = client, client.__class__()
    first.force_login(users["convenor"])
    second.force_login(users["staff"])
    stale_form = edit_data(meeting, summary="My careful rewrite.")
    first.post(reverse("cells:meeting_edit", args=[meeting.slug]), edit_data(meeting, summary="Their quick fix."))
    response = second.post(reverse("cells:meeting_edit", args=[meeting.slug]), stale_form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this note while you were editing it" in html
    assert "My careful rewrite." in html  # the typed text is kept in the form
    assert "<ins>quick fix.</ins>" in html or "<ins>Their quick fix.</ins>" in html
    meeting.refresh_from_db()
    assert meeting.summary == "Their quick fix."
    # once they have seen the changes, saving again is their choice
    again = second.post(
        reverse("cells:meeting_edit", args=[meeting.slug]), dict(stale_form, edit_version=str(meeting.edit_version))
    )
    assert again.status_code == 302
    meeting.refresh_from_db()
    assert meeting.summary == "My careful rewrite."


def test_every_save_keeps_the_version_before_it(convenor_client, cell):
    meeting = MeetingFactory(cell=cell, number=2, summary="First.")
    convenor_client.post(reverse("cells:meeting_edit", args=[meeting.slug]), edit_data(meeting, summary="Second."))
    meeting.refresh_from_db()
    convenor_client.post(reverse("cells:meeting_edit", args=[meeting.slug]), edit_data(meeting, summary="Third."))
    summaries = [v.field_dict["summary"] for v in Version.objects.get_for_object(meeting)]
    assert summaries == ["Third.", "Second.", "First."]


def test_deleting_moves_the_note_to_the_bin(convenor_client, client, cell):
    meeting = MeetingFactory(cell=cell, status="published", title="Binned note")
    convenor_client.post(reverse("cells:meeting_delete", args=[meeting.slug]))
    assert Meeting.objects.in_bin().get() == meeting
    convenor_client.logout()
    assert client.get(meeting.get_absolute_url()).status_code == 404
    assert "Binned note" not in client.get(reverse("cells:meeting_list")).content.decode()


def test_key_points_can_be_public_while_the_notes_are_for_members(client, cell, users):
    meeting = MeetingFactory(
        cell=cell, summary="Public key point.", notes="Zanzibar detail for members.", notes_visibility="members"
    )
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Public key point." in html and "Zanzibar" not in html
    assert "Log in</a> or <a" in html
    assert "Zanzibar" not in client.get(reverse("search") + "?q=zanzibar").content.decode()
    client.force_login(users["member"])
    assert "Zanzibar detail for members." in client.get(meeting.get_absolute_url()).content.decode()
    assert "Zanzibar" in client.get(reverse("search") + "?q=zanzibar").content.decode()


def test_cell_only_notes_invite_a_member_to_join_the_cell(client, cell, users):
    meeting = MeetingFactory(cell=cell, notes="Cell secret.", notes_visibility="cell")
    client.force_login(users["member"])
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Cell secret." not in html and "Ask to join the cell" in html
    client.force_login(users["cell_member"])
    assert "Cell secret." in client.get(meeting.get_absolute_url()).content.decode()


NOTE = b"Collaborative Leadership in Place Cell 5\n\nSummary of key points\n\n- Trust matters.\n"


def test_a_convenor_uploads_a_note_file_and_gets_a_draft(convenor_client, cell):
    cell.name = "Collaborative Leadership in Place"
    cell.save()
    response = convenor_client.post(reverse("note_import"), {"file": SimpleUploadedFile("cell5.txt", NOTE)})
    meeting = Meeting.objects.get(number=5)
    assert (meeting.cell, meeting.status) == (cell, "draft")
    assert reverse("cells:meeting_edit", args=[meeting.slug]) in response.content.decode()


def test_an_upload_for_a_cell_the_convenor_does_not_convene_is_refused(convenor_client, cell, users):
    other = users["other_convenor"].person.memberships.get().cell
    note = f"{other.name} Cell 2\n\nSome notes.".encode()
    response = convenor_client.post(reverse("note_import"), {"file": SimpleUploadedFile("n.txt", note)})
    assert "which you do not convene" in response.content.decode()
    assert not Meeting.objects.exists()


def test_an_upload_of_the_wrong_kind_of_file_is_refused(convenor_client):
    response = convenor_client.post(
        reverse("note_import"), {"file": SimpleUploadedFile("n.pdf", BytesIO(b"%PDF").read())}
    )
    assert "Choose a Word (.docx), Markdown (.md) or text (.txt) file." in response.content.decode()
