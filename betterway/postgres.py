"""What only PostgreSQL has: a migration operation for it (GIN indexes: SQLite reads the text instead), and how
search's statements are planned."""

from contextlib import contextmanager

from django.db import connection, migrations, transaction


class PostgreSQLOnly(migrations.RunSQL):
    """SQL run on PostgreSQL only, both ways."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


@contextmanager
def planned_for_each_question():
    """Statements run inside are planned for their own parameters every time on PostgreSQL (plan_cache_mode
    force_custom_plan, for this transaction only), even once prepared (settings.py DB_PREPARE_THRESHOLD).

    Search needs it: how many entries a word matches ranges from none to most of the archive, and one generic
    plan for every word made the first search of a common word at 100,000 meetings 1.9 s at p90 instead of 0.6 s.
    Elsewhere a plan made once is as good, and the rule's long conditions cost more to plan than to run."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield
