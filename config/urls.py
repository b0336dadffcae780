from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("", include("archive.urls")),
    # Wagtail's page tree last: it answers every path not claimed above.
    path("", include(wagtail_urls)),
]
