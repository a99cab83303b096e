"""A lookup Django leaves to the database, made safe for numbers from outside.

`in` on an integer column (`pk__in=[…]`, as ModelMultipleChoiceField asks) with a number the column cannot hold
fails on SQLite (OverflowError: a server error for a form sent with an id of twenty digits) where PostgreSQL
finds nothing. Django already treats an exact lookup so (IntegerFieldExact); this does the same for `in`: such a
number matches nothing and is left out. Registered on IntegerField (and so on every auto and big integer field)
by core/apps.py."""

from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [value for value in self.rhs if not _outside(value, low, high)]
        return super().process_rhs(compiler, connection)


def _outside(value, low, high):
    if not isinstance(value, int):
        return False
    return (low is not None and value < low) or (high is not None and value > high)
