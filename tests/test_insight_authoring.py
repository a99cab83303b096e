"""Staff write insights on the site: draft, preview, edit (never over someone else's save), publish, delete."""

import datetime

import pytest
from django.urls import reverse
from reversion.models import Version

from core import versions
from insights.models import Insight

from .factories import CellFactory, InsightFactory, MeetingFactory, PersonFactory, PrincipleFactory


def form_data(**changes):
    data = {
        "kind": "essay",
        "title": "Local is better than national",
        "slug": "",
        "published": "2018-06",
        "collection": "Insights for A Better Way (2018)",
        "standfirst": "Why *place* matters.",
        "body": "## Power\n\nDecisions are better made **close** to people.",
        "editorial_note": "",
        "original_url": "",
        "publisher": "",
        "tags": "place, systems leadership",
        "visibility": "public",
        "cell": "",
        "comment": "",
        "save": "1",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(insight, **changes):
    """What the edit form of `insight` posts back, with `changes` typed in."""
    stored = {
        "kind": insight.kind,
        "title": insight.title,
        "slug": insight.slug,
        "published": "2018",
        "standfirst": insight.standfirst,
        "body": insight.body,
        "edit_version": insight.edit_version,
    }
    return form_data(**{**stored, **changes})


@pytest.fixture
def staff(client_for, users):
    return client_for(users["staff"])


def test_staff_create_a_draft_with_everything_the_public_page_shows(staff, users):
    author, principle, meeting = PersonFactory(name="Caroline Slocock"), PrincipleFactory(), MeetingFactory()
    data = form_data(authors=[author.pk], principles=[principle.pk], source_meetings=[meeting.pk])

    response = staff.post(reverse("insights:insight_create"), data, follow=True)

    insight = Insight.objects.get()
    assert response.redirect_chain[-1][0] == insight.get_absolute_url()
    assert insight.slug == "local-is-better-than-national"
    assert (insight.status, insight.created_by) == ("draft", users["staff"])
    assert (insight.published_on, insight.published_on_precision) == (datetime.date(2018, 6, 1), "month")
    assert list(insight.authors.all()) == [author]
    assert list(insight.principles.all()) == [principle]
    assert list(insight.source_meetings.all()) == [meeting]
    assert sorted(insight.tags.names()) == ["place", "systems leadership"]
    assert Version.objects.get_for_object(insight).get().revision.get_comment() == "Created as a draft"
    html = response.content.decode()
    assert "Saved as a draft" in html
    assert "<strong>close</strong>" in html


@pytest.mark.parametrize(
    ("typed", "date", "precision"),
    [
        ("2018", datetime.date(2018, 1, 1), "year"),
        ("2018-06", datetime.date(2018, 6, 1), "month"),
        ("2018-06-05", datetime.date(2018, 6, 5), "day"),
        ("", None, "day"),
    ],
)
def test_the_date_is_kept_only_as_exact_as_it_was_typed(staff, typed, date, precision):
    staff.post(reverse("insights:insight_create"), form_data(published=typed))
    insight = Insight.objects.get()
    assert (insight.published_on, insight.published_on_precision) == (date, precision)


def test_a_typed_address_is_used_and_a_generated_one_never_clashes(staff):
    InsightFactory(slug="local-is-better-than-national")
    staff.post(reverse("insights:insight_create"), form_data())
    staff.post(reverse("insights:insight_create"), form_data(slug="my-address"))
    assert set(Insight.objects.values_list("slug", flat=True)) == {
        "local-is-better-than-national",
        "local-is-better-than-national-2",
        "my-address",
    }


def test_preview_shows_what_the_public_will_see_and_saves_nothing(staff):
    author = PersonFactory(name="Steve Wyler")
    response = staff.post(reverse("insights:insight_create"), form_data(save=None, preview="1", authors=[author.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview — not saved yet" in html
    assert "<h2>Power</h2>" in html and "<strong>close</strong>" in html
    assert "Steve Wyler" in html and "June 2018" in html
    assert "Decisions are better made **close** to people." in html  # still in the form
    assert not Insight.objects.exists()


def test_a_saved_draft_has_its_own_preview_page(staff):
    insight = InsightFactory(status="draft", body="A *draft* body.")
    html = staff.get(reverse("insights:insight_preview", args=[insight.slug])).content.decode()
    assert "This is how readers will see it once it is published" in html
    assert "<em>draft</em>" in html


def test_editing_saves_a_new_version_with_the_comment(staff):
    insight = InsightFactory(title="Old title", body="Old body.")
    form = staff.get(reverse("insights:insight_edit", args=[insight.slug]))
    assert form.context["form"].initial["published"] == "2018-01-01"
    assert form.context["form"].initial["edit_version"] == 1

    staff.post(
        reverse("insights:insight_edit", args=[insight.slug]),
        edit_data(insight, body="New body.", comment="Rewrote the body"),
    )

    insight.refresh_from_db()
    assert (insight.body, insight.edit_version) == ("New body.", 2)
    comments = [v.revision.get_comment() for v in Version.objects.get_for_object(insight)]
    assert comments == ["Rewrote the body", "Made by a test factory"]


def test_a_stale_edit_is_refused_keeping_the_typed_text_and_showing_what_changed(staff, users):
    insight = InsightFactory(title="Local is better", body="Power sits far away.")
    started = edit_data(insight, body="My careful rewrite of the body.")
    with versions.saving(insight, user=users["convenor"], comment="Their edit"):
        insight.title = "Local is much better"
        insight.save()

    response = staff.post(reverse("insights:insight_edit", args=[insight.slug]), started)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this insight while you were editing it" in html
    assert "My careful rewrite of the body." in html
    assert "<ins>much</ins>" in html
    insight.refresh_from_db()
    assert (insight.title, insight.body, insight.edit_version) == ("Local is much better", "Power sits far away.", 2)
    assert Version.objects.get_for_object(insight).count() == 2
    assert response.context["form"]["edit_version"].value() == 2  # saving again is a choice made knowingly


def test_publish_asks_first_then_records_who_and_when(staff, users):
    insight = InsightFactory(status="draft")
    assert "Publish “" in staff.get(reverse("insights:insight_publish", args=[insight.slug])).content.decode()
    staff.post(reverse("insights:insight_publish", args=[insight.slug]))
    insight.refresh_from_db()
    assert (insight.status, insight.published_by) == ("published", users["staff"])
    assert insight.published_at is not None
    assert Version.objects.get_for_object(insight).first().revision.get_comment() == "Published"


def test_unpublish_makes_it_a_draft_that_the_public_cannot_see(staff, client):
    insight = InsightFactory(status="published")
    staff.post(reverse("insights:insight_unpublish", args=[insight.slug]))
    insight.refresh_from_db()
    assert insight.status == "draft"
    client.logout()
    assert client.get(insight.get_absolute_url()).status_code == 404


def test_publishing_what_is_published_changes_nothing(staff):
    insight = InsightFactory(status="published")
    staff.post(reverse("insights:insight_publish", args=[insight.slug]))
    assert Version.objects.get_for_object(insight).count() == 1  # the factory's, and no other


def test_delete_asks_first_then_moves_it_to_the_bin(staff, users):
    insight = InsightFactory()
    page = staff.get(reverse("insights:insight_delete", args=[insight.slug])).content.decode()
    assert "staff can restore it from the bin" in page
    response = staff.post(reverse("insights:insight_delete", args=[insight.slug]), follow=True)
    assert "to the bin; staff can restore it" in response.content.decode()
    insight.refresh_from_db()
    assert insight.deleted_by == users["staff"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Give the insight a title."),
        ({"title": "x" * 251}, "title", "at most 250 characters"),
        ({"published": "June-ish"}, "published", "Write the date as a year, a month or a day"),
        ({"original_url": "not a web address"}, "original_url", "Enter a valid URL."),
        ({"slug": "taken"}, "slug", "Another insight has this address"),
        ({"visibility": "cell"}, "visibility", "Choose the cell whose members may read it."),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(staff, changes, field, message):
    InsightFactory(slug="taken")
    response = staff.post(reverse("insights:insight_create"), form_data(**changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert "There is a problem" in html
    assert Insight.objects.count() == 1


def test_a_cell_only_insight_is_accepted_with_its_cell(staff):
    cell = CellFactory()
    staff.post(reverse("insights:insight_create"), form_data(visibility="cell", cell=cell.pk))
    assert Insight.objects.get().cell == cell


def test_staff_see_the_editing_toolbar_on_an_insight_and_others_do_not(client_for, users):
    insight = InsightFactory()
    html = client_for(users["staff"]).get(insight.get_absolute_url()).content.decode()
    for name in ("insight_edit", "insight_history", "insight_delete"):
        assert reverse(f"insights:{name}", args=[insight.slug]) in html
    assert reverse("insights:insight_unpublish", args=[insight.slug]) in html
    for role in ("anonymous", "member", "convenor"):
        assert reverse("insights:insight_edit", args=[insight.slug]) not in (
            client_for(users[role]).get(insight.get_absolute_url()).content.decode()
        )


AUTHORING = [
    ("insights:insight_create", False, "get"),
    ("insights:insight_create", False, "post"),
    ("insights:insight_edit", True, "get"),
    ("insights:insight_edit", True, "post"),
    ("insights:insight_preview", True, "get"),
    ("insights:insight_publish", True, "get"),
    ("insights:insight_publish", True, "post"),
    ("insights:insight_unpublish", True, "post"),
    ("insights:insight_delete", True, "get"),
    ("insights:insight_delete", True, "post"),
]


@pytest.mark.parametrize(("name", "per_insight", "method"), AUTHORING)
@pytest.mark.parametrize("role", ["member", "cell_member", "convenor", "other_convenor"])
def test_members_who_are_not_staff_are_refused_every_authoring_action(
    client_for, users, name, per_insight, method, role
):
    insight = InsightFactory(status="published", body="Untouched.")
    url = reverse(name, args=[insight.slug] if per_insight else [])
    client = client_for(users[role])
    response = client.post(url, form_data(body="Changed.")) if method == "post" else client.get(url)
    assert response.status_code == 403
    insight.refresh_from_db()
    assert (insight.body, insight.status, insight.deleted_at) == ("Untouched.", "published", None)
    assert Insight.objects.count() == 1


@pytest.mark.parametrize(("name", "per_insight", "method"), AUTHORING)
def test_anonymous_visitors_are_asked_to_log_in_for_every_authoring_action(client, name, per_insight, method, db):
    insight = InsightFactory(status="published")
    url = reverse(name, args=[insight.slug] if per_insight else [])
    response = client.post(url, form_data()) if method == "post" else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_draft_is_not_found_by_members_who_cannot_see_it(client_for, users):
    insight = InsightFactory(status="draft")
    assert client_for(users["member"]).get(reverse("insights:insight_edit", args=[insight.slug])).status_code == 404


# --- what the writer is told, and the buttons (issue 9) -----------------------------------------------------------


def test_saving_a_draft_says_it_is_not_public_with_links_to_preview_and_publish(staff):
    response = staff.post(reverse("insights:insight_create"), form_data(), follow=True)
    insight = Insight.objects.get()
    html = response.content.decode()
    assert "Saved as a draft. It is not public" in html
    assert f'<a href="{reverse("insights:insight_preview", args=[insight.slug])}">Preview it</a>' in html
    assert f'<a href="{reverse("insights:insight_publish", args=[insight.slug])}">publish it</a>' in html


def test_saving_a_published_insight_says_the_changes_are_live(staff):
    insight = InsightFactory(status="published", visibility="members")
    response = staff.post(
        reverse("insights:insight_edit", args=[insight.slug]),
        edit_data(insight, body="New.", visibility="members"),
        follow=True,
    )
    assert (
        f"Your changes are live: every member of the network can read them in "
        f'<a href="{insight.get_absolute_url()}">{insight.title}</a>.'
    ) in response.content.decode()


def test_publishing_says_who_can_now_read_it(staff):
    cell = CellFactory(name="Place cell")
    insight = InsightFactory(status="draft", visibility="cell", cell=cell, title="Trust")
    response = staff.post(reverse("insights:insight_publish", args=[insight.slug]), follow=True)
    assert "Published “Trust”. The members of Place cell can now read it." in response.content.decode()


def test_the_form_saves_as_its_main_action_previews_second_and_deletes_apart(staff):
    insight = InsightFactory(status="draft")
    html = staff.get(reverse("insights:insight_edit", args=[insight.slug])).content.decode()
    assert '<button type="submit" name="save" value="1" class="button">Save as draft</button>' in html
    assert 'class="button button-secondary">Preview</button>' in html
    delete = html.index('class="button button-danger"')
    assert delete > html.index("</form>", html.index('name="save"'))
    assert reverse("insights:insight_delete", args=[insight.slug]) in html[delete - 120 : delete + 200]


def test_a_failed_save_focuses_the_error_summary(staff):
    html = staff.post(reverse("insights:insight_create"), form_data(title="")).content.decode()
    assert '<div class="error-summary" role="alert" tabindex="-1" autofocus' in html
    assert '<a href="#id_title">Title: Give the insight a title.</a>' in html
    assert "<title>Error: " in html
