import pytest
from django.contrib.auth.models import AnonymousUser

from cells.models import Membership

from .factories import CellFactory, MembershipFactory, PersonFactory, verified_user


@pytest.fixture
def cell(db):
    return CellFactory(name="Collaborative Leadership in Place", slug="clip")


def _member_of(cell, role, username):
    user = verified_user(username=username)
    MembershipFactory(cell=cell, person=PersonFactory(user=user), role=role)
    return user


@pytest.fixture
def users(db, cell):
    """One user for each way of seeing the site, named for what they are (each with a confirmed email address)."""
    other_cell = CellFactory(name="Another cell", slug="another-cell")
    return {
        "anonymous": AnonymousUser(),
        "member": verified_user(username="member@example.org"),
        "cell_member": _member_of(cell, Membership.Role.MEMBER, "cellmember@example.org"),
        "convenor": _member_of(cell, Membership.Role.CONVENOR, "convenor@example.org"),
        "other_convenor": _member_of(other_cell, Membership.Role.CONVENOR, "other@example.org"),
        "staff": verified_user(username="staff@example.org", is_staff=True),
    }


@pytest.fixture
def client_for(client):
    """client_for(user): the test client, logged in as `user` (or anonymous)."""

    def login(user):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        return client

    return login
