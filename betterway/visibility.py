"""Who may see what: the one rule for meeting notes and insights.

Every list, detail page, search, count, feed and tag page gets its rows through
`Model.objects.visible_to(user)`; nothing else decides visibility.

- Published and public: everyone.
- Published and members-only: any logged-in member.
- Published and cell-only: the members and convenors of that cell.
- Drafts (and everything else of a cell): its authors, the cell's convenors, staff.
- In the bin: nobody, outside the bin page that staff use to restore it.

A meeting's detailed notes are a second layer with their own readers
(`notes_visibility`): `Meeting.objects.notes_visible_to(user)` and
`may_read_notes(user, meeting)` apply the same rule to that field.
"""

from django.db import models
from django.db.models import Q


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Everyone"
    MEMBERS = "members", "Members only"
    CELL = "cell", "Cell members only"


class VisibleQuerySet(models.QuerySet):
    """Base queryset for content with a status, a visibility and an optional cell."""

    cell_field = "cell"

    def published(self):
        return self.filter(status=Status.PUBLISHED, deleted_at__isnull=True)

    def public(self):
        return self.published().filter(visibility=Visibility.PUBLIC)

    def in_bin(self):
        return self.filter(deleted_at__isnull=False)

    def visible_to(self, user):
        live = self.filter(deleted_at__isnull=True)  # what is in the bin shows nowhere but the bin
        if user.is_active and user.is_staff:
            return live
        rule = Q(status=Status.PUBLISHED) & self._readers(user, "visibility")
        if user.is_authenticated and user.is_active:
            rule |= Q(**{f"{self.cell_field}__in": _cells_of(user, convening=True)})
            rule |= self.involving(user)
        return live.filter(rule)

    def involving(self, user):
        """Rows `user` wrote (drafts included)."""
        return Q(created_by=user)

    def _readers(self, user, field):
        """Rows whose `field` (a Visibility) lets `user` read them."""
        rule = Q(**{field: Visibility.PUBLIC})
        if user.is_authenticated and user.is_active:
            rule |= Q(**{field: Visibility.MEMBERS})
            rule |= Q(**{field: Visibility.CELL, f"{self.cell_field}__in": _cells_of(user)})
        return rule


class LayeredQuerySet(VisibleQuerySet):
    """Meetings: the key points and the detailed notes can have different readers."""

    def notes_visible_to(self, user):
        """Of the rows `user` can see, those whose detailed notes they may read too."""
        visible = self.visible_to(user)
        if user.is_active and user.is_staff:
            return visible
        rule = ~Q(status=Status.PUBLISHED) | self._readers(user, "notes_visibility")
        if user.is_authenticated and user.is_active:
            rule |= Q(**{f"{self.cell_field}__in": _cells_of(user, convening=True)}) | self.involving(user)
        return visible.filter(rule)


def _cells_of(user, *, convening=False):
    from cells.models import Membership

    memberships = Membership.objects.filter(person__user=user)
    if convening:
        memberships = memberships.filter(role=Membership.Role.CONVENOR)
    return memberships.values("cell_id")


def may_read_notes(user, meeting):
    """The second layer, for one meeting the user can already see."""
    return type(meeting).objects.notes_visible_to(user).filter(pk=meeting.pk).exists()
