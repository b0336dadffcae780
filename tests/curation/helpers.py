from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import make_user, sign_in

ROLES = [
    "anonymous",
    "signed_in",
    "researcher",
    "admin_only",
    "archivist",
    "custodian",
    "superuser",
]
STAFF = {"archivist", "custodian", "superuser"}


def user_for(role):
    """`admin_only` may enter the Wagtail admin but holds no archive role: it proves the
    actions check the role on the server, not only the admin's door."""
    if role == "admin_only":
        user = make_user("signed_in")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
        return user
    return make_user(role)


def client_as(client, role):
    if role != "anonymous":
        sign_in(client, user_for(role), two_factor=True)
    return client


def snippet_url(model, view, *args):
    return reverse(f"wagtailsnippets_testimonies_{model}:{view}", args=args)
