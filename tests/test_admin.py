"""The Django admin writes meetings and insights like the site does: every save is a version, a
stale form is refused with its text kept, nothing is hard-deleted, and the lifecycle is not typed in."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from reversion.models import Version
from taggit.forms import TagField
from taggit.utils import edit_string_for_tags

from cells.models import Meeting, Speaker
from core import versions
from insights.models import Insight

from .factories import InsightFactory, MeetingFactory, PersonFactory, SpeakerFactory, verified_user

LIFECYCLE_FIELDS = ["status", "edit_version", "deleted_at", "deleted_by", "published_by", "published_at", "created_by"]
STALE_WARNING = "Someone else saved this while you were editing it"


@pytest.fixture
def admin_client(client, db):
    client.force_login(verified_user(username="admin@example.org", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def meeting(cell):
    meeting = MeetingFactory(
        cell=cell, number=3, title="Cell 3", summary="The summary as written.", status="draft", tags=["place"]
    )
    SpeakerFactory(meeting=meeting, person=PersonFactory(name="Dawn Plimmer"), role=Speaker.Role.MAIN_SPEAKER, order=0)
    return meeting


@pytest.fixture
def insight(db):
    return InsightFactory(
        title="An essay on trust",
        body="The body as written.",
        status="draft",
        authors=[PersonFactory(name="Kathy Evans")],
    )


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def form_data(response):
    """What the browser sends back from a rendered admin change page: the form, each inline's
    management form and rows, as they were rendered."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field, TagField) and not isinstance(value, str):
                value = edit_string_for_tags(list(value or []))
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, list | tuple):
                value = [str(item) for item in value]
            elif isinstance(value, datetime.datetime):
                data[f"{bound.html_name}_0"], data[f"{bound.html_name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
                continue
            else:
                value = str(value)
            data[bound.html_name] = value
    data["_save"] = "Save"
    return data


def stored(obj):
    return type(obj)._default_manager.get(pk=obj.pk)


def versions_of(obj):
    return Version.objects.get_for_object(obj)


def parts_saved_with(version, model):
    """The rows of `model` kept in the same revision as `version`, as field dicts."""
    kind = ContentType.objects.get_for_model(model)
    return [part.field_dict for part in version.revision.version_set.filter(content_type=kind)]


# Saving keeps a version ----------------------------------------------------------------------


def test_saving_a_meeting_in_the_admin_keeps_a_version_with_its_speakers_and_raises_edit_version(admin_client, meeting):
    toby = PersonFactory(name="Toby Lowe")
    before = (stored(meeting).edit_version, versions_of(meeting).count())
    data = form_data(admin_client.get(change_url(meeting)))
    data["summary"] = "The summary, corrected in the admin."
    data["speaker_roles-0-role"] = Speaker.Role.THOUGHT_LEADER  # the speaker already there gets another role
    data.update(
        {
            "speaker_roles-1-person": str(toby.pk),
            "speaker_roles-1-role": Speaker.Role.PRESENTER,
            "speaker_roles-1-order": "1",
        }
    )  # and one more speaker is added

    response = admin_client.post(change_url(meeting), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    now = stored(meeting)
    assert now.summary == "The summary, corrected in the admin."
    assert now.edit_version == before[0] + 1
    assert versions_of(meeting).count() == before[1] + 1
    latest = versions_of(meeting).first()
    assert latest.field_dict["summary"] == "The summary, corrected in the admin."
    assert latest.field_dict["edit_version"] == now.edit_version
    speakers = sorted(
        (fields["person_id"], fields["role"])
        for fields in parts_saved_with(latest, Speaker)
        if fields["meeting_id"] == meeting.pk
    )
    assert speakers == sorted(
        [
            (meeting.speaker_roles.get(person__name="Dawn Plimmer").person_id, Speaker.Role.THOUGHT_LEADER),
            (toby.pk, Speaker.Role.PRESENTER),
        ]
    )


def test_saving_an_insight_in_the_admin_keeps_a_version_with_its_authors_and_raises_edit_version(admin_client, insight):
    toby = PersonFactory(name="Toby Lowe")
    before = (stored(insight).edit_version, versions_of(insight).count())
    data = form_data(admin_client.get(change_url(insight)))
    data["body"] = "The body, corrected in the admin."
    data["authors"] = [*data.get("authors", []), str(toby.pk)]

    response = admin_client.post(change_url(insight), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    now = stored(insight)
    assert (now.body, now.edit_version) == ("The body, corrected in the admin.", before[0] + 1)
    assert versions_of(insight).count() == before[1] + 1
    latest = versions_of(insight).first()
    assert latest.field_dict["body"] == "The body, corrected in the admin."
    assert set(latest.field_dict["authors"]) == set(now.authors.values_list("pk", flat=True))
    assert toby.pk in latest.field_dict["authors"]


# A stale form is refused ---------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "field"), [("meeting", "summary"), ("insight", "body")])
def test_a_stale_admin_form_is_refused_with_the_typed_text_kept_and_the_stored_object_unchanged(
    request, admin_client, users, kind, field
):
    obj = request.getfixturevalue(kind)
    data = form_data(admin_client.get(change_url(obj)))  # the form is made…
    meanwhile = stored(obj)
    with versions.saving(meanwhile, user=users["staff"], comment="Saved meanwhile"):  # …someone else saves…
        setattr(meanwhile, field, "Their quick fix.")
        meanwhile.save()
    after_theirs = (stored(obj).edit_version, versions_of(obj).count())
    data[field] = "My careful rewrite."

    response = admin_client.post(change_url(obj), data)  # …and the form made before is sent

    assert response.status_code == 200
    html = response.content.decode()
    assert STALE_WARNING in html
    assert "My careful rewrite." in html
    now = stored(obj)
    assert getattr(now, field) == "Their quick fix."
    assert (now.edit_version, versions_of(obj).count()) == after_theirs


# Nothing is hard-deleted -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["meeting", "insight"])
def test_staff_cannot_hard_delete_and_move_to_the_bin_instead(request, admin_client, kind):
    obj = request.getfixturevalue(kind)
    opts = obj._meta
    delete_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    assert admin_client.get(delete_url).status_code == 403
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert type(obj)._default_manager.filter(pk=obj.pk).exists()

    actions = [name for name, _label in admin_client.get(changelist).context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions and "move_to_bin" in actions
    response = admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    assert type(obj)._default_manager.filter(pk=obj.pk).exists()

    count = versions_of(obj).count()
    response = admin_client.post(changelist, {"action": "move_to_bin", "_selected_action": [obj.pk], "index": "0"})

    assert response.status_code == 302
    now = stored(obj)
    assert now.deleted_at is not None and now.deleted_by.username == "admin@example.org"
    assert versions_of(obj).count() == count + 1
    assert versions_of(obj).first().field_dict["deleted_at"] is not None


# The lifecycle is not typed in -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["meeting", "insight"])
def test_the_lifecycle_fields_are_not_editable_in_the_admin_and_posting_them_changes_nothing(
    request, admin_client, users, kind
):
    obj = request.getfixturevalue(kind)
    page = admin_client.get(change_url(obj))
    editable = set(page.context["adminform"].form.fields)
    assert editable & set(LIFECYCLE_FIELDS) == set()

    before = stored(obj)
    someone = users["member"]
    data = form_data(page)
    data.update(
        {
            "status": "published",
            "edit_version": "99",
            "created_by": str(someone.pk),
            "published_by": str(someone.pk),
            "deleted_by": str(someone.pk),
        }
    )
    for name in ("deleted_at", "published_at"):
        data.update({name: "2020-01-01 10:00:00", f"{name}_0": "2020-01-01", f"{name}_1": "10:00:00"})

    response = admin_client.post(change_url(obj), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    now = stored(obj)
    assert now.status == "draft"
    assert now.edit_version == before.edit_version + 1  # one save, one step: not the 99 posted
    assert (now.deleted_at, now.deleted_by, now.published_at, now.published_by) == (None, None, None, None)
    assert now.created_by == before.created_by
    assert type(obj).objects.visible_to(users["anonymous"]).filter(pk=obj.pk).count() == 0


def test_the_admin_offers_publishing_as_an_action_that_records_who_and_when(admin_client, meeting, insight):
    for obj, model in ((meeting, Meeting), (insight, Insight)):
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        count = versions_of(obj).count()
        response = admin_client.post(changelist, {"action": "publish", "_selected_action": [obj.pk], "index": "0"})
        assert response.status_code == 302
        now = stored(obj)
        assert now.status == "published" and now.published_by.username == "admin@example.org"
        assert now.published_at is not None
        assert versions_of(obj).count() == count + 1
