"""core/prepared.py: the queries every member's page asks, compiled once and run with each reader's ids."""

import pytest
from django.contrib.auth import get_user_model

from cells.models import reader_facts
from core import prepared
from core.roles import is_member

from .factories import CellFactory, MembershipFactory, PersonFactory, UserFactory, verified_user

pytestmark = pytest.mark.django_db


def test_each_reader_gets_their_own_answers_from_the_one_compiled_query():
    first, second = verified_user(), verified_user()
    unverified = UserFactory()
    a, b = CellFactory(), CellFactory()
    MembershipFactory(cell=a, person=PersonFactory(user=first), role="convenor")
    MembershipFactory(cell=b, person=PersonFactory(user=second))
    assert reader_facts(first) == (frozenset({a.pk}), frozenset({a.pk}), frozenset())
    assert reader_facts(second) == (frozenset({b.pk}), frozenset(), frozenset())
    assert reader_facts(unverified) == (frozenset(), frozenset(), frozenset())
    assert (is_member(first), is_member(second), is_member(unverified)) == (True, True, False)


def test_a_query_that_does_not_take_the_id_as_a_parameter_is_refused():
    def every_account(user_id):
        return get_user_model().objects.values_list("pk")

    with pytest.raises(ValueError, match="does not take each id"):
        prepared.rows(every_account, 1)
