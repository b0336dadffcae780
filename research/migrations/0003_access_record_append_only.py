"""On PostgreSQL, the access record table refuses UPDATE and DELETE at the database level.

The one update allowed is the one Django makes when a user account is deleted: setting the
`user_id` column to NULL while every other column stays as it was (the username stays in
the entry). On other databases the model's save() and delete() refuse changes instead.
"""

from django.db import migrations

TABLE = "testimonies_accessrecord"

FUNCTION = """
CREATE OR REPLACE FUNCTION access_record_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.user_id IS NULL
       AND (NEW.id, NEW.at, NEW.username, NEW.action, NEW.object_type, NEW.object_ref,
            NEW.query, NEW.ip_address)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.username, OLD.action, OLD.object_type, OLD.object_ref,
            OLD.query, OLD.ip_address)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'The access record is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""

CREATE = [
    FUNCTION,
    f"DROP TRIGGER IF EXISTS access_record_append_only ON {TABLE}",
    f"""CREATE TRIGGER access_record_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION access_record_refuse_change()""",
]

DROP = [
    f"DROP TRIGGER IF EXISTS access_record_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS access_record_refuse_change()",
]


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("research", "0002_first_terms_of_use"),
        ("testimonies", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
