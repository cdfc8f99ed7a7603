"""Full-text search documents and their GIN indexes, on PostgreSQL only (SQLite's fallback needs none).

Each table gets `search_document`, a tsvector column that PostgreSQL itself keeps up to date
(GENERATED ALWAYS ... STORED) from the weighted fields, and a GIN index on it. The column is not a
model field: Django never writes it, and only reviews/search.py reads it.

Why stored rather than an index on the expression: ranking needs the document of every match, and
an expression index cannot give it back, so PostgreSQL would re-parse each matching body. With
5,000 reviews of 900 words, a common word took 2-9 s that way and takes 16-25 ms this way.
"""

from django.db import migrations

CONFIG = "english"
DOCUMENTS = {
    # table: (index name, {column: weight}); keep in step with the Spec weights in reviews/search.py
    "reviews_review": ("review_search_idx", {"title": "A", "standfirst": "B", "body": "C"}),
    "reviews_film": ("film_search_idx", {"title": "A", "synopsis": "B"}),
    "reviews_person": ("person_search_idx", {"name": "A", "bio": "B"}),
}


def add_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (index, weights) in DOCUMENTS.items():
        document = " || ".join(
            f"setweight(to_tsvector('{CONFIG}'::regconfig, coalesce({column}, '')), '{weight}')"
            for column, weight in weights.items()
        )
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({document}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {index} ON {table} USING gin (search_document)")


def drop_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in DOCUMENTS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN search_document")  # and its index


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0003_publishing_tools"),
    ]

    operations = [
        migrations.RunPython(add_documents, drop_documents),
    ]
