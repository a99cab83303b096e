"""A member asks to join a cell; its convenors (and staff) accept or decline."""

import pytest
from django.urls import reverse

from cells.models import JoinRequest, Membership
from people.models import Person

from .factories import MeetingFactory, UserFactory, verified_user


@pytest.fixture
def cell_note(cell):
    return MeetingFactory(cell=cell, slug="cell-note", title="Only for the cell", visibility="cell")


def join_url(cell):
    return reverse("cells:join", args=[cell.slug])


def members_url(cell):
    return reverse("cells:members", args=[cell.slug])


def decide_url(join_request):
    return reverse("cells:decide_request", args=[join_request.cell.slug, join_request.pk])


def test_a_visitor_is_invited_to_log_in_to_ask_to_join(client, cell):
    html = client.get(cell.get_absolute_url()).content.decode()

    assert f'href="{reverse("account_login")}?next={join_url(cell)}">Log in to ask to join</a>' in html


def test_a_member_asks_to_join_with_a_message_and_the_cell_page_says_it_is_waiting(client_for, users, cell):
    client = client_for(users["member"])
    assert "Ask to join</button>" in client.get(cell.get_absolute_url()).content.decode()

    response = client.post(join_url(cell), {"message": "I run a place-based partnership."}, follow=True)

    join_request = JoinRequest.objects.get(cell=cell, user=users["member"])
    assert (join_request.status, join_request.message) == ("pending", "I run a place-based partnership.")
    html = response.content.decode()
    assert "Your request to join Collaborative Leadership in Place is with its convenors." in html
    assert "Your request is waiting for a convenor" in html and "Ask to join</button>" not in html


def test_asking_without_a_message_is_fine(client_for, users, cell):
    response = client_for(users["member"]).post(join_url(cell))

    assert response["Location"] == cell.get_absolute_url()
    assert JoinRequest.objects.get().message == ""


def test_asking_twice_leaves_one_request_waiting(client_for, users, cell):
    client = client_for(users["member"])

    client.post(join_url(cell), {"message": "First"})
    client.post(join_url(cell), {"message": "Second"})

    assert list(JoinRequest.objects.values_list("message", flat=True)) == ["First"]


def test_a_member_who_logged_in_from_the_cell_page_gets_the_form_to_ask(client_for, users, cell):
    html = client_for(users["member"]).get(join_url(cell)).content.decode()

    assert "<h1>Ask to join Collaborative Leadership in Place</h1>" in html and 'name="message"' in html


def test_an_over_long_message_is_refused_next_to_the_field_and_nothing_is_saved(client_for, users, cell):
    html = client_for(users["member"]).post(join_url(cell), {"message": "x" * 1001}).content.decode()

    assert 'id="id_message_error"' in html and "Keep your note to 1000 characters or fewer" in html
    assert not JoinRequest.objects.exists()


def test_the_cells_members_and_convenors_are_told_so_instead_of_a_form(client_for, users, cell):
    assert (
        "You are a member of this cell"
        in client_for(users["cell_member"]).get(cell.get_absolute_url()).content.decode()
    )
    assert (
        "You are a convenor of this cell" in client_for(users["convenor"]).get(cell.get_absolute_url()).content.decode()
    )

    client_for(users["cell_member"]).post(join_url(cell))
    assert not JoinRequest.objects.exists()


def test_a_convenor_accepts_a_request_and_the_new_member_reads_the_cells_notes(client_for, users, cell, cell_note):
    member = users["member"]
    assert client_for(member).get(cell_note.get_absolute_url()).status_code == 404
    client_for(member).post(join_url(cell), {"message": "Please"})
    join_request = JoinRequest.objects.get()

    convenor = client_for(users["convenor"])
    assert "1 waiting for an answer" in convenor.get(cell.get_absolute_url()).content.decode()
    page = convenor.get(members_url(cell)).content.decode()
    assert "member@example.org" in page and "Please" in page
    response = convenor.post(decide_url(join_request), {"decision": "accept"}, follow=True)

    assert "You accepted member@example.org’s request to join." in response.content.decode()
    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by) == ("accepted", users["convenor"])
    person = Person.objects.get(user=member)
    assert person.name == "member"  # from the email address, until they edit their profile
    assert Membership.objects.filter(cell=cell, person=person, role="member").exists()
    assert "Only for the cell" in client_for(member).get(cell_note.get_absolute_url()).content.decode()


def test_accepting_someone_who_has_a_profile_makes_that_person_the_member(client_for, users, cell):
    applicant = verified_user(username="cate@example.org")
    person = Person.objects.create(user=applicant, name="Cate", slug="cate")
    join_request = JoinRequest.objects.create(cell=cell, user=applicant)

    client_for(users["staff"]).post(decide_url(join_request), {"decision": "accept"})

    assert Membership.objects.filter(cell=cell, person=person, role="member").exists()
    assert Person.objects.filter(user=applicant).count() == 1


def test_a_convenor_declines_a_request_and_the_member_may_ask_again(client_for, users, cell):
    join_request = JoinRequest.objects.create(cell=cell, user=users["member"])

    client_for(users["convenor"]).post(decide_url(join_request), {"decision": "decline"})

    join_request.refresh_from_db()
    assert join_request.status == "declined" and join_request.decided_at is not None
    assert not Membership.objects.filter(person__user=users["member"]).exists()
    assert "Ask to join</button>" in client_for(users["member"]).get(cell.get_absolute_url()).content.decode()


def test_a_request_already_answered_is_not_answered_again(client_for, users, cell):
    join_request = JoinRequest.objects.create(cell=cell, user=users["member"], status="declined")

    response = client_for(users["convenor"]).post(decide_url(join_request), {"decision": "accept"}, follow=True)

    assert "request was already answered" in response.content.decode()
    assert not Membership.objects.filter(person__user=users["member"]).exists()


def test_an_answer_that_is_neither_accept_nor_decline_is_a_bad_request(client_for, users, cell):
    join_request = JoinRequest.objects.create(cell=cell, user=users["member"])

    assert client_for(users["convenor"]).post(decide_url(join_request), {"decision": "maybe"}).status_code == 400


def test_the_members_page_lists_convenors_thought_leaders_and_members(client_for, users, cell):
    html = client_for(users["convenor"]).get(members_url(cell)).content.decode()

    assert 'Convenors <span class="count">(1)</span>' in html
    assert 'Thought leaders <span class="count">(0)</span>' in html
    assert 'Members <span class="count">(1)</span>' in html


@pytest.mark.parametrize("role", ["member", "cell_member", "other_convenor"])
def test_no_one_but_the_cells_convenors_and_staff_may_see_its_members_or_answer_requests(client_for, users, cell, role):
    join_request = JoinRequest.objects.create(cell=cell, user=verified_user())
    client = client_for(users[role])

    assert client.get(members_url(cell)).status_code == 403
    assert client.post(decide_url(join_request), {"decision": "accept"}).status_code == 403
    join_request.refresh_from_db()
    assert join_request.status == "pending"


def test_staff_see_every_cells_members(client_for, users, cell):
    assert client_for(users["staff"]).get(members_url(cell)).status_code == 200


def test_a_visitor_is_sent_to_log_in_for_the_members_page_and_for_asking(client, cell):
    for response in (client.get(members_url(cell)), client.post(join_url(cell))):
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not JoinRequest.objects.exists()


def test_an_account_without_a_confirmed_email_address_may_not_ask(client, cell):
    client.force_login(UserFactory())

    assert client.post(join_url(cell)).status_code == 403
