"""A member keeps their own profile (their Person); staff link archive people to accounts."""

import re

import pytest
from django.urls import reverse

from people.forms import BIO_MAX_LENGTH
from people.models import Organisation, Person

from .factories import OrganisationFactory, PersonFactory, verified_user

URL = reverse("people:profile")


@pytest.fixture
def bob(db):
    return verified_user(username="bob.jones@example.org")


def profile(name="Bob Jones", organisation="", new_organisation="", role="Director", bio="I *run* things."):
    return {"name": name, "organisation": organisation, "new_organisation": new_organisation, "role": role, "bio": bio}


def test_a_visitor_is_asked_to_log_in_to_see_a_profile(client, db):
    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_first_save_creates_the_members_person_with_a_slug_no_one_else_has(client, bob):
    PersonFactory(name="Bob Jones", slug="bob-jones")
    organisation = OrganisationFactory(name="Civil Exchange")
    PersonFactory(organisation=organisation, is_public=True)  # so the organisation is one members may see
    client.force_login(bob)

    response = client.post(URL, profile(organisation=organisation.pk))

    assert response["Location"] == URL
    person = Person.objects.get(user=bob)
    assert (person.name, person.slug, person.organisation, person.role) == (
        "Bob Jones",
        "bob-jones-2",
        organisation,
        "Director",
    )
    html = client.get(URL).content.decode()
    assert "Your profile is saved." in html and f'href="{person.get_absolute_url()}">your page</a>' in html


def test_the_profile_page_shows_what_is_saved_and_links_to_email_and_password_changes(client, bob):
    PersonFactory(user=bob, name="Bob Jones", role="Director", bio="Hello there")
    client.force_login(bob)

    html = client.get(URL).content.decode()

    assert 'value="Bob Jones"' in html and "Hello there</textarea>" in html
    assert f'href="{reverse("account_email")}"' in html and f'href="{reverse("account_change_password")}"' in html


def test_a_new_organisation_typed_in_is_created_and_an_existing_name_is_reused(client, bob):
    client.force_login(bob)
    existing = OrganisationFactory(name="Locality")

    client.post(URL, profile(new_organisation="  Better   Places  "))
    assert Person.objects.get(user=bob).organisation.name == "Better Places"

    client.post(URL, profile(new_organisation="locality"))
    assert Person.objects.get(user=bob).organisation == existing
    assert Organisation.objects.count() == 2


def test_editing_an_archive_person_linked_by_staff_keeps_their_page_address(client, bob):
    person = PersonFactory(user=bob, name="Robert Jones", slug="robert-jones")
    client.force_login(bob)

    client.post(URL, profile(name="Bob Jones", organisation=person.organisation.pk))

    person.refresh_from_db()
    assert (person.name, person.slug) == ("Bob Jones", "robert-jones")
    assert Person.objects.count() == 1


def test_an_empty_name_is_refused_next_to_the_field_and_nothing_is_saved(client, bob):
    client.force_login(bob)

    html = client.post(URL, profile(name="   ", new_organisation="New Org")).content.decode()

    assert "<title>Error: Your profile · A Better Way</title>" in html
    assert 'id="id_name_error"' in html and "Enter your name." in html
    assert re.search(r'<input[^>]*name="name"[^>]*aria-invalid="true"', html)
    assert not Person.objects.exists() and not Organisation.objects.exists()


def test_an_over_long_biography_is_refused_and_what_was_typed_is_kept(client, bob):
    client.force_login(bob)
    bio = "word " * (BIO_MAX_LENGTH // 5 + 1)

    html = client.post(URL, profile(bio=bio, new_organisation="New Org")).content.decode()

    assert 'id="id_bio_error"' in html
    assert f"Keep your biography to {BIO_MAX_LENGTH} characters or fewer" in html
    assert '<a href="#id_bio">' in html and bio.strip() in html
    assert not Person.objects.exists() and not Organisation.objects.exists()


def test_choosing_an_organisation_and_typing_another_is_refused(client, bob):
    client.force_login(bob)
    organisation = PersonFactory(is_public=True).organisation

    html = client.post(URL, profile(organisation=organisation.pk, new_organisation="Another")).content.decode()

    assert 'id="id_new_organisation_error"' in html and "not both" in html
    assert not Person.objects.filter(user=bob).exists()


def test_the_biography_is_markdown_shown_safely_on_the_public_page(client, bob):
    client.force_login(bob)

    client.post(URL, profile(bio="I *run* things.<script>alert(1)</script>"))

    html = client.get(Person.objects.get(user=bob).get_absolute_url()).content.decode()
    assert "<em>run</em>" in html and "<script>alert(1)" not in html


def test_staff_find_an_account_by_email_to_link_it_to_an_archive_person(client, db, bob):
    staff = verified_user(username="staff@example.org", is_staff=True, is_superuser=True)
    person = PersonFactory(name="Robert Jones")
    client.force_login(staff)

    change_page = client.get(reverse("admin:people_person_change", args=[person.pk])).content.decode()
    assert "type part of their email address to find it" in change_page
    assert 'class="admin-autocomplete' in change_page and 'name="user"' in change_page

    found = client.get(
        reverse("admin:autocomplete"),
        {"term": "bob.jones", "app_label": "people", "model_name": "person", "field_name": "user"},
    ).json()
    assert [result["text"] for result in found["results"]] == ["bob.jones@example.org"]
