from django.urls import path

from . import views

app_name = "research"

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.apply, name="apply"),
    path("search/", views.search, name="search"),
    path("search/export.<str:fmt>", views.search_export, name="search_export"),
    path("testimonies/<str:public_id>/", views.testimony, name="testimony"),
    path(
        "testimonies/<str:public_id>/export.<str:fmt>",
        views.testimony_export,
        name="testimony_export",
    ),
]
