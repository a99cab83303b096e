"""How a member who comments (or adds a topic) is named to a reader.

Comments are signed with the name on the member's profile (their Person), shown to the readers who may
see that person (Person.objects.visible_to: everyone once the profile is public; the member themself;
staff) and as "A member" to the others, so that a comment never shows a name its reader may not see
elsewhere (the emails of notifications/ name commenters by the same rule). An account's email address
is never shown. The comment form tells the member how they will appear (`how_shown`).
"""

from .models import Person

MEMBER = "A member"
FORMER = "A former member"
SOMEONE = "Someone"
STAFF = "A member of staff"


def names_for(reader, users):
    """{user id: name} of the `users` (accounts) whose profile `reader` may see (PersonQuerySet.those_visible_to:
    one query where each profile is open to the reader, a second about the others alone where some are not;
    none for no users)."""
    ids = {user.pk for user in users if user is not None}
    if not ids:
        return {}
    people = list(Person.objects.filter(user_id__in=ids).only("user_id", "name", "is_public"))
    return {
        person.user_id: person.name for person in Person.objects.those_visible_to(reader, people) if person.name.strip()
    }


def editor_names(reader, users, *, others=SOMEONE):
    """{user id: name} of the accounts `users` who wrote versions, for a history page: the name on their
    profile where `reader` may see it, else the account's full name (history is read by editors only),
    else what they were ("A member of staff", else `others`, e.g. "A member"). Never an email address."""
    named = names_for(reader, users)
    for user in users:
        if user is not None and user.pk not in named:
            named[user.pk] = user.get_full_name().strip() or (STAFF if user.is_staff else others)
    return named


def name_or_member(name, user_id):
    """`name` where the reader may see it (names_for), else "A member" ("A former member" for a deleted account)."""
    if user_id is None:
        return FORMER
    return name if name and name.strip() else MEMBER


def name_in(names, user):
    """The name of `user` in `names` (names_for), else "A member"."""
    if user is None:
        return FORMER
    return names.get(user.pk, MEMBER)


def name_for(reader, user):
    """The name `reader` sees for `user` (one query)."""
    return name_in(names_for(reader, [user]), user)


def how_shown(user):
    """(name, public) for the comment form: the name on the member's profile ("" without one), and whether
    everyone sees it."""
    person = Person.objects.filter(user=user).only("name", "is_public").first()
    if person is None or not person.name.strip():
        return "", False
    return person.name, person.is_public
