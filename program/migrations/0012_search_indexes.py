"""GIN indexes for search on PostgreSQL, so that a search reads the rows that match instead of
computing every talk's, speaker's and organisation's vector: one for talks (title and abstract),
one each for speakers' and organisations' names. Each indexes the very expression that
`program/search.py` queries with, from the same function (PostgreSQL uses an expression index
only for an identical expression). SQLite searches by substring and gets none.

`fastupdate` is off: new rows go straight into the index rather than into a pending list that
every search would scan until the next vacuum (and that makes the planner shun the index on a
freshly imported program). Importing 10,000 talks took no measurably longer.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from program.search import name_vector, talk_vector

# (app, model, index name, the vector it holds)
INDEXES = [
    ("program", "Talk", "program_talk_search", talk_vector),
    ("speakers", "Speaker", "speakers_speaker_search", name_vector),
    ("speakers", "Affiliation", "speakers_affiliation_search", name_vector),
]


def indexes(apps):
    for app_label, model_name, name, vector in INDEXES:
        index = GinIndex(vector(), name=name, fastupdate=False)
        yield apps.get_model(app_label, model_name), index


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in indexes(apps):
            schema_editor.add_index(model, index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in indexes(apps):
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("program", "0011_organizer_url_web_only"),
        ("speakers", "0002_aliases"),
    ]

    operations = [migrations.RunPython(add_indexes, remove_indexes)]
