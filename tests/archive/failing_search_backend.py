"""A search backend that fails on every search: for testing that search fails closed."""

from wagtail.search.backends.database.fallback import DatabaseSearchBackend


class BackendDown(RuntimeError):
    pass


class SearchBackend(DatabaseSearchBackend):
    def search(self, *args, **kwargs):
        raise BackendDown("the search cluster is unreachable")

    def autocomplete(self, *args, **kwargs):
        raise BackendDown("the search cluster is unreachable")
