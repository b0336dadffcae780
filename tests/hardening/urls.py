"""The project's URLs plus one small read path through the access policy, for tests that need a
404 answered by `get_visible_or_404` before the public site's own views exist on this branch."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from testimonies.access import excerpt_text_for, get_visible_or_404
from testimonies.models import Excerpt


def excerpt_view(request, public_id):
    excerpt = get_visible_or_404(Excerpt.objects.all(), request.user, public_id=public_id)
    return HttpResponse(excerpt_text_for(request.user, excerpt), content_type="text/plain")


urlpatterns = [path("test-excerpt/<str:public_id>/", excerpt_view), *project_urlpatterns]
