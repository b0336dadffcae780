from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TestimoniesConfig(AppConfig):
    name = "testimonies"
    verbose_name = "Testimonies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import lookups
        from .roles import role_permissions_ensure

        lookups.register()
        post_migrate.connect(role_permissions_ensure, dispatch_uid="testimonies-role-permissions")
