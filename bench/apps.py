from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "bench"
    verbose_name = "Scale benchmarks"
    default_auto_field = "django.db.models.BigAutoField"
