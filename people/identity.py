"""Finding people and organisations by name, or making them: the one way every writer does it
(the meeting form, the profile form, the importer).

Two organisations with the same name are one organisation. Two people with the same name are
not necessarily one person: a name is matched to someone already on the site only when the
organisations agree (both the same, or neither given), and only among the people the writer
may see, so a match never reveals someone hidden from them.
"""

from core.slugs import unique_slug

from .models import Organisation, Person


def tidy(name):
    """A name as written, with its spaces collapsed."""
    return " ".join((name or "").split())


def find_or_create_organisation(name):
    """The organisation called `name` (any case, any spacing), made if there is none; None for no name."""
    name = tidy(name)[: Organisation._meta.get_field("name").max_length]
    if not name:
        return None
    existing = Organisation.objects.filter(name__iexact=name).order_by("pk").first()
    return existing or Organisation.objects.create(name=name, slug=unique_slug(Organisation, name))


def same_name(name, *, among):
    """People of `among` (a queryset the writer may see) with this name."""
    return among.filter(name__iexact=tidy(name)).select_related("organisation").order_by("pk")


def find_or_create_person(name, organisation="", *, among, role=""):
    """(person, created, warning): the person of `among` this name and organisation mean, else a new one.

    - With an organisation: the namesake at that organisation, else a new person (a namesake elsewhere
      is someone else, and the warning says so).
    - Without: the only namesake (the warning asks to check it is them when they have an organisation),
      else a new person (with several namesakes there is no telling which).
    """
    name = tidy(name)[: Person._meta.get_field("name").max_length]
    org = find_or_create_organisation(organisation)
    namesakes = list(same_name(name, among=among))
    warning = ""
    if org is not None:
        match = next((person for person in namesakes if person.organisation_id == org.pk), None)
        if match:
            return match, False, ""
        if namesakes:
            warning = (
                f"{name} ({org.name}) was added as a new person: another {name} on the site is at "
                f"{_orgs(namesakes)}. Merge them in the admin if they are the same person."
            )
    elif len(namesakes) == 1:
        match = namesakes[0]
        if match.organisation_id:
            warning = (
                f"{name} was matched by name to the {name} of {match.organisation.name} already on the "
                "site: check it is the same person."
            )
        return match, False, warning
    elif namesakes:
        warning = (
            f"{name} was added as a new person: {len(namesakes)} people of that name are on the site "
            "and the note does not say which."
        )
    person = Person.objects.create(
        name=name,
        slug=unique_slug(Person, name),
        organisation=org,
        role=tidy(role)[: Person._meta.get_field("role").max_length],
    )
    return person, True, warning


def _orgs(people):
    return ", ".join(
        sorted({person.organisation.name if person.organisation else "no organisation" for person in people})
    )
