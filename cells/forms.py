"""Forms convenors use to write up a meeting."""

import re

from django import forms
from django.core.exceptions import ValidationError
from taggit.forms import TagField

from core.dates import DateError, DatePrecision, display_date, parse_date
from core.text import TextareaField, shown_text, shown_unchanged, tags_sent, with_unoffered
from core.textdates import find_date
from core.visibility import Visibility
from people.identity import find_or_create_person, same_name, tidy
from people.models import Person

from .models import Meeting, Question, Speaker, UpcomingDate
from .times import LOOKS_LIKE_A_TIME, TimeError, split_times

Principle = Meeting._meta.get_field("principles").related_model  # declared by insights onto Meeting

DATE_HINT = "For example 5 June 2019, June 2019 or 2019 — only as exact as you know it."
WEEKDAY = re.compile(
    r"^\s*(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|sday)?\.?,?\s*$", re.I
)


def next_date_line(upcoming):
    """How the form shows an upcoming date: '9 September 2031, 3.00–4.30pm, online' (read back by
    parse_next_date_line as it is)."""
    return ", ".join(part for part in (f"{upcoming.date:%-d %B %Y}", upcoming.times, upcoming.note) if part)


def parse_next_date_line(line):
    """{date, start_time, end_time, note} from a line a convenor types ('Thursday 9 September 2031,
    3.00–4.30pm, online'); ValidationError naming the line if it has no full date, or a time that
    cannot be read. Words beside the date and times become the note."""
    shown = line.strip()
    found = find_date(line)
    if not found or found.precision != DatePrecision.DAY:
        raise ValidationError(f"“{shown}” is not a date with a day, month and year.")
    before, after = line.split(found.text, 1)
    rest = after if WEEKDAY.match(before) or not before.strip() else f"{before}, {after}"
    try:
        times, note = split_times(rest)
    except TimeError as error:
        raise ValidationError(f"“{shown}”: {error} Write the time like 3.00–4.30pm.") from None
    if times is None and LOOKS_LIKE_A_TIME.search(note):
        raise ValidationError(
            f"“{shown}”: the time cannot be read. Write it like 3.00–4.30pm or 10am–12.30pm "
            "(or leave it out while the time is not set)."
        )
    if len(note) > UpcomingDate._meta.get_field("note").max_length:
        raise ValidationError(f"“{shown}”: what follows the date and time is too long for a note (250 characters).")
    return {
        "date": found.date,
        "start_time": times.start if times else None,
        "end_time": times.end if times else None,
        "note": note,
    }


def parse_meeting_date(text):
    """(date, precision) from what a convenor types; ValidationError if it is not a date."""
    text = text.strip()
    if not text:
        return None, "day"
    try:
        return parse_date(text)  # 2019-06-05, 2019-06, 2019
    except DateError:
        pass
    found = find_date(text)
    if found and found.text.strip().lower() == text.lower() and not found.warning:
        return found.date, found.precision
    raise ValidationError(f"Enter a date like 5 June 2019, June 2019 or 2019 (not “{text}”).")


# The meeting form's fields by the part of the page that shows them (the error summary lists them in this
# order too). A field the form does not have is left out.
SECTIONS = {
    "meeting": ["title", "subject", "cell", "kind", "number", "when", "place", "online"],
    "text": ["summary", "notes"],
    "taken_up": ["takes_up"],
    "next": ["next_dates"],
    "readers": ["principles", "tags", "visibility", "notes_visibility", "editorial_note"],
}


class MeetingForm(forms.ModelForm):
    when = forms.CharField(label="Date of the meeting", required=False, max_length=40, help_text=DATE_HINT)
    tags = TagField(
        label="Topics", required=False, help_text="Separated by commas, for example: systems leadership, place"
    )
    principles = forms.ModelMultipleChoiceField(
        Principle.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Principles this meeting speaks to",
    )  # principles are public
    takes_up = forms.ModelMultipleChoiceField(
        Question.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Questions from earlier meetings that this meeting takes up",
    )
    next_dates = TextareaField(
        label="Next meeting dates",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line, with the year, e.g. “9 September 2031, 3.00–4.30pm”. Leave the time out while "
        "it is not set; words after it (“online”) are kept as a note.",
    )
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Meeting
        fields = [
            "cell",
            "kind",
            "number",
            "title",
            "subject",
            "place",
            "online",
            "summary",
            "notes",
            "editorial_note",
            "visibility",
            "notes_visibility",
        ]
        labels = {
            "summary": "Summary of key points",
            "notes": "The notes in detail",
            "cell": "Cell",
            "kind": "Kind of meeting",
            "number": "Meeting number",
            "place": "Where it was held",
            "online": "It was held online (or partly online)",
            "visibility": "Who may read the note",
            "notes_visibility": "Who may read the notes in detail",
            "editorial_note": "Note for editors",
        }
        field_classes = {"summary": TextareaField, "notes": TextareaField, "editorial_note": TextareaField}
        help_texts = {
            "number": "Its place in the cell’s series: 1 for the first meeting, 2 for the second…",
            "place": "For example: Toynbee Hall, London.",
            "summary": "Start a line with “- ” for a bullet point, or with “## ” for a heading.",
            "notes": "Start a line with “## ” for a heading. Name a speaker only when they are quoted on purpose.",
            "visibility": "Its title, date, speakers and key points.",
            "notes_visibility": "Keep the notes in detail and the questions for later meetings to members or the "
            "cell, if the key points are for everyone.",
            "editorial_note": "How a date or detail was decided, where the sources disagree. Readers see it "
            "only at the foot of the note.",
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 8}),
            "notes": forms.Textarea(attrs={"rows": 20}),
            "editorial_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, cells, allow_event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cell"].queryset = cells
        self.fields["cell"].required = not allow_event
        self.fields["cell"].empty_label = "No cell: a network event" if allow_event else "Choose a cell"
        if not allow_event:
            self.fields["cell"].help_text = "The cell whose meeting this was."
        meeting = self.instance
        if meeting.pk:
            self.initial.setdefault("when", display_date(meeting.date, meeting.date_precision))
            self.initial.setdefault("tags", list(meeting.tags.all()))  # shown by taggit's edit_string_for_tags
            self.initial.setdefault("takes_up", list(meeting.questions_taken_up.values_list("pk", flat=True)))
            self.initial.setdefault("edit_version", meeting.edit_version)
            self.initial.setdefault("principles", list(meeting.principles.values_list("pk", flat=True)))
            self.fields["edit_version"].required = True  # an edit without it could not be checked for staleness
            if meeting.cell_id:
                self.initial.setdefault(
                    "next_dates", "\n".join(next_date_line(d) for d in meeting.cell.upcoming_dates.all())
                )
        # Questions this user may read, of the cells they may write for: never another cell's, a draft
        # they may not see, or one in the bin.
        earlier = (
            Question.objects.visible_to(user).select_related("raised_at__cell").order_by("-raised_at__date", "order")
        )
        if meeting.pk:
            earlier = earlier.exclude(raised_at=meeting)
        self.fields["takes_up"].queryset = earlier.filter(raised_at__cell__in=cells)
        self.fields["takes_up"].label_from_instance = lambda q: f"{q.text} (from {q.raised_at.reader_title})"

    @property
    def sections(self):
        """{part of the page: its bound fields}, as SECTIONS orders them."""
        return {name: [self[field] for field in fields if field in self.fields] for name, fields in SECTIONS.items()}

    def clean_edit_version(self):
        value = self.cleaned_data["edit_version"]
        if self.instance.pk and value is None:
            raise ValidationError(
                "This form is missing the version it was made from: open the note's edit page "
                "again, so that nobody's changes are overwritten."
            )
        return value

    def clean_when(self):
        if self.instance.pk and shown_unchanged(self, "when"):  # "June 2019" is the 15th as well as the 1st
            return self.instance.date, self.instance.date_precision
        return parse_meeting_date(self.cleaned_data["when"])

    def clean_tags(self):
        return tags_sent(self)

    def clean_takes_up(self):
        return with_unoffered(self, "takes_up")

    def clean_principles(self):
        return with_unoffered(self, "principles")

    def clean_next_dates(self):
        """The dates typed or changed, each as parse_next_date_line reads it. A line shown by the form
        and sent back unchanged is left alone (it is already saved as it reads)."""
        shown = set(filter(None, (line.strip() for line in shown_text(self, "next_dates").splitlines())))
        dates, errors = [], []
        for line in self.cleaned_data["next_dates"].splitlines():
            if not line.strip() or line.strip() in shown:
                continue
            try:
                dates.append(parse_next_date_line(line))
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return dates

    def save_next_dates(self, cell):
        """Add or update the cell's upcoming dates from the lines typed (a date left out is kept)."""
        for upcoming in self.cleaned_data["next_dates"]:
            UpcomingDate.objects.update_or_create(
                cell=cell,
                date=upcoming["date"],
                defaults={key: upcoming[key] for key in ("start_time", "end_time", "note")},
            )

    def clean(self):
        cleaned = super().clean()
        cell = cleaned.get("cell")
        if cell is None and cleaned.get("number"):
            self.add_error("number", "Only a cell's meetings are numbered: choose the cell, or leave this empty.")
        for field in ("visibility", "notes_visibility"):
            if cell is None and cleaned.get(field) == "cell":
                self.add_error(field, "A network event has no cell: choose members only or everyone.")
        if (
            cell
            and cleaned.get("number")
            and Meeting.objects.filter(cell=cell, number=cleaned["number"]).exclude(pk=self.instance.pk).exists()
        ):
            self.add_error("number", f"{cell} already has a meeting {cleaned['number']}.")
        return cleaned

    def apply_date(self):
        self.instance.date, self.instance.date_precision = self.cleaned_data["when"]


# --- rows: speakers and questions ---------------------------------------------------------------------
# A row's place in its list is a hidden number ("order") that follows where the row stands on the page:
# moving a row up or down (a button, in place with JavaScript) swaps it with its neighbour's. Rows left
# empty are ignored, never an error.

ROWS_AT_MOST = 1000  # as Django's formsets: more rows than this are not read


def row_indexes(data, prefix, total=None):
    """The indexes of the rows of the formset `prefix` sent in `data`, in the order they stand (their
    "order" numbers; a row without one goes last)."""
    if total is None:
        try:
            total = min(int(data.get(f"{prefix}-TOTAL_FORMS") or 0), ROWS_AT_MOST)
        except ValueError:
            total = 0
    return sorted(range(total), key=lambda index: (_place(data.get(f"{prefix}-{index}-order"), index), index))


def _place(value, index):
    try:
        return int(value)
    except (TypeError, ValueError):
        return ROWS_AT_MOST + index


def move_row(data, prefix, index, step):
    """`data` (mutable) with the row `index` of `prefix` moved `step` places (-1 up, 1 down), every row's
    order renumbered from 0; its new position (0-based), or None if there is no such row."""
    indexes = row_indexes(data, prefix)
    if index not in indexes:
        return None
    position = indexes.index(index)
    target = min(max(position + step, 0), len(indexes) - 1)
    indexes[position], indexes[target] = indexes[target], indexes[position]
    for place, row in enumerate(indexes):
        data[f"{prefix}-{row}-order"] = str(place)
    return target


def lower_first(message):
    """'Choose a role' -> 'choose a role' after 'Speaker 2: '; a name ('Dawn Plimmer is…') is left alone."""
    message = str(message)
    first = message.split(" ", 1)[0]
    return message[0].lower() + message[1:] if first in INSTRUCTIONS else message


INSTRUCTIONS = {"Choose", "Give", "Write", "Type", "Enter", "Select", "Ensure", "Tick", "Remove"}


class RowForm(forms.ModelForm):
    """A row of a list: its position ("order") is not a change of its own."""

    def has_changed(self):
        return any(name != "order" for name in self.changed_data)


# Rows a save may add to a meeting's speakers or questions: a form claiming more is refused ("Please submit at most
# … forms") after building the meeting's rows and this many, not Django's 2,000 (a tampered row count cost seconds).
MAX_NEW_ROWS = 100


class RowFormSet(forms.BaseInlineFormSet):
    noun = "row"  # "speaker", "question": headings ("Speaker 2") and errors name the row by it

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the meeting's own rows (an imported note may have many) are always editable; a save adds at most so many
        self.max_num = self.absolute_max = len(self.get_queryset()) + MAX_NEW_ROWS

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["order"] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = f"Remove this {self.noun}"

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.initial["order"] = i  # shown in the order the rows are listed
        return form

    @property
    def rows(self):
        """The forms in the order they stand, each with its `position` (from 1) and whether it is the first
        or the last (no "Move up" or "Move down" button)."""
        if not hasattr(self, "_rows"):
            forms_ = self.forms
            if self.is_bound:
                forms_ = [forms_[index] for index in row_indexes(self.data, self.prefix, total=len(forms_))]
            for position, form in enumerate(forms_, start=1):
                form.position, form.is_first, form.is_last = position, position == 1, position == len(forms_)
                form.row_name = f"{self.noun.capitalize()} {position}"
            self._rows = forms_
        return self._rows

    def kept(self):
        """(position from 0, form) of the rows to keep, in order: not removed, not left empty."""
        kept = [form for form in self.rows if not form.cleaned_data.get("DELETE") and form.has_content()]
        return list(enumerate(kept))

    def dropped(self):
        """The saved rows removed or emptied."""
        return [
            form.instance
            for form in self.rows
            if form.instance.pk and (form.cleaned_data.get("DELETE") or not form.has_content())
        ]


class SpeakerForm(RowForm):
    """One speaker: someone already on the site, or a new person with their organisation."""

    person = forms.ModelChoiceField(
        Person.objects.none(),
        required=False,
        label="Someone already on the site",
        empty_label="Choose a person",
    )
    new_name = forms.CharField(label="Or the name of someone new", required=False, max_length=200)
    new_organisation = forms.CharField(label="Their organisation", required=False, max_length=200)

    class Meta:
        model = Speaker
        fields = ["role"]
        labels = {"role": "Their role at this meeting"}

    field_order = ["person", "new_name", "new_organisation", "role"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = Person.objects.visible_to(user)  # the people this writer may see, to choose or match
        self.fields["person"].queryset = self.people.select_related("organisation")
        self.fields["role"].required = False  # asked for only when the row names someone
        self.fields["role"].choices = [("", "Choose a role"), *Speaker.Role.choices]
        if self.instance.pk:
            self.initial.setdefault("person", self.instance.person_id)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("DELETE"):
            return cleaned
        has_someone = cleaned.get("person") or cleaned.get("new_name", "").strip()
        if not has_someone and (cleaned.get("role") or cleaned.get("new_organisation")):
            self.add_error("new_name", "Give the speaker’s name, or choose them from the list.")
        if not has_someone and not cleaned.get("role") and self.instance.pk:
            self.add_error("person", "Choose the speaker or tick “Remove this speaker”.")
        if cleaned.get("person") and cleaned.get("new_name", "").strip():
            self.add_error("new_name", "Choose a person from the list or type a new name, not both.")
        if has_someone and not cleaned.get("role"):
            self.add_error("role", "Choose a role.")
        name, organisation = tidy(cleaned.get("new_name")), tidy(cleaned.get("new_organisation"))
        if name and not cleaned.get("person") and not organisation:
            namesakes = same_name(name, among=self.people)
            if namesakes.exists() and not namesakes.filter(organisation=None).exists():
                self.add_error(
                    "new_organisation",
                    f"{name} is already on the site: choose them from the list, "
                    "or give this person’s organisation if they are someone else.",
                )
        return cleaned

    def new_person(self):
        """The person a new name and organisation mean (found among those the writer may see, or made)."""
        person, _created, _warning = find_or_create_person(
            self.cleaned_data["new_name"], self.cleaned_data.get("new_organisation", ""), among=self.people
        )
        return person

    def has_content(self):
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("person") or data.get("new_name", "").strip())

    def has_speaker(self):
        data = getattr(self, "cleaned_data", {})
        return bool(data) and not data.get("DELETE") and self.has_content()


class SpeakerRows(RowFormSet):
    noun = "speaker"

    def clean(self):
        super().clean()
        seen = set()
        for form in self.rows:
            data = getattr(form, "cleaned_data", {})
            if data.get("DELETE") or not data.get("person") or not data.get("role"):
                continue
            key = (data["person"].pk, data["role"])
            if key in seen:
                form.add_error("person", f"{data['person'].name} is already a speaker with this role.")
            seen.add(key)


SpeakerFormSet = forms.inlineformset_factory(
    Meeting, Speaker, form=SpeakerForm, formset=SpeakerRows, extra=2, can_delete=True, fk_name="meeting"
)


class QuestionForm(RowForm):
    class Meta:
        model = Question
        fields = ["text"]
        field_classes = {"text": TextareaField}
        labels = {"text": "The question or topic"}
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False  # a new row left empty is ignored

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not cleaned.get("DELETE") and not self.has_content():
            self.add_error("text", "Write the question or remove the row.")
        return cleaned

    def has_content(self):
        return bool(getattr(self, "cleaned_data", {}).get("text", "").strip())


class QuestionRows(RowFormSet):
    noun = "question"


QuestionFormSet = forms.inlineformset_factory(
    Meeting, Question, form=QuestionForm, formset=QuestionRows, extra=2, can_delete=True, fk_name="raised_at"
)


def readers(visibility, cell=None):
    """Who may read what has this visibility, as the publish page and its messages say it: 'everyone',
    'every member of the network', 'the members of <cell>'."""
    if visibility == Visibility.PUBLIC:
        return "everyone"
    if visibility == Visibility.MEMBERS:
        return "every member of the network"
    return f"the members of {cell.name}" if cell else "the cell’s members"


class ReviewForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("confirmed", "I confirm what the note says of me"), ("changes", "I would like a change")],
        widget=forms.RadioSelect,
    )
    comment = TextareaField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="What should change? The convenor sees this on the draft.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == "changes" and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Say what you would like changed.")
        return cleaned


class PublishForm(forms.Form):
    publish_without_confirmations = forms.BooleanField(
        required=False, label="Publish even though not every speaker has confirmed"
    )

    def __init__(self, *args, unconfirmed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unconfirmed = unconfirmed

    def clean(self):
        cleaned = super().clean()
        if self.unconfirmed and not cleaned.get("publish_without_confirmations"):
            names = ", ".join(str(review.person) for review in self.unconfirmed)
            raise ValidationError(f"Not every speaker has confirmed ({names}). Tick the box to publish anyway.")
        return cleaned
