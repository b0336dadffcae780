from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_public_index(using="default", **kwargs):
    """After every migrate: the public index's triggers are in place (SQLite drops a table's
    triggers when a migration rebuilds the table); if any were missing, refill the index."""
    from django.db import connections

    from . import public_index

    connection = connections[using]
    if not public_index.supported(connection):
        return
    tables = set(connection.introspection.table_names())
    if not {public_index.EXCERPTS, public_index.TESTIMONIES} <= tables:
        return
    if public_index.install(connection):
        public_index.fill(connection)


class SearchScaleConfig(AppConfig):
    name = "search_scale"
    verbose_name = "Search at scale"

    def ready(self):
        # This app has no models, so Django sends it no post_migrate of its own: listen to
        # every app's (the check is cheap once the triggers are there).
        post_migrate.connect(ensure_public_index, dispatch_uid="search_scale_ensure_index")
