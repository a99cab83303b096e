from django.db import migrations

from betterway.postgres import PostgreSQLOnly


class Migration(migrations.Migration):
    """PostgreSQL reads a search's newest matches first and, for a common word, the matches in titles
    (betterway/search.py): an index newest first, and a GIN index of the titles' words (the very expression
    search uses). SQLite reads the text and needs neither."""

    dependencies = [
        ("betterway", "0001_search_index"),
    ]

    operations = [
        PostgreSQLOnly(
            sql=[
                "CREATE INDEX search_entry_newest_idx ON betterway_searchentry (date DESC NULLS LAST, id DESC)",
                "CREATE INDEX search_entry_title_idx ON betterway_searchentry "
                "USING gin (to_tsvector('english'::regconfig, COALESCE(text_a, ''::text)))",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS search_entry_newest_idx",
                "DROP INDEX IF EXISTS search_entry_title_idx",
            ],
        ),
    ]
