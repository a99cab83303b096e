from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cells.models import Cell, Membership
from people.models import Person

PASSWORD = "betterway-demo"  # noqa: S105 - demo accounts exist only with DEBUG on
DEMO_CELL = "collaborative-leadership-in-place"

# email, display name, is_staff, role in the demo cell (None: no cell)
ACCOUNTS = [
    ("staff@example.org", "Demo Staff", True, None),
    ("convenor@example.org", "Demo Convenor", False, Membership.Role.CONVENOR),
    ("cellmember@example.org", "Demo Cell Member", False, Membership.Role.MEMBER),
    ("member@example.org", "Demo Member", False, None),
]


class Command(BaseCommand):
    help = "Create the development-only demo accounts (password 'betterway-demo'). Refused when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for development only: refused because DEBUG is off.")
        cell = Cell.objects.filter(slug=DEMO_CELL).first()
        User = get_user_model()
        for email, name, is_staff, cell_role in ACCOUNTS:
            user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
            user.email = email
            user.is_staff = user.is_superuser = is_staff
            user.set_password(PASSWORD)
            user.save()
            # Verified, so they log in through the site's own login (allauth requires it).
            EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            person, _ = Person.objects.get_or_create(
                user=user, defaults={"name": name, "slug": email.split("@")[0] + "-demo"}
            )
            if cell_role and cell:
                Membership.objects.get_or_create(cell=cell, person=person, role=cell_role)
            self.stdout.write(f"{email} / {PASSWORD}")
