from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .syndication import SITEMAPS, NewExcerptsFeed

app_name = "archive"

urlpatterns = [
    path("themes/", views.theme_index, name="theme_index"),
    path("themes/<slug:slug>/", views.theme, name="theme"),
    path("excerpts/<str:public_id>/", views.excerpt, name="excerpt"),
    path("excerpts/<str:public_id>/cite.json", views.excerpt_csl, name="excerpt_csl"),
    path("excerpts/<str:public_id>/cite.bib", views.excerpt_bibtex, name="excerpt_bibtex"),
    path("testimonies/<str:public_id>/", views.testimony, name="testimony"),
    path("witnesses/<str:public_id>/", views.witness, name="witness"),
    path("sources/", views.sources, name="sources"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("feeds/excerpts/", NewExcerptsFeed(), name="feed"),
]
