"""The public search index: its tables and the triggers that keep it current (see
search_scale.public_index). Filled from what is already in the archive."""

from django.db import migrations


def create(apps, schema_editor):
    from search_scale import public_index

    if public_index.supported(schema_editor.connection):
        public_index.install(schema_editor.connection)
        public_index.fill(schema_editor.connection)


def drop(apps, schema_editor):
    from search_scale import public_index

    public_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("search_scale", "0001_index_entry_vector_gin"),
        ("testimonies", "0002_role_groups"),
    ]
    operations = [migrations.RunPython(create, drop)]
