"""The research search index (excerpts and transcripts researchers may read), beside the public
one, kept current by the same kind of triggers (see search_scale.public_index)."""

from django.db import migrations

RESEARCH = ("research_excerpt", "research_transcript")


def create(apps, schema_editor):
    from search_scale import public_index

    if public_index.supported(schema_editor.connection):
        public_index.rebuild(schema_editor.connection, RESEARCH)


def drop(apps, schema_editor):
    from search_scale import public_index

    connection = schema_editor.connection
    if not public_index.supported(connection):
        return
    for kind in RESEARCH:
        spec = public_index.SPECS[kind]
        on = f" ON {spec.table}" if connection.vendor == "postgresql" else ""
        events = ("insert", "update", "delete")
        if connection.vendor == "postgresql":
            events += ("truncate",)
        for event in events:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {spec.index}_{event}{on}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {spec.index}")


class Migration(migrations.Migration):
    dependencies = [("search_scale", "0002_public_index")]
    operations = [migrations.RunPython(create, drop)]
