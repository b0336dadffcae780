from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from archive import search_views

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("", include("archive.urls")),
    path("search/", search_views.search, name="search"),
    # JSON API (/api/v1/), API tokens (/api/tokens/) and OAI-PMH (/oai/).
    path("", include("interop.urls")),
    path("research/", include("research.urls")),
    # Wagtail's page tree last: it answers every path not claimed above.
    path("", include(wagtail_urls)),
]

# A plain 503 when the database is unavailable, a plain 500 otherwise; never any details.
handler500 = "archive.faults.server_error"
