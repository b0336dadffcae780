"""A GIN index on the expression Wagtail's database search backend matches against.

On PostgreSQL, `backend.search(...)` filters on `(title || body) @@ tsquery`. Wagtail's own
migrations index `title` and `body` separately, so that expression is matched by reading every
index entry (wagtail issue 6546; the old contrib backend had this index, PR 6548). With it, the
planner finds the matching entries through the index. Nothing is done on other databases.
"""

from django.db import migrations

INDEX = "search_scale_indexentry_title_body_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            "USING gin ((title || body))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    # CONCURRENTLY: building it on a large index (about 85 s at 2M entries) blocks no writes.
    atomic = False
    dependencies = [("wagtailsearch", "0010_add_text_fields")]
    operations = [migrations.RunPython(create, drop)]
