from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.roles import is_account, is_staff


class PersonQuerySet(models.QuerySet):
    """Who may see a person: staff, the person themself, and everyone once they chose a public
    profile or something the reader may see names them (as a speaker of a meeting, an author of an
    insight). A name in a draft, a binned note or a cell-only note stays unseen by other readers.

    The content that names people belongs to apps above this one, so it is reached by the relations
    those apps declare onto Person, each to a model whose queryset has visible_to(user)."""

    NAMED_IN = [("speaker_roles", "person"), ("insights", "authors")]  # (relation onto Person, its field back)

    def visible_to(self, user, *, among=None):
        """The people `user` may see. `among` (a queryset of people: a page's commenters, the person a page is
        about, a cell's leads) asks about those alone: the answer is those of them the user may see, found by
        looking only at the content that names them instead of at every name the reader may see in the
        archive, which is what keeps a page that names a few people fast at any archive size."""
        people = self if among is None else self & among  # among's own filters, on this table (its indexes)
        return people.filter(self.visible_rule(user, among=among))

    def one_visible_to(self, user, **lookups):
        """The person matching `lookups` (a unique field: a slug) if `user` may see them, else None: a person's
        page, which so does not build the questions about every piece of content that could name them for a
        profile open to the reader (those_visible_to)."""
        found = self.those_visible_to(user, list(self.filter(**lookups)[:1]))
        return found[0] if found else None

    def those_visible_to(self, user, people):
        """Of `people` (a few Person rows already read: a page's commenters, a cell's leads, the person a page is
        about), those `user` may see, as a list. No query for a profile open to the reader (Person.is_open_to: a
        public profile, their own), which needs no look at the content that names them; one, the whole rule
        about the others alone, by id, where some are not. The same answer as visible_to(user, among=…), which
        asks it inside a query instead: building that rule about a subquery of people is most of the work of a
        page that names a few of them."""
        closed = [person.pk for person in people if not person.is_open_to(user)]
        seen = set()
        if closed:
            asked = self.model.objects.filter(pk__in=closed)
            seen = set(self.model.objects.visible_to(user, among=asked).values_list("pk", flat=True))
        return [person for person in people if person.pk in seen or person.is_open_to(user)]

    def open_rule(self, user):
        """The people `user` sees whatever content names them: public profiles and their own (everyone, for staff).
        Person.is_open_to is the same, asked of a row already read."""
        if is_staff(user):
            return Q(pk__isnull=False)
        rule = Q(is_public=True)
        if is_account(user):
            rule |= Q(user=user)
        return rule

    def visible_rule(self, user, *, among=None):
        """visible_to's condition, as a Q on one person (core.visibility.through asks it through a relation)."""
        if is_staff(user):
            return Q()
        rule = self.open_rule(user)
        for relation, back in self.NAMED_IN:
            content = self.model._meta.get_field(relation).related_model.objects.visible_to(user)
            if among is not None:
                content = content.filter(**{f"{back}__in": among.values("pk")})
            rule |= Q(pk__in=content.values(back))
        return rule


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An organisation shows when one of its people does (people/models.py PersonQuerySet)."""
        if is_staff(user):
            return self.all()
        return self.filter(pk__in=Person.objects.visible_to(user).values("organisation"))


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:organisation", args=[self.slug])


class Person(models.Model):
    """Someone who speaks at, convenes or writes for the network.

    A person is public when published content names them (they spoke or wrote on
    purpose) or they chose a public profile; see PersonQuerySet. A Person may be linked
    to the user account that belongs to them.
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    role = models.CharField("role or job title", max_length=200, blank=True)
    bio = models.TextField("short biography", blank=True, help_text="Markdown.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    is_public = models.BooleanField(
        "public profile",
        default=False,
        help_text="Show this person's page to everyone, even where no published note or insight names them.",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:person", args=[self.slug])

    def is_open_to(self, user):
        """PersonQuerySet.open_rule, of this person: whether `user` sees them whatever content names them."""
        return is_staff(user) or self.is_public or (is_account(user) and self.user_id == user.pk)

    @property
    def affiliation(self):
        """'CEO, Surrey Youth Focus' — role and organisation, whichever are known."""
        return ", ".join(part for part in [self.role, self.organisation and self.organisation.name] if part)
