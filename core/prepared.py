"""The few small queries every member's page asks (who the reader is), compiled into SQL once per process.

Django builds a queryset and compiles it into SQL on every call; for a small query that is most of its cost
(here ~0.3 ms to build and compile a one-table query, ~0.07 ms for the database to answer it). A query that every
request of a logged-in member asks, always of the same shape with only ids changing, is built once with stand-in
ids and then run with the real ones (and PostgreSQL keeps its plan: settings.DATABASES' prepare_threshold).

Only for what needs no conversion of the values read (ids, text): the rows come from the cursor as the database
gives them, not through the ORM's converters.
"""

from django.db import connections

_STAND_IN = -(2**31) + 7919  # an id no row has, told apart from every other parameter of the query
_compiled = {}  # (build, vendor) -> (sql, params with the stand-in ids), made on the first call


def rows(build, *ids):
    """The rows, as tuples, of the queryset `build(*ids)` (a values_list() of a fixed shape whatever the ids,
    which it takes as query parameters)."""
    connection = connections["default"]  # the site's one database
    stand_ins = [_STAND_IN + n for n in range(len(ids))]
    key = (build, connection.vendor)
    if key not in _compiled:
        sql, params = build(*stand_ins).query.sql_with_params()
        if not all(stand_in in params for stand_in in stand_ins):
            raise ValueError(f"{build.__qualname__} does not take each id as a query parameter")
        _compiled[key] = (sql, tuple(params))
    sql, params = _compiled[key]
    real = dict(zip(stand_ins, ids, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(sql, [real.get(param, param) if type(param) is int else param for param in params])
        return cursor.fetchall()
