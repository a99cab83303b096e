"""How each member wants each kind of email (immediately, in the weekly bulletin, never), with defaults."""

from django.db import transaction

from .models import DEFAULTS, Frequency, Kind, Preference


def choices_of(user):
    """{kind: frequency} for every kind, the defaults filled in."""
    stored = dict(Preference.objects.filter(user=user).values_list("kind", "frequency"))
    return {kind: stored.get(kind, DEFAULTS[kind]) for kind in Kind}


def frequency_for(user, kind):
    stored = Preference.objects.filter(user=user, kind=kind).values_list("frequency", flat=True).first()
    return stored or DEFAULTS[kind]


def frequencies_for(user_ids, kind):
    """{user id: frequency} of `kind` for many users at once."""
    stored = dict(Preference.objects.filter(user__in=user_ids, kind=kind).values_list("user_id", "frequency"))
    return {user_id: stored.get(user_id, DEFAULTS[kind]) for user_id in user_ids}


@transaction.atomic
def save_choices(user, choices):
    """Store `choices` ({kind: frequency}) for `user`."""
    for kind, frequency in choices.items():
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"frequency": frequency})


def in_bulletin(choices):
    """The kinds `choices` sends in the weekly bulletin."""
    weekly = [kind for kind, frequency in choices.items() if frequency == Frequency.WEEKLY]
    return [Kind(kind) for kind in weekly if kind != Kind.BULLETIN]


@transaction.atomic
def unsubscribe(user, kind):
    """Stop `kind` for `user`: the kinds stopped. Stopping the bulletin stops what came in it too."""
    stopped = [kind]
    if kind == Kind.BULLETIN:
        stopped += in_bulletin(choices_of(user))
    save_choices(user, dict.fromkeys(stopped, Frequency.NEVER))
    return [Kind(k) for k in stopped]
