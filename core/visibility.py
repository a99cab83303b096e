"""Who may see what: the one rule for content with a lifecycle (meetings, insights).

Every list, detail page, search, count, feed and tag page gets its rows through
`Model.objects.visible_to(user)`; nothing else decides visibility.

- Published and public: everyone.
- Published and members-only: members (core/roles.py: an account with a verified email).
- Published and cell-only: the members of that cell who are members of the site.
- Drafts: the people the content involves (its creator; a meeting's speakers asked to
  review it; an insight's authors), the convenors of its cell, and staff. Once published,
  the readers' rule above decides for them too (a reviewer outside a cell does not keep
  reading its cell-only note).
- In the bin: nobody, outside the bin page that staff use to restore it.

Only published members-only and cell-only content (`members_only()`) is ever told to exist to someone
who may not read it, and only to someone not yet a member (a visitor, an account whose email is not
verified): its page invites them to log in (core/permissions.py, `readable_or_invite`). A draft or
what is in the bin answers as if it did not exist, to everyone who may not read it.

A meeting's detailed notes are a second layer with their own readers
(`notes_visibility`): `Meeting.objects.notes_visible_to(user)` and `may_read_notes`.
The questions a meeting carries forward belong to that second layer (they are part
of the notes in detail), so `Question.objects.visible_to(user)` follows it.

A note's history (cells/history.py) shows its earlier versions in full to those who may edit
it (its cell's convenors, staff): what was once in the note stays readable to its editors,
so that any version can be compared and restored.

What other models show follows from this rule: people, organisations and topics are
visible when visible content names them (people/models.py, betterway/models.py).
"""

from django.db import models
from django.db.models import Q, QuerySet

from .roles import is_account, is_member, is_staff


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Everyone"
    MEMBERS = "members", "Members only"
    CELL = "cell", "Cell members only"


class VisibleQuerySet(models.QuerySet):
    """The queryset of every Publishable model (core/models.py)."""

    cell_field = "cell"

    def reader_cells(self, user, *, convening=False):
        """The ids of the cells `user` is in (convening: that they convene), as a list; None when this content
        belongs to no cell. Content that can belong to a cell says how (cells.models.CellContentQuerySet)."""
        return None

    def involving(self, user):
        """Rows that involve `user` (drafts included): by default those they created."""
        return Q(created_by=user)

    def live(self):
        return self.filter(deleted_at__isnull=True)

    def published(self):
        return self.live().filter(status=Status.PUBLISHED)

    def public(self):
        return self.published().filter(visibility=Visibility.PUBLIC)

    def in_bin(self):
        return self.filter(deleted_at__isnull=False)

    def members_only(self):
        """Published, out of the bin, for members or a cell's members: the rows whose page tells a reader who is
        not yet a member that it is for members (never a draft, never the bin)."""
        return self.published().exclude(visibility=Visibility.PUBLIC)

    def visible_to(self, user):
        return self.filter(self.visible_rule(user))

    def visible_rule(self, user):
        """visible_to's condition, as a Q on one of these rows: so that rows reached through a relation are asked
        the same, row by row (`through`), instead of listing every row the reader may see first."""
        live = Q(deleted_at__isnull=True)  # what is in the bin shows nowhere but the bin
        if is_staff(user):
            return live
        rule = Q(status=Status.PUBLISHED) & self._readers(user, "visibility")
        if is_account(user):
            rule |= Q(status=Status.DRAFT) & self.involving(user)  # once published, the readers' rule decides
        rule |= self._convening(user)
        return live & rule

    def _convening(self, user):
        """Everything of the cells `user` convenes (drafts included)."""
        convened = self.reader_cells(user, convening=True) if is_member(user) else None
        return Q(**{f"{self.cell_field}__in": convened}) if convened is not None else Q(pk__in=[])

    def _readers(self, user, field):
        """Rows whose `field` (a Visibility) lets `user` read them."""
        rule = Q(**{field: Visibility.PUBLIC})
        if is_member(user):
            rule |= Q(**{field: Visibility.MEMBERS})
            cells = self.reader_cells(user)
            if cells is not None:
                rule |= Q(**{field: Visibility.CELL, f"{self.cell_field}__in": cells})
        return rule


class LayeredQuerySet(VisibleQuerySet):
    """Meetings: the key points and the detailed notes can have different readers."""

    def notes_members_only(self):
        """Published, out of the bin, with key points or detailed notes that only members (or a cell's members)
        read: the rows whose notes' page tells a reader who is not yet a member that it is for members (and so
        the comments on them, which discuss the notes)."""
        return self.published().exclude(visibility=Visibility.PUBLIC, notes_visibility=Visibility.PUBLIC)

    def notes_visible_to(self, user):
        """Of the rows `user` can see, those whose detailed notes they may read too."""
        return self.visible_to(user).filter(self.notes_rule(user))

    def notes_rule(self, user):
        """The condition, on one of the rows `user` can see, that they may read its detailed notes too: a Q, so
        that a list already through visible_to can mark each row without asking of every meeting again."""
        if is_staff(user):
            return Q(pk__isnull=False)
        return ~Q(status=Status.PUBLISHED) | self._readers(user, "notes_visibility") | self._convening(user)


def may_read_notes(user, meeting):
    """The second layer, for one meeting the user can already see."""
    return type(meeting).objects.notes_visible_to(user).filter(pk=meeting.pk).exists()


def through(rule, relation):
    """`rule`, a Q on a model's rows, asked of the row that `relation` leads to: through "meeting",
    Q(status="published") is Q(meeting__status="published"). Search asks each entry's own meeting, insight or
    person this way (betterway/search.py), one row at a time along its newest entries. The rules are made of
    lookups with plain values (ids, lists, subqueries); a condition written as an expression (an F() naming this
    model's columns, Exists) could not be moved and is refused."""
    children = []
    for child in rule.children:
        if isinstance(child, Q):
            children.append(through(child, relation))
        elif isinstance(child, tuple) and (
            isinstance(child[1], QuerySet) or not hasattr(child[1], "resolve_expression")
        ):
            children.append((f"{relation}__{child[0]}", child[1]))
        else:
            raise TypeError(f"through() moves lookups with plain values, not {child!r}")
    return Q(*children, _connector=rule.connector, _negated=rule.negated)
