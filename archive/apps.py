from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archive site"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .security import allow_wagtail_inline_initialisers

        allow_wagtail_inline_initialisers()
