from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ResearchConfig(AppConfig):
    name = "research"
    verbose_name = "Research access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .roles import research_permissions_ensure

        post_migrate.connect(research_permissions_ensure, dispatch_uid="research-role-permissions")
