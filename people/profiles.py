"""A member's own Person: found, created on first need, and updated from their profile form."""

from django.db import transaction

from core.slugs import unique_slug

from .identity import find_or_create_organisation
from .models import Person


def person_of(user):
    """The Person linked to `user`, or None."""
    return Person.objects.filter(user=user).select_related("organisation").first()


def person_for(user):
    """The Person linked to `user`, made now if they have none (named from their email until they edit it).
    It is not public until they choose so on their profile, so the email's name shows to nobody but convenors."""
    person = person_of(user)
    if person is None:
        name = user.email.split("@")[0] or user.get_username()
        person = Person.objects.create(user=user, name=name, slug=unique_slug(Person, name))
    return person


@transaction.atomic
def save_profile(user, data):
    """Write a valid profile form's `data` onto the user's Person (creating it, and a new organisation if typed)."""
    person = person_of(user) or Person(user=user)
    person.name = data["name"]
    person.role = data["role"]
    person.bio = data["bio"]
    person.organisation = data["organisation"] or find_or_create_organisation(data["new_organisation"])
    person.is_public = data["is_public"]
    if not person.slug:
        person.slug = unique_slug(Person, person.name)
    person.save()
    return person
