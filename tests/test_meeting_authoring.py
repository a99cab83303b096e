"""Convenors write up their cell's meetings: drafts, preview, publish, reviews, two layers, import."""

import datetime
import html
from io import BytesIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reversion.models import Version

from cells.models import Meeting, SpeakerReview
from people.models import Person

from .factories import CellFactory, MeetingFactory, PersonFactory, SpeakerFactory, UserFactory


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
        ({"speakers-0-new_name": "Jo Bloggs"}, "role", "Speaker 1: choose a role"),
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


# --- writing without losing one's place (issue 9) -----------------------------------------------------------------


def post_form(client, data, url=None):
    return client.post(url or reverse("cells:meeting_create"), data)


def without_save(data, **changes):
    data = {key: value for key, value in data.items() if key != "save"}
    data.update(changes)
    return data


def main_html(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_an_error_in_a_row_names_the_row_links_to_its_field_and_is_focused_first(convenor_client, cell):
    data = {
        "speakers-0-new_name": "Jo Bloggs",
        "speakers-0-role": "presenter",
        "speakers-1-new_name": "Kay Third",  # no role
    }
    html = create(convenor_client, cell, **data).content.decode()
    summary = html[html.index('class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert 'role="alert"' in html and 'tabindex="-1" autofocus' in html
    assert '<a href="#id_speakers-1-role">Speaker 2: choose a role.</a>' in summary
    assert "Kay Third" in html  # what was typed is still in the form
    assert "<title>Error: " in html


def test_a_saved_question_left_empty_must_be_written_or_removed(convenor_client, cell):
    meeting = MeetingFactory(cell=cell, number=2)
    question = meeting.questions.create(text="Who decides?", order=0)
    data = edit_data(
        meeting,
        **{
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "1",
            "questions-0-id": str(question.pk),
            "questions-0-text": "",
        },
    )
    response = convenor_client.post(reverse("cells:meeting_edit", args=[meeting.slug]), data)
    assert '<a href="#id_questions-0-text">Question 1: write the question or remove the row.</a>' in (
        response.content.decode()
    )
    data["questions-0-DELETE"] = "on"
    assert convenor_client.post(reverse("cells:meeting_edit", args=[meeting.slug]), data).status_code == 302
    assert not meeting.questions.exists()


def test_rows_left_empty_are_ignored_even_after_being_moved(convenor_client, cell):
    response = create(
        convenor_client,
        cell,
        **{
            "speakers-TOTAL_FORMS": "3",
            "speakers-0-order": "2",  # the empty rows were moved about: still nothing to check
            "speakers-1-order": "0",
            "speakers-2-order": "1",
            "speakers-2-new_name": "Dawn Plimmer",
            "speakers-2-role": "main_speaker",
            "questions-TOTAL_FORMS": "2",
            "questions-0-order": "1",
            "questions-1-order": "0",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(number=4)
    assert [(s.person.name, s.order) for s in meeting.speaker_roles.all()] == [("Dawn Plimmer", 0)]
    assert not meeting.questions.exists()


def test_the_order_of_speakers_and_questions_follows_the_rows_not_a_typed_number(convenor_client, cell):
    html = convenor_client.get(reverse("cells:meeting_create")).content.decode()
    assert 'type="hidden" name="speakers-0-order"' in html and 'type="number" name="speakers' not in html
    create(
        convenor_client,
        cell,
        **{
            "speakers-TOTAL_FORMS": "3",
            "speakers-0-new_name": "Ann First",
            "speakers-0-role": "presenter",
            "speakers-0-order": "7",
            "speakers-1-new_name": "Bob Second",
            "speakers-1-role": "presenter",
            "speakers-1-order": "3",
            "speakers-2-new_name": "Cy Third",
            "speakers-2-role": "presenter",
            "speakers-2-order": "5",
            "questions-TOTAL_FORMS": "2",
            "questions-0-text": "Asked second?",
            "questions-0-order": "1",
            "questions-1-text": "Asked first?",
            "questions-1-order": "0",
        },
    )
    meeting = Meeting.objects.get(number=4)
    assert [(s.person.name, s.order) for s in meeting.speaker_roles.all()] == [
        ("Bob Second", 0),
        ("Cy Third", 1),
        ("Ann First", 2),
    ]
    assert [(q.text, q.order) for q in meeting.questions.all()] == [("Asked first?", 0), ("Asked second?", 1)]


def test_add_another_speaker_keeps_everything_typed_checks_nothing_and_focuses_the_new_row(convenor_client, cell):
    data = without_save(meeting_data(cell, title="", **{"speakers-0-new_name": "Jo Bloggs"}), add_speakers="1")
    response = post_form(convenor_client, data)
    html = main_html(response)
    assert [form.position for form in response.context["speakers"].rows] == [1, 2, 3]
    assert "Speaker <span data-row-number>3</span>" in html
    new = html.index('name="speakers-2-person"')
    assert "autofocus" in html[html.rindex("<select", 0, new) : html.index(">", new)]
    assert html.count("autofocus") == 1
    assert 'value="Jo Bloggs"' in html
    assert "There is a problem" not in html and "This field is required" not in html  # the empty title waits
    assert 'action="/notes/new/"' in html  # no fragment left over: the new row's focus takes the page there
    assert not Meeting.objects.exists()


def test_add_another_question_focuses_the_new_question(convenor_client, cell):
    data = without_save(meeting_data(cell, **{"questions-0-text": "What next?"}), add_questions="1")
    response = post_form(convenor_client, data)
    html = main_html(response)
    assert len(response.context["questions"].forms) == 2
    new = html.index('name="questions-1-text"')
    assert "autofocus" in html[html.rindex("<textarea", 0, new) : new + 60]
    assert "What next?" in html


def test_move_up_without_javascript_moves_the_row_and_keeps_focus_on_its_button(convenor_client, cell):
    data = without_save(
        meeting_data(
            cell,
            **{
                "speakers-TOTAL_FORMS": "3",
                "speakers-0-new_name": "Ann First",
                "speakers-0-role": "presenter",
                "speakers-0-order": "0",
                "speakers-1-new_name": "Bob Second",
                "speakers-1-role": "presenter",
                "speakers-1-order": "1",
                "speakers-2-order": "2",
            },
        ),
        move="speakers-1-up",
    )
    response = post_form(convenor_client, data)
    rows = response.context["speakers"].rows
    assert [row["new_name"].value() or "" for row in rows] == ["Bob Second", "Ann First", ""]
    html = main_html(response)
    # Bob is first now: no "Move up" for him, so his "Move down" has the focus
    assert 'value="speakers-1-down" class="link-button" data-move="down" autofocus' in html
    assert 'value="speakers-1-up" class="link-button" data-move="up" hidden' in html
    assert html.index("Bob Second") < html.index("Ann First")
    moved = response.context["form"].data.copy()  # what the page sends back when Save is pressed next
    del moved["move"]
    saved = post_form(convenor_client, dict(moved.items(), save="1"))
    assert saved.status_code == 302
    assert [s.person.name for s in Meeting.objects.get(number=4).speaker_roles.all()] == ["Bob Second", "Ann First"]


def test_preview_shows_the_note_as_typed_at_the_button_pressed_and_checks_nothing(convenor_client, cell):
    dawn = PersonFactory(name="Dawn Plimmer", is_public=True)
    data = without_save(
        meeting_data(
            cell,
            title="",
            summary="- **Trust** takes time",
            **{
                "speakers-0-person": str(dawn.pk),
                "speakers-0-role": "main_speaker",
                "questions-0-text": "Who decides?",
            },
        ),
        preview="text",
    )
    response = post_form(convenor_client, data)
    html = main_html(response)
    panel = html[html.index('id="preview-text"') :]
    assert "<strong>Trust</strong>" in panel and "Dawn Plimmer — main speaker" in panel and "Who decides?" in panel
    assert "There is a problem" not in html
    assert html.index('data-preview-slot="text"') < html.index('id="questions"')  # in the section worked on
    assert 'formaction="/notes/new/#preview-text"' in html  # without JavaScript the page opens at the preview
    end = post_form(convenor_client, dict(data, preview="end"))
    assert 'id="preview-end"' in end.content.decode() and 'id="preview-text"' not in end.content.decode()
    assert not Meeting.objects.exists()


def test_pressing_enter_in_a_field_saves(convenor_client, cell):
    """Enter presses the form's first button: a nameless one that saves (not "Move down" or "Add")."""
    html = convenor_client.get(reverse("cells:meeting_create")).content.decode()
    form = html[html.index('<form method="post" action="/notes/new/"') :]
    assert form.index('<button type="submit" class="visually-hidden"') < form.index('name="move"')
    response = post_form(convenor_client, without_save(meeting_data(cell)))
    assert response.status_code == 302 and Meeting.objects.filter(number=4).exists()


def test_drop_downs_start_with_a_helpful_empty_choice(client, users, cell):
    client.force_login(users["staff"])
    html = client.get(reverse("cells:meeting_create")).content.decode()
    assert '<option value="" selected>No cell: a network event</option>' in html
    assert '<option value="" selected>Choose a role</option>' in html
    assert '<option value="" selected>Choose a person</option>' in html
    convenor = users["convenor"]
    CellFactory(name="Second cell").memberships.create(person=convenor.person, role="convenor")
    client.force_login(convenor)
    html = client.get(reverse("cells:meeting_create")).content.decode()
    assert '<option value="" selected>Choose a cell</option>' in html


def test_a_convenor_of_one_cell_has_it_chosen_already(convenor_client, cell):
    html = convenor_client.get(reverse("cells:meeting_create")).content.decode()
    assert f'<option value="{cell.pk}" selected>' in html


def test_the_form_has_one_main_action_a_secondary_preview_and_delete_apart(convenor_client, cell):
    meeting = MeetingFactory(cell=cell, number=2, status="draft")
    html = main_html(convenor_client.get(reverse("cells:meeting_edit", args=[meeting.slug])))
    actions = html[html.index('<div class="actions">') :]
    assert '<button type="submit" name="save" value="1" class="button">Save draft</button>' in actions
    assert 'class="button button-secondary" data-preview="end">Preview</button>' in actions
    form_end = html.index("</form>")
    delete = html.index('class="button button-danger"')
    assert delete > form_end and reverse("cells:meeting_delete", args=[meeting.slug]) in html[delete - 120 :]
    publish = main_html(convenor_client.get(reverse("cells:meeting_publish", args=[meeting.slug])))
    assert '<button type="submit" class="button">Publish</button>' in publish


def test_saving_a_draft_says_it_is_not_public(convenor_client, cell):
    response = convenor_client.post(reverse("cells:meeting_create"), meeting_data(cell), follow=True)
    meeting = Meeting.objects.get(number=4)
    html = response.content.decode()
    assert "Saved as a draft. It is not public" in html
    assert reverse("cells:meeting_preview", args=[meeting.slug]) in html


def test_saving_a_published_note_says_the_changes_are_live_with_a_link(convenor_client, cell):
    meeting = MeetingFactory(cell=cell, number=2, status="published", visibility="members")
    response = convenor_client.post(
        reverse("cells:meeting_edit", args=[meeting.slug]),
        edit_data(meeting, summary="New.", visibility="members", notes_visibility="members"),
        follow=True,
    )
    html = response.content.decode()
    assert (
        f'Your changes are live: every member of the network can read them in <a href="{meeting.get_absolute_url()}">'
        in html
    )
    edit = main_html(convenor_client.get(reverse("cells:meeting_edit", args=[meeting.slug])))
    assert "your changes are live as soon as you save them" in edit and "Save changes</button>" in edit


@pytest.mark.parametrize(
    ("visibility", "notes_visibility", "said"),
    [
        ("public", "public", "Published. Everyone can now read it."),
        ("members", "members", "Published. Every member of the network can now read it."),
        (
            "public",
            "cell",
            "Published. Everyone can now read it; the notes in detail are for the members of "
            "Collaborative Leadership in Place.",
        ),
    ],
)
def test_publishing_says_who_can_now_read_it(convenor_client, cell, visibility, notes_visibility, said):
    meeting = MeetingFactory(cell=cell, visibility=visibility, notes_visibility=notes_visibility, notes="Notes.")
    response = convenor_client.post(reverse("cells:meeting_publish", args=[meeting.slug]), follow=True)
    assert said in response.content.decode()


def test_the_preview_page_is_the_reading_page_with_the_preview_flag(convenor_client, cell):
    meeting = MeetingFactory(cell=cell, status="draft", summary="Key point.")
    response = convenor_client.get(reverse("cells:meeting_preview", args=[meeting.slug]))
    assert response.context["preview"] is True
    assert "Key point." in response.content.decode()
    assert "reviews" not in response.context  # what only convenors see is not in the preview


def test_a_saved_speaker_emptied_must_be_chosen_again_or_removed(convenor_client, cell):
    meeting = MeetingFactory(cell=cell, number=2)
    speaker = SpeakerFactory(meeting=meeting, person=PersonFactory(name="Dawn Plimmer"), role="presenter")
    data = edit_data(
        meeting,
        **{
            "speakers-TOTAL_FORMS": "1",
            "speakers-INITIAL_FORMS": "1",
            "speakers-0-id": str(speaker.pk),
            "speakers-0-person": "",
            "speakers-0-role": "",
        },
    )
    html = convenor_client.post(reverse("cells:meeting_edit", args=[meeting.slug]), data).content.decode()
    assert "Speaker 1: choose the speaker or tick “Remove this speaker”." in html
    assert meeting.speaker_roles.count() == 1


def test_the_same_person_twice_in_the_same_role_is_an_error_on_the_second_row(convenor_client, cell):
    dawn = PersonFactory(name="Dawn Plimmer", is_public=True)
    rows = {"speakers-0-person": str(dawn.pk), "speakers-0-role": "presenter"}
    rows.update({"speakers-1-person": str(dawn.pk), "speakers-1-role": "presenter"})
    html = create(convenor_client, cell, **rows).content.decode()
    assert "Speaker 2: Dawn Plimmer is already a speaker with this role." in html
    assert not Meeting.objects.exists()


def test_a_note_with_more_rows_than_a_save_may_add_stays_editable(convenor_client, cell):
    """A save may add at most 100 speakers or questions (cells.forms.MAX_NEW_ROWS: a tampered row count is refused
    without building 2,000 rows), but a meeting's own rows always come back: an imported note with 110 questions
    is edited and saved whole."""
    from .factories import QuestionFactory

    meeting = MeetingFactory(cell=cell, number=2, summary="First.")
    questions = [QuestionFactory(raised_at=meeting, text=f"Question {i}", order=i) for i in range(110)]
    data = edit_data(meeting, summary="Second.", **{"questions-TOTAL_FORMS": "112", "questions-INITIAL_FORMS": "110"})
    for i, question in enumerate(questions):
        data.update({f"questions-{i}-id": str(question.pk), f"questions-{i}-text": question.text})
        data[f"questions-{i}-order"] = str(i)
    data.update({"questions-110-text": "A new one", "questions-111-text": ""})
    response = convenor_client.post(reverse("cells:meeting_edit", args=[meeting.slug]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert meeting.summary == "Second." and meeting.questions.count() == 111
    data.update(
        {"questions-TOTAL_FORMS": "212", "questions-INITIAL_FORMS": "111", "edit_version": str(meeting.edit_version)}
    )
    refused = convenor_client.post(reverse("cells:meeting_edit", args=[meeting.slug]), data)
    assert refused.status_code == 200 and "Please submit at most 211 forms." in refused.content.decode()


def test_the_editors_pages_name_a_note_as_its_readers_see_it(convenor_client, cell):
    """A note's title from its source ("Note from …") is kept, but readers know it by what it was about: the edit,
    history and delete pages, and the questions a later note may take up, name it that way too."""
    meeting = MeetingFactory(cell=cell, number=2, title="Note from the cell, meeting 2", subject="Leading in places")
    meeting.questions.create(text="Who leads next?", order=0)
    later = MeetingFactory(cell=cell, number=3)
    for name in ("cells:meeting_edit", "cells:meeting_history", "cells:meeting_delete"):
        page = convenor_client.get(reverse(name, args=[meeting.slug])).content.decode()
        assert "Leading in places" in page[page.index("<title>") : page.index("</title>")], name
        # the title itself shows only in the edit form's field for it
        assert page.count("Note from the cell, meeting 2") == (name == "cells:meeting_edit"), name
    form = html.unescape(convenor_client.get(reverse("cells:meeting_edit", args=[later.slug])).content.decode())
    assert f"Who leads next? (from {meeting.reader_title})" in form
