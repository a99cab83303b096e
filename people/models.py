from django.conf import settings
from django.db import models
from django.urls import reverse


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:organisation", args=[self.slug])


class Person(models.Model):
    """Someone who speaks at, convenes or writes for the network.

    People in the archive are public (they spoke or wrote on purpose); a Person
    may later be linked to the user account that belongs to them.
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

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:person", args=[self.slug])

    @property
    def affiliation(self):
        """'CEO, Surrey Youth Focus' — role and organisation, whichever are known."""
        return ", ".join(part for part in [self.role, self.organisation and self.organisation.name] if part)
