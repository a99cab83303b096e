"""Who may see what: the one rule for meeting notes and insights.

Every list, detail page, search, count, feed and tag page gets its rows through
`Model.objects.visible_to(user)`; nothing else decides visibility.

- Published and public: everyone.
- Published and members-only: any logged-in member.
- Published and cell-only: the members and convenors of that cell.
- Drafts (and everything else of a cell): its authors, the cell's convenors, staff.
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
        return self.filter(status=Status.PUBLISHED)

    def public(self):
        return self.filter(status=Status.PUBLISHED, visibility=Visibility.PUBLIC)

    def visible_to(self, user):
        if user.is_active and user.is_staff:
            return self.all()
        published = Q(status=Status.PUBLISHED)
        rule = published & Q(visibility=Visibility.PUBLIC)
        if user.is_authenticated and user.is_active:
            from cells.models import Membership

            my_cells = Membership.objects.filter(person__user=user).values("cell_id")
            convened = my_cells.filter(role=Membership.Role.CONVENOR)
            rule |= published & Q(visibility=Visibility.MEMBERS)
            rule |= published & Q(visibility=Visibility.CELL, **{f"{self.cell_field}__in": my_cells})
            rule |= Q(**{f"{self.cell_field}__in": convened})
            rule |= self.authored_by(user)
        return self.filter(rule)

    def authored_by(self, user):
        return Q(created_by=user)
