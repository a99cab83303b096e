from django import forms

from .models import Frequency, Kind
from .preferences import in_bulletin

HINTS = {
    Kind.FOLLOWING: "When a meeting note or insight is published in a cell, principle or topic you follow, or by "
    "a person you follow.",
    Kind.REPLIES: "When someone replies to a comment you wrote.",
    Kind.CELL_COMMENTS: "Only if you convene a cell: when someone comments on one of its meetings.",
}


class PreferencesForm(forms.Form):
    """One choice per kind of email; the weekly bulletin on or off."""

    following = forms.ChoiceField(
        label=Kind.FOLLOWING.label, help_text=HINTS[Kind.FOLLOWING], choices=Frequency.choices, widget=forms.RadioSelect
    )
    replies = forms.ChoiceField(
        label=Kind.REPLIES.label, help_text=HINTS[Kind.REPLIES], choices=Frequency.choices, widget=forms.RadioSelect
    )
    cell_comments = forms.ChoiceField(
        label=Kind.CELL_COMMENTS.label,
        help_text=HINTS[Kind.CELL_COMMENTS],
        choices=Frequency.choices,
        widget=forms.RadioSelect,
    )
    bulletin = forms.ChoiceField(
        label=Kind.BULLETIN.label,
        help_text="Once a week: new notes and insights, upcoming meetings and active discussions.",
        choices=[(Frequency.WEEKLY, "Send me the weekly bulletin"), (Frequency.NEVER, "Do not send it")],
        widget=forms.RadioSelect,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("bulletin") == Frequency.NEVER:
            for kind in in_bulletin({k: v for k, v in cleaned.items() if k in Kind.values}):
                self.add_error(
                    kind,
                    "You turned the weekly bulletin off, so nothing can come in it: choose “Immediately” or "
                    "“Never”, or keep the bulletin.",
                )
        return cleaned
