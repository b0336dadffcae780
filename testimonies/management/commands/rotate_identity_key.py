from django.core.management.base import BaseCommand
from django.db import connection, transaction

from testimonies.crypto import rotate
from testimonies.models import WitnessIdentity

FIELDS = ("legal_name", "contact", "notes")


class Command(BaseCommand):
    help = (
        "Re-encrypt every witness identity with the first key of IDENTITY_KEYS. "
        "Put the new key first, keep the old ones after it, run this, then drop the old keys."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        # The stored tokens are read and written as they are, never as plain text.
        table = connection.ops.quote_name(WitnessIdentity._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f) for f in FIELDS)
        assignments = ", ".join(f"{connection.ops.quote_name(f)} = %s" for f in FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {columns} FROM {table}")  # noqa: S608  # nosec B608
            rows = cursor.fetchall()
            for pk, *tokens in rows:
                rotated = [rotate(token) if token else token for token in tokens]
                cursor.execute(
                    f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608  # nosec B608
                    [*rotated, pk],
                )
        self.stdout.write(f"Re-encrypted {len(rows)} identity record(s) with the first key.")
