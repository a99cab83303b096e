from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CellsConfig(AppConfig):
    name = "cells"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from people.models import Person

        from .models import Membership, membership_changed

        for model in (Membership, Person):  # a person's account links them to their memberships
            post_save.connect(membership_changed, sender=model, dispatch_uid=f"cells_of:save:{model.__name__}")
            post_delete.connect(membership_changed, sender=model, dispatch_uid=f"cells_of:delete:{model.__name__}")
