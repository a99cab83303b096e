from django.db import migrations, models

from betterway.postgres import PostgreSQLOnly


class Migration(migrations.Migration):
    """"Did you mean" on PostgreSQL (betterway/search.py): a vocabulary of the index's words (SearchWord) with a
    trigram index, where the words close to a misspelt one are found, and a GIN index of each entry's words of
    `terms` (the very expression search uses), where the entries holding a close word are found. The trigram
    index of `terms` (0001) is dropped: nothing reads it now. The vocabulary is filled from the index after
    migrate (betterway/search_index.py rebuild_if_empty)."""

    dependencies = [
        ("betterway", "0002_search_newest_and_titles"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=100, primary_key=True, serialize=False)),
            ],
        ),
        PostgreSQLOnly(
            sql=[
                "CREATE INDEX search_word_trgm_idx ON betterway_searchword USING gin (word gin_trgm_ops)",
                "CREATE INDEX search_entry_terms_words_idx ON betterway_searchentry "
                "USING gin (to_tsvector('simple'::regconfig, COALESCE(terms, ''::text)))",
                "DROP INDEX IF EXISTS search_entry_terms_trgm_idx",
            ],
            reverse_sql=[
                "CREATE INDEX search_entry_terms_trgm_idx ON betterway_searchentry USING gin (terms gin_trgm_ops)",
                "DROP INDEX IF EXISTS search_entry_terms_words_idx",
                "DROP INDEX IF EXISTS search_word_trgm_idx",
            ],
        ),
    ]
