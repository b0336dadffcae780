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

    public_index.uninstall(schema_editor.connection, RESEARCH)


class Migration(migrations.Migration):
    dependencies = [("search_scale", "0002_public_index")]
    operations = [migrations.RunPython(create, drop)]
