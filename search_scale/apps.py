from django.apps import AppConfig


class SearchScaleConfig(AppConfig):
    name = "search_scale"
    verbose_name = "Search at scale"
