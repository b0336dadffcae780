from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("research/", include("research.urls")),
    # Wagtail's page tree last: it answers every path not claimed above.
    path("", include(wagtail_urls)),
]
