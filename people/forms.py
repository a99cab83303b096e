"""The form a member uses to keep their own profile, and the login form in the site's words."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.core.exceptions import ValidationError

from core.text import TextareaField

from .models import Organisation, Person

BIO_MAX_LENGTH = 1500


class ProfileForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=Person._meta.get_field("name").max_length,
        error_messages={"required": "Enter your name."},
        help_text="As you would like it shown beside what you say or write, e.g. Caroline Slocock.",
    )
    organisation = forms.ModelChoiceField(
        Organisation.objects.none(),
        required=False,
        empty_label="None, or not in this list",
        label="Organisation",
        help_text="Choose yours from the list, or type its name in the next box.",
    )
    new_organisation = forms.CharField(
        label="Or the name of an organisation not in the list",
        required=False,
        max_length=Organisation._meta.get_field("name").max_length,
    )
    role = forms.CharField(
        label="Role or job title",
        required=False,
        max_length=Person._meta.get_field("role").max_length,
        help_text="e.g. Chief executive",
    )
    bio = TextareaField(
        label="Short biography",
        required=False,
        max_length=BIO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "max_length": "Keep your biography to %(limit_value)d characters or fewer (it has %(show_value)d)."
        },
        help_text=f"A few sentences, up to {BIO_MAX_LENGTH} characters. Markdown: *italic*, **bold**, [a link](https://…).",
    )

    is_public = forms.BooleanField(
        label="Show my profile to everyone",
        required=False,
        help_text="Your page on the People list. Without this, your profile shows only where a published "
        "note or insight names you, and to the convenors of cells you are in.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user)
        # No maxlength on the text box: a browser would cut a long paste short without a word.
        self.fields["bio"].widget.attrs.pop("maxlength", None)

    def clean_new_organisation(self):
        name = " ".join(self.cleaned_data["new_organisation"].split())
        if name and self.cleaned_data.get("organisation"):
            raise ValidationError("Choose an organisation from the list or type a new one, not both.")
        return name

    @classmethod
    def initial_for(cls, person):
        if person is None:
            return {}
        return {
            "name": person.name,
            "organisation": person.organisation_id,
            "role": person.role,
            "bio": person.bio,
            "is_public": person.is_public,
        }


class LoginForm(AllauthLoginForm):
    """allauth's login form (settings.ACCOUNT_FORMS), its labels in the site's sentence case."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = "Remember me"
