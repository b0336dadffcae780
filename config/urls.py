from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's page tree last: it answers every path not claimed above.
    path("", include(wagtail_urls)),
]

# A plain 503 when the database is unavailable, a plain 500 otherwise; never any details.
handler500 = "archive.faults.server_error"
