"""Accounts (django-allauth) in the site's own pages: sign up, confirm, log in and out, passwords, email."""

import re

import pytest
from allauth.account.forms import AddEmailForm
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.shortcuts import render
from django.test import override_settings
from django.urls import reverse

from .factories import EmailAddressFactory, MeetingFactory, UserFactory, verified_user

PASSWORD = "a-long-enough-secret-phrase"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth counts attempts in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(db):
    user = verified_user(username="alice@example.org")
    user.set_password(PASSWORD)
    user.save()
    return user


def link_in(message, path_start):
    return re.search(rf"https?://[^/\s]+({re.escape(path_start)}\S+)", message.body).group(1)


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_signing_up_sends_a_confirmation_and_confirming_logs_you_in_to_members_only_notes(client, db):
    meeting = MeetingFactory(slug="members-note", title="A note for members", visibility="members")
    assert client.get(meeting.get_absolute_url()).status_code == 403  # invited to log in (core/permissions.py)

    response = client.post(
        reverse("account_signup"), {"email": "Newcomer@Example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert "Check your email" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("people:profile")).status_code == 302  # not logged in before confirming

    [message] = mail.outbox
    assert message.to == ["newcomer@example.org"] and message.subject.startswith("[A Better Way] ")
    confirm_url = link_in(message, "/accounts/confirm-email/")
    page = client.get(confirm_url).content.decode()
    assert "Confirm that <strong>newcomer@example.org</strong> is your email address." in page
    client.post(confirm_url)

    assert EmailAddress.objects.get(email="newcomer@example.org").verified
    assert "A note for members" in client.get(meeting.get_absolute_url()).content.decode()


def test_an_account_whose_email_is_not_confirmed_cannot_log_in(client, db):
    user = UserFactory(username="late@example.org")
    user.set_password(PASSWORD)
    user.save()
    EmailAddressFactory(user=user, verified=False)

    response = log_in(client, "late@example.org")

    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1  # the confirmation link is sent again


def test_a_member_logs_in_with_their_email_address_in_any_case(client, alice):
    response = log_in(client, "ALICE@example.org")

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert "You are logged in as alice@example.org." in client.get(reverse("home")).content.decode()


def test_a_wrong_password_is_reported_at_the_top_and_beside_the_form_without_saying_which_was_wrong(client, alice):
    html = log_in(client, "alice@example.org", "not-the-password").content.decode()

    assert "<title>Error: Log in · A Better Way</title>" in html
    assert '<div class="error-summary" role="alert"' in html
    assert "The email address and/or password you specified are not correct." in html
    assert '<a href="#id_login">' in html
    assert "_auth_user_id" not in client.session


def test_the_login_page_links_to_password_reset_and_sign_up(client, db):
    html = client.get(reverse("account_login")).content.decode()

    assert '<label for="id_login">Email</label>' in html
    assert '<label for="id_remember">Remember me</label>' in html  # the site's sentence case, not "Remember Me"
    assert f'<a href="{reverse("account_reset_password")}">Forgotten your password?</a>' in html
    assert f'href="{reverse("account_signup")}">Sign up</a>' in html


def test_logging_out_asks_first_and_happens_on_post(client, alice):
    client.force_login(alice)

    confirm = client.get(reverse("account_logout")).content.decode()
    assert "Do you want to log out of A Better Way?" in confirm and "_auth_user_id" in client.session

    response = client.post(reverse("account_logout"))
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session


def test_sign_up_errors_are_shown_next_to_each_field_and_linked_from_the_summary(client, db):
    html = client.post(
        reverse("account_signup"), {"email": "not-an-address", "password1": PASSWORD, "password2": PASSWORD + "x"}
    ).content.decode()

    assert "<title>Error: Sign up · A Better Way</title>" in html
    assert '<a href="#id_email">' in html and '<a href="#id_password2">' in html
    assert re.search(r'<input[^>]*name="email"[^>]*aria-invalid="true"', html)
    assert re.search(r'<input[^>]*name="email"[^>]*aria-describedby="id_email_error"', html)
    assert 'id="id_email_error"' in html and "Enter a valid email address." in html
    assert 'id="id_password2_error"' in html and "You must type the same password each time." in html
    assert not get_user_model().objects.exists() and not mail.outbox


def test_signing_up_with_an_address_already_in_use_does_not_say_so_on_the_page(client, alice):
    response = client.post(
        reverse("account_signup"), {"email": "alice@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response["Location"] == reverse("account_email_verification_sent")
    assert get_user_model().objects.filter(email="alice@example.org").count() == 1
    assert mail.outbox[0].to == ["alice@example.org"]  # the owner of the address is told, by email only


def test_password_reset_for_an_unknown_address_shows_the_same_page_as_for_a_known_one(client, alice):
    known = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    done = client.get(reverse("account_reset_password_done")).content.decode()
    assert "If an account exists for the address you gave, we have sent it an email" in done
    to_unknown = [message for message in mail.outbox if message.to == ["nobody@example.org"]]
    assert all("/accounts/password/reset/key/" not in message.body for message in to_unknown)
    [to_alice] = [message for message in mail.outbox if message.to == ["alice@example.org"]]
    assert "/accounts/password/reset/key/" in to_alice.body


def test_the_password_reset_link_lets_you_choose_a_new_password_once(client, alice):
    client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    key_url = link_in(mail.outbox[0], "/accounts/password/reset/key/")

    form_url = client.get(key_url)["Location"]
    assert "Choose a new password" in client.get(form_url).content.decode()
    response = client.post(form_url, {"password1": "another-long-phrase", "password2": "another-long-phrase"})
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    alice.refresh_from_db()
    assert alice.check_password("another-long-phrase")

    client.logout()
    assert "This link has expired" in client.get(key_url, follow=True).content.decode()


def test_a_member_changes_their_password_and_a_wrong_current_one_is_refused(client, alice):
    client.force_login(alice)
    url = reverse("account_change_password")

    html = client.post(
        url, {"oldpassword": "wrong", "password1": "new-long-phrase-1", "password2": "new-long-phrase-1"}
    ).content.decode()
    assert 'id="id_oldpassword_error"' in html and "Please type your current password." in html

    response = client.post(
        url, {"oldpassword": PASSWORD, "password1": "new-long-phrase-1", "password2": "new-long-phrase-1"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("new-long-phrase-1")


def test_a_member_changes_their_email_address_once_the_new_one_is_confirmed(client, alice):
    client.force_login(alice)

    client.post(reverse("account_email"), {"email": "alice@new.example.org", "action_add": ""})
    page = client.get(reverse("account_email")).content.decode()
    assert "Changing to" in page and "alice@new.example.org" in page
    [message] = mail.outbox
    assert message.to == ["alice@new.example.org"]

    client.post(link_in(message, "/accounts/confirm-email/"))

    alice.refresh_from_db()
    assert alice.email == "alice@new.example.org"
    assert list(EmailAddress.objects.filter(user=alice).values_list("email", "verified", "primary")) == [
        ("alice@new.example.org", True, True)
    ]


def test_an_invalid_new_email_address_is_shown_next_to_the_field(client, alice):
    client.force_login(alice)

    html = client.post(reverse("account_email"), {"email": "nope", "action_add": ""}).content.decode()

    assert "<title>Error: Your email address · A Better Way</title>" in html
    assert 'id="id_email_error"' in html and not mail.outbox


ACCOUNT_PAGES = [
    ("account_login", "Log in"),
    ("account_signup", "Sign up"),
    ("account_reset_password", "Reset your password"),
    ("account_reset_password_done", "Check your email"),
    ("account_email_verification_sent", "Check your email"),
    ("account_inactive", "This account is closed"),
    ("account_reset_password_from_key_done", "Your password is changed"),
]


@pytest.mark.parametrize(("name", "heading"), ACCOUNT_PAGES)
def test_each_account_page_for_visitors_is_in_the_site_layout(client, db, name, heading):
    html = client.get(reverse(name)).content.decode()

    assert '<a class="skip-link" href="#main">' in html and 'aria-label="Breadcrumb"' in html
    assert f"<h1>{heading}</h1>" in html


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("account_change_password", "Change your password"),
        ("account_email", "Your email address"),
        ("account_logout", "Log out"),
        ("account_reauthenticate", "Confirm it is you"),
    ],
)
def test_each_account_page_for_members_is_in_the_site_layout(client, alice, name, heading):
    client.force_login(alice)

    html = client.get(reverse(name)).content.decode()

    assert '<a class="skip-link" href="#main">' in html and f"{heading}</h1>" in html


def test_an_expired_confirmation_or_reset_link_says_so_in_the_site_layout(client, db):
    confirm = client.get(reverse("account_confirm_email", args=["bad-key"])).content.decode()
    reset = client.get(reverse("account_reset_password_from_key", args=["0", "bad-key"])).content.decode()

    assert "This link has expired or is not valid." in confirm
    assert "<h1>This link has expired</h1>" in reset and '<a class="skip-link"' in reset


def test_after_five_failed_logins_even_the_right_password_is_refused_for_a_while(client, alice):
    for _ in range(5):
        log_in(client, "alice@example.org", "wrong")

    html = log_in(client, "alice@example.org").content.decode()

    assert "Too many failed login attempts. Try again later." in html
    assert "_auth_user_id" not in client.session


def test_too_many_login_attempts_from_one_place_get_the_sites_own_too_many_attempts_page(client, db):
    for n in range(30):
        log_in(client, f"someone{n}@example.org", "wrong")

    response = log_in(client, "someone@example.org", "wrong")

    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Too many attempts</h1>" in html and '<a class="skip-link"' in html


@override_settings(DEBUG=True)
def test_demo_accounts_log_in_through_the_site_and_making_them_twice_changes_nothing(client, db):
    call_command("create_demo_accounts", stdout=open("/dev/null", "w"))
    call_command("create_demo_accounts", stdout=open("/dev/null", "w"))

    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 4
    response = log_in(client, "convenor@example.org", "betterway-demo")
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_an_allauth_page_not_rewritten_here_still_sits_in_the_site_layout_with_labelled_fields(rf, alice):
    request = rf.post(reverse("account_email"), {"email": "nope"})
    request.user, request.session = alice, {}
    request._messages = FallbackStorage(request)
    form = AddEmailForm(data={"email": "nope"}, user=alice)
    form.is_valid()

    html = render(request, "account/email.html", {"form": form, "can_add_email": True}).content.decode()

    assert '<a class="skip-link" href="#main">' in html and "<title>" in html and "Email Addresses" in html
    assert '<div class="error-summary" role="alert"' in html and '<a href="#id_email">' in html
    assert '<label for="id_email">Email</label>' in html and 'id="id_email_error"' in html
    assert '<button class="button" type="submit" name="action_add">' in html
