from django.db import migrations, models

from betterway.postgres import PostgreSQLOnly


class Migration(migrations.Migration):
    """The vocabulary "did you mean" looks in (betterway/models.py SearchWord), trigram-indexed on PostgreSQL. It is
    filled from the index after migrate (betterway/search_index.py fill_vocabulary_if_empty)."""

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
            sql=["CREATE INDEX search_word_trgm_idx ON betterway_searchword USING gin (word gin_trgm_ops)"],
            reverse_sql=["DROP INDEX IF EXISTS search_word_trgm_idx"],
        ),
    ]
