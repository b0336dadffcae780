from django.urls import path

from . import oai, views
from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/tokens/", views.tokens, name="api-tokens"),
    path("api/tokens/<int:pk>/revoke/", views.token_revoke, name="api-token-revoke"),
    path("oai/", oai.endpoint, name="oai"),
]
