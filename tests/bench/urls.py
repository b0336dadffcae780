"""A stand-in `/search/` for the benchmark's own test: the real public search view lives on
another branch. It searches through Wagtail's search API on the access policy's queryset."""

from django.http import JsonResponse
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.search.backends import get_search_backend

from testimonies.access import excerpts_visible_to


def search(request):
    results = get_search_backend().search(
        request.GET.get("q", ""), excerpts_visible_to(request.user)
    )
    return JsonResponse({"results": [e.public_id for e in results[:20]]})


urlpatterns = [path("search/", search), path("", include(wagtail_urls))]
