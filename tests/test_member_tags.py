"""Members tag meetings and insights (issue 8): one normalisation of topic names everywhere they come in,
adding and removing as versions of the content, who added each, staff merging two topics, topic pages."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version
from taggit.models import Tag, TaggedItem
from taggit.utils import edit_string_for_tags, parse_tags

from core import tags, versions
from discussion.models import MemberTag

from .factories import InsightFactory, MeetingFactory, UserFactory, verified_user
from .test_meeting_authoring import edit_data


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def meeting(cell):
    return MeetingFactory(cell=cell, slug="trust", title="Trust in place", tags=["place"])


def add_url(target):
    kind = target._meta.model_name
    return reverse(f"discussion:{kind}_topics", args=[target.slug])


def remove_url(target, tag):
    kind = target._meta.model_name
    return reverse(f"discussion:{kind}_topic_remove", args=[target.slug, tag.slug])


def last_comment(obj):
    return Version.objects.get_for_object(obj).first().revision.get_comment()


# --- one normalisation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Systems leadership", "Systems leadership"),
        ("  systems   leadership ", "systems leadership"),
        ("systems\tleadership\n", "systems leadership"),
        ("systems\u00a0leadership", "systems leadership"),
        ("<b>place</b>", "place"),
        ("#localism", "localism"),
        ('the "big" society', "the big society"),
        ("x" * 80, "x" * tags.MAX_LENGTH),
        ("<script></script>", ""),
    ],
)
def test_a_topic_name_is_trimmed_collapsed_stripped_of_markup_and_limited(typed, stored):
    assert tags.normalise(typed) == stored


def test_names_that_differ_only_in_case_and_spaces_are_one_topic():
    assert tags.key("Systems leadership") == tags.key("systems  leadership ")
    assert tags.parse("Systems leadership, systems  leadership , place") == ["Systems leadership", "place"]


def test_a_tags_field_reads_text_without_a_comma_as_one_topic_and_its_own_edit_string_back_the_same():
    assert parse_tags("systems leadership") == ["systems leadership"]  # taggit's TagField goes through core.tags
    assert parse_tags("place, systems leadership") == ["place", "systems leadership"]
    names = ["Leadership, systems", "place", "shared leadership"]
    shown = edit_string_for_tags([Tag(name=name) for name in names])
    assert parse_tags(shown) == sorted(names)


def test_the_meeting_form_matches_an_existing_topic_whatever_the_case_and_spaces(users, client_for, meeting):
    MeetingFactory(tags=["Systems leadership"])
    client = client_for(users["convenor"])
    response = client.post(
        reverse("cells:meeting_edit", args=[meeting.slug]), edit_data(meeting, tags="place,  systems   LEADERSHIP ")
    )
    assert response.status_code == 302
    assert sorted(meeting.tags.names()) == ["Systems leadership", "place"]
    assert Tag.objects.filter(name__iexact="systems leadership").count() == 1


# --- members adding topics ------------------------------------------------------------------------------------


def test_a_member_adds_a_new_topic_as_a_version_of_the_note_and_who_added_it_is_kept(users, client_for, meeting):
    member = users["member"]
    client = client_for(member)
    before = meeting.edit_version
    response = client.post(add_url(meeting), {"names": "  Community   wealth "})
    assert response.status_code == 302 and response["Location"].endswith("#topics")
    meeting.refresh_from_db()
    assert sorted(meeting.tags.names()) == ["Community wealth", "place"]
    assert meeting.edit_version == before + 1
    version = Version.objects.get_for_object(meeting).first()
    assert version.revision.get_comment() == "Added the topic “Community wealth”"
    assert version.revision.user == member
    assert "Community wealth" in versions.tags_of(version)
    added = MemberTag.objects.get()
    assert (added.tagged_item.tag.name, added.added_by) == ("Community wealth", member)
    assert "Community wealth" in client_for(users["anonymous"]).get(meeting.get_absolute_url()).content.decode()
    assert "Community wealth" in client.get(reverse("tag_list")).content.decode()


def test_a_member_adding_an_existing_topic_in_other_words_gets_that_topic(users, client_for, meeting):
    InsightFactory(tags=["Systems leadership"])
    client_for(users["member"]).post(add_url(meeting), {"names": "systems  LEADERSHIP, Place"})
    assert sorted(meeting.tags.names()) == ["Systems leadership", "place"]
    assert Tag.objects.count() == 2
    assert last_comment(meeting) == "Added the topic “systems LEADERSHIP”"


def test_adding_a_topic_it_has_changes_nothing(users, client_for, meeting):
    before = Version.objects.get_for_object(meeting).count()
    response = client_for(users["member"]).post(add_url(meeting), {"names": "PLACE"}, follow=True)
    assert "It has that topic already." in response.content.decode()
    assert Version.objects.get_for_object(meeting).count() == before


def test_members_add_topics_to_insights_too(users, client_for):
    insight = InsightFactory(slug="an-insight")
    assert client_for(users["cell_member"]).post(add_url(insight), {"names": "funding"}).status_code == 302
    assert list(insight.tags.names()) == ["funding"]
    assert last_comment(insight) == "Added the topic “funding”"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type the topic you want to add."),
        ("<b></b> , ###", "in words, not only punctuation"),
        ("!!! , {{", "in words, not only punctuation"),  # no letter or digit: its address would be empty
        ("A topic name that goes on and on well past the fifty characters", "can be up to 50 characters"),
    ],
    ids=["empty", "only-markup", "only-punctuation", "too-long"],
)
def test_a_topic_the_site_cannot_take_gets_a_clear_error_with_the_text_kept(users, client_for, meeting, typed, message):
    response = client_for(users["member"]).post(add_url(meeting), {"names": typed})
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text and message in text and 'id="id_names_error"' in text
    if typed.strip():
        assert f'value="{typed}"' in text.replace("&lt;", "<").replace("&gt;", ">")
    assert list(meeting.tags.names()) == ["place"]


def test_who_may_add_topics(users, client_for, cell, meeting):
    draft = MeetingFactory(cell=cell, status="draft")
    cell_only = MeetingFactory(cell=cell, visibility="cell", notes_visibility="cell")
    response = client_for(users["anonymous"]).post(add_url(meeting), {"names": "x"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client_for(UserFactory()).post(add_url(meeting), {"names": "x"}).status_code == 403
    assert client_for(users["convenor"]).post(add_url(draft), {"names": "x"}).status_code == 403
    assert client_for(users["member"]).post(add_url(cell_only), {"names": "x"}).status_code == 404
    assert list(meeting.tags.names()) == ["place"] and list(draft.tags.names()) == []
    assert client_for(users["cell_member"]).post(add_url(cell_only), {"names": "x"}).status_code == 302
    assert list(cell_only.tags.names()) == ["x"]


def test_the_page_offers_members_the_topics_they_may_see_and_no_others(users, client_for, cell, meeting):
    MeetingFactory(cell=cell, visibility="cell", tags=["cellsecret"])
    text = client_for(users["member"]).get(meeting.get_absolute_url()).content.decode()
    assert 'id="topic-suggestions"' in text and '<option value="place">' in text
    assert re.search(r'<input [^>]*name="names"[^>]*list="topic-suggestions"', text)  # the box offers them
    assert "cellsecret" not in text
    assert 'id="topics"' not in client_for(users["anonymous"]).get(meeting.get_absolute_url()).content.decode()


def test_adding_topics_is_throttled_per_account(users, client_for, meeting):
    client = client_for(users["member"])
    for n in range(10):
        assert client.post(add_url(meeting), {"names": f"topic {n}"}).status_code == 302
    response = client.post(add_url(meeting), {"names": "one too many"})
    assert response.status_code == 429 and "10 topics in a minute" in response.content.decode()


# --- removing -----------------------------------------------------------------------------------------------------


def test_a_cells_convenor_removes_a_topic_as_a_version_of_the_note(users, client_for, meeting):
    client_for(users["member"]).post(add_url(meeting), {"names": "Spam topic"})
    tag = Tag.objects.get(name="Spam topic")
    convenor = client_for(users["convenor"])
    text = convenor.get(meeting.get_absolute_url()).content.decode()
    assert "added by A member" in text and remove_url(meeting, tag) in text
    assert convenor.post(remove_url(meeting, tag)).status_code == 302
    assert list(meeting.tags.names()) == ["place"]
    assert last_comment(meeting) == "Removed the topic “Spam topic”"
    assert not MemberTag.objects.exists()


def test_who_may_remove_a_topic(users, client_for, cell, meeting):
    place = Tag.objects.get(name="place")
    for role in ("member", "cell_member", "other_convenor"):
        assert client_for(users[role]).post(remove_url(meeting, place)).status_code == 403, role
    response = client_for(users["anonymous"]).post(remove_url(meeting, place))
    assert response["Location"].startswith(reverse("account_login"))
    assert client_for(users["member"]).get(remove_url(meeting, place)).status_code == 405
    insight = InsightFactory(tags=["funding"])
    assert client_for(users["staff"]).post(remove_url(insight, Tag.objects.get(name="funding"))).status_code == 302
    assert list(insight.tags.names()) == []
    assert client_for(users["staff"]).post(remove_url(insight, place)).status_code == 404  # not on it


def test_the_member_who_added_a_topic_may_take_it_back(users, client_for, meeting):
    client = client_for(users["member"])
    client.post(add_url(meeting), {"names": "Typo topcI"})
    tag = Tag.objects.get(name="Typo topcI")
    assert client_for(users["cell_member"]).post(remove_url(meeting, tag)).status_code == 403
    assert client_for(users["member"]).post(remove_url(meeting, tag)).status_code == 302
    assert list(meeting.tags.names()) == ["place"]


def test_the_topics_panel_says_whose_topics_it_lists(users, client_for, meeting):
    """A member's panel lists the topics they added (to take one back), not all the note's topics: it says so."""
    client_for(users["member"]).post(add_url(meeting), {"names": "kindness"})

    def panel(role):
        page = client_for(users[role]).get(meeting.get_absolute_url()).content.decode()
        heading = re.search(r'<h2 id="topics-panel-heading">([^<]*)</h2>', page).group(1)
        listed = re.findall(r'<ul class="topic-edit-list">(.*?)</ul>', page, re.S)[0]
        return heading, re.findall(r'<a href="/topics/[^"]+/">([^<]+)</a>', listed)

    assert panel("member") == ("Topics you added", ["kindness"])
    assert panel("convenor") == ("Topics of this note", ["kindness", "place"])


# --- staff: the topics' admin and merging --------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    client.force_login(verified_user(username="admin@example.org", is_staff=True, is_superuser=True))
    return client


def merge(admin_client, selected, name):
    response = admin_client.post(
        reverse("admin:taggit_tag_changelist"),
        {"action": "render_tag_form", "_selected_action": [tag.pk for tag in selected]},
    )
    assert response.status_code == 302 and response["Location"].endswith("merge-tags/")
    assert admin_client.get(reverse("admin:taggit_tag_merge_tags")).status_code == 200
    return admin_client.post(reverse("admin:taggit_tag_merge_tags"), {"new_tag_name": name})


def test_staff_merge_two_topics_and_each_item_keeps_a_version(admin_client, users, cell):
    both = MeetingFactory(cell=cell, tags=["covid", "Covid-19"])
    one = MeetingFactory(cell=cell, tags=["covid"])
    insight = InsightFactory(tags=["coronavirus"])
    tagged_by_member = InsightFactory()
    member = Client()
    member.force_login(users["member"])
    member.post(add_url(tagged_by_member), {"names": "pandemic"})
    covid, coronavirus, pandemic = (Tag.objects.get(name=n) for n in ("covid", "coronavirus", "pandemic"))
    with versions.saving(one, user=None, comment="Checked"):  # a version with its topic as it is now
        one.save()
    earlier = Version.objects.get_for_object(one).first()
    response = merge(admin_client, [covid, coronavirus, pandemic], "  covid-19 ")  # the existing one, in any case
    assert response.status_code == 302
    assert list(both.tags.names()) == ["Covid-19"] and list(one.tags.names()) == ["Covid-19"]
    assert list(insight.tags.names()) == ["Covid-19"] and list(tagged_by_member.tags.names()) == ["Covid-19"]
    assert MemberTag.objects.get().tagged_item.tag.name == "Covid-19"  # who added it goes with it
    for obj in (both, one, insight, tagged_by_member):
        assert last_comment(obj).startswith("Merged the topic") and "into “Covid-19”" in last_comment(obj)
    assert Tag.objects.filter(name="covid").exists()  # kept for the earlier versions that name it
    assert "covid <span" not in Client().get(reverse("tag_list")).content.decode()  # and shown nowhere
    # an earlier version still restores, with its topic as it was then
    admin_client.post(reverse("cells:meeting_restore", args=[one.slug, earlier.pk]))
    assert list(one.tags.names()) == ["covid"]


def test_merging_into_a_new_name_makes_that_topic(admin_client, cell):
    meeting = MeetingFactory(cell=cell, tags=["leadership", "Leadership of systems"])
    selected = list(Tag.objects.all())
    merge(admin_client, selected, "<i>Systems</i>   leadership")
    assert list(meeting.tags.names()) == ["Systems leadership"]


def test_the_topic_admin_normalises_names_refuses_lookalikes_and_never_deletes(admin_client, cell):
    MeetingFactory(cell=cell, tags=["place"])
    response = admin_client.post(reverse("admin:taggit_tag_add"), {"name": "  New   topic ", "slug": "new-topic"})
    assert response.status_code == 302 and Tag.objects.filter(name="New topic").exists()
    response = admin_client.post(reverse("admin:taggit_tag_add"), {"name": "PLACE", "slug": "place-2"})
    assert response.status_code == 200 and "There is a topic “place” already" in response.content.decode()
    place = Tag.objects.get(name="place")
    assert admin_client.get(reverse("admin:taggit_tag_delete", args=[place.pk])).status_code == 403
    assert admin_client.post(reverse("admin:taggit_tag_delete", args=[place.pk]), {"post": "yes"}).status_code == 403
    assert Tag.objects.filter(pk=place.pk).exists() and TaggedItem.objects.filter(tag=place).exists()


# --- topic pages ------------------------------------------------------------------------------------------------


def test_a_topic_page_lists_everything_the_reader_may_see_newest_first_paginated_with_counts(
    users, client_for, cell, settings
):
    settings.PAGE_SIZE = 3
    day = datetime.date(2021, 1, 1)
    MeetingFactory(cell=cell, title="Oldest note", date=day, tags=["place"])
    InsightFactory(title="Middle insight", published_on=day + datetime.timedelta(days=10), tags=["place"])
    MeetingFactory(cell=cell, title="Newer note", date=day + datetime.timedelta(days=20), tags=["place"])
    InsightFactory(title="Newest insight", published_on=day + datetime.timedelta(days=30), tags=["place"])
    MeetingFactory(cell=cell, title="Cellonly note", visibility="cell", date=day, tags=["place"])
    InsightFactory(title="Draft insight", status="draft", tags=["place"])
    client = client_for(users["member"])
    first = client.get(reverse("tag", args=["place"])).content.decode()
    assert "4 items: 2 meeting notes and 2 insights" in first
    assert first.index("Newest insight") < first.index("Newer note") < first.index("Middle insight")
    assert "Oldest note" not in first and "Page 1 of 2" in first
    second = client.get(reverse("tag", args=["place"]) + "?page=2").content.decode()
    assert "Oldest note" in second and "Newest insight" not in second
    for text in (first, second):
        assert "Cellonly note" not in text and "Draft insight" not in text
    cell_member = client_for(users["cell_member"]).get(reverse("tag", args=["place"])).content.decode()
    assert "5 items: 3 meeting notes and 2 insights" in cell_member


def test_a_topic_page_makes_the_same_queries_however_many_items_it_has(users, client_for, cell):
    client = client_for(users["member"])
    counts = {}
    for size in (1, 5, 30):
        while TaggedItem.objects.filter(tag__name="place").count() < 2 * size:
            note = MeetingFactory(cell=cell, tags=["place"])
            InsightFactory(tags=["place"], published_on=note.date)  # notes and insights mixed on every page
        client.get(reverse("tag", args=["place"]))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("tag", args=["place"])).status_code == 200
        counts[size] = len(queries)
    assert len(set(counts.values())) == 1, counts
