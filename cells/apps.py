from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CellsConfig(AppConfig):
    name = "cells"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from people.models import Person

        from .models import Meeting, Membership, SpeakerReview, reader_changed

        # what reader_facts reads: a person's account links them to their memberships and reviews; a meeting's
        # status decides whether a review is of a draft
        for model in (Membership, Person, SpeakerReview, Meeting):
            post_save.connect(reader_changed, sender=model, dispatch_uid=f"reader_facts:save:{model.__name__}")
            post_delete.connect(reader_changed, sender=model, dispatch_uid=f"reader_facts:delete:{model.__name__}")
