"""A member's own Person: found, created on first need, and updated from their profile form."""

from django.db import transaction

from betterway.slugs import unique_slug

from .models import Organisation, Person


def person_of(user):
    """The Person linked to `user`, or None."""
    return Person.objects.filter(user=user).select_related("organisation").first()


def person_for(user):
    """The Person linked to `user`, made now if they have none (named from their email until they edit it)."""
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
    person.organisation = data["organisation"] or _organisation_named(data["new_organisation"])
    if not person.slug:
        person.slug = unique_slug(Person, person.name)
    person.save()
    return person


def _organisation_named(name):
    """The organisation called `name` (any case), made if there is none; None for no name."""
    if not name:
        return None
    existing = Organisation.objects.filter(name__iexact=name).first()
    return existing or Organisation.objects.create(name=name, slug=unique_slug(Organisation, name))
