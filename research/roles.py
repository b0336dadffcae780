"""The admin permissions archive staff hold on research records. Applied after every migrate."""

from django.contrib.auth.models import Group, Permission

STAFF_PERMISSIONS = {
    "researchapplication": ("view", "change"),
    "termsofuse": ("add", "view"),
}


def research_permissions_ensure(**kwargs):
    perms = [
        perm
        for model, actions in STAFF_PERMISSIONS.items()
        for action in actions
        if (
            perm := Permission.objects.filter(
                content_type__app_label="research",
                content_type__model=model,
                codename=f"{action}_{model}",
            ).first()
        )
        is not None
    ]
    for group in Group.objects.filter(name__in=["Archivists", "Custodians"]):
        group.permissions.add(*perms)
