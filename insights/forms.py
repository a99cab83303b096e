"""The form staff use to write an insight."""

from django import forms
from django.core.exceptions import ValidationError
from taggit.forms import TagField

from cells.models import Meeting
from core.dates import DateError, machine_date, parse_date
from core.slugs import unique_slug
from core.text import TextareaField, shown_unchanged, tags_sent, with_unoffered
from people.models import Person

from .models import Insight

DATE_HINT = "As exact as the source: a year (2018), a month (2018-06) or a day (2018-06-05)."


def parse_published(text):
    """(date, precision) from '2018', '2018-06' or '2018-06-05'; ValidationError for anything else."""
    text = text.strip()
    try:
        return parse_date(text)
    except DateError:
        raise ValidationError(
            f"Write the date as a year, a month or a day: 2018, 2018-06 or 2018-06-05 (not “{text}”)."
        ) from None


class InsightForm(forms.ModelForm):
    slug = forms.SlugField(
        label="Web address",
        required=False,
        max_length=80,
        help_text="The end of the page’s address, e.g. collaboration-in-place. Leave empty to make it from the title.",
    )
    published = forms.CharField(label="Date published", required=False, max_length=10, help_text=DATE_HINT)
    original_url = forms.URLField(
        label="Original address",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="For an outside piece: where it was first published, e.g. https://www.ncvo.org.uk/…",
    )
    tags = TagField(label="Topics", required=False, help_text="Separated by commas, e.g. systems leadership, place")
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label="What did you change?",
        required=False,
        max_length=200,
        help_text="A few words for the history, e.g. “Corrected the date”.",
    )

    class Meta:
        model = Insight
        fields = [
            "kind",
            "title",
            "slug",
            "standfirst",
            "body",
            "authors",
            "principles",
            "source_meetings",
            "cell",
            "tags",
            "collection",
            "original_url",
            "publisher",
            "editorial_note",
            "visibility",
        ]
        labels = {"source_meetings": "Meetings it draws on", "visibility": "Who may read it"}
        field_classes = {"standfirst": TextareaField, "body": TextareaField, "editorial_note": TextareaField}
        error_messages = {"title": {"required": "Give the insight a title."}}
        help_texts = {
            "body": "Markdown: a blank line between paragraphs, “## ” for a heading, “- ” for a bullet.",
            "cell": "Needed to keep it to a cell’s members.",
        }
        widgets = {
            "standfirst": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 20}),
            "editorial_note": forms.Textarea(attrs={"rows": 3}),
            "authors": forms.CheckboxSelectMultiple,
            "principles": forms.CheckboxSelectMultiple,
            "source_meetings": forms.CheckboxSelectMultiple,
        }

    field_order = [
        "kind",
        "title",
        "slug",
        "published",
        "collection",
        "standfirst",
        "body",
        "editorial_note",
        "authors",
        "source_meetings",
        "cell",
        "original_url",
        "publisher",
        "principles",
        "tags",
        "visibility",
        "comment",
    ]  # as the page shows them, so the error summary reads in order

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        insight = self.instance
        self.fields["authors"].queryset = Person.objects.visible_to(user).select_related("organisation")
        self.fields["authors"].label_from_instance = lambda person: (
            f"{person.name} ({person.organisation.name})" if person.organisation else person.name
        )
        self.fields["source_meetings"].queryset = Meeting.objects.visible_to(user).for_listing().chronological()
        self.fields["source_meetings"].label_from_instance = lambda meeting: (
            f"{meeting.title} ({meeting.display_date or 'no date'})"
        )
        self.fields["cell"].empty_label = "No cell"
        self.fields["edit_version"].required = insight.pk is not None
        if insight.pk:
            self.initial.setdefault("published", machine_date(insight.published_on, insight.published_on_precision))
            self.initial.setdefault("edit_version", insight.edit_version)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug and Insight.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError("Another insight has this address: choose another, or leave it empty.")
        return slug

    def clean_published(self):
        if self.instance.pk and shown_unchanged(self, "published"):  # "2018-06" is the 15th as well as the 1st
            return self.instance.published_on, self.instance.published_on_precision
        return parse_published(self.cleaned_data["published"])

    def clean_tags(self):
        return tags_sent(self)

    def clean_authors(self):
        return with_unoffered(self, "authors")

    def clean_principles(self):
        return with_unoffered(self, "principles")

    def clean_source_meetings(self):
        return with_unoffered(self, "source_meetings")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("title"):
            cleaned["slug"] = unique_slug(Insight, cleaned["title"], instance=self.instance)
        return cleaned

    def apply_date(self):
        self.instance.published_on, self.instance.published_on_precision = self.cleaned_data["published"]
