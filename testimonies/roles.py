"""The permissions each role's group holds in the admin. Applied after every migrate."""

from django.contrib.auth.models import Group, Permission

ARCHIVIST_MODELS = {
    "testimonies": {
        "theme": ("add", "change", "delete", "view"),
        "source": ("add", "change", "delete", "view"),
        "witness": ("add", "change", "view"),
        "testimony": ("add", "change", "view"),
        "excerpt": ("add", "change", "publish", "view", "lock", "unlock"),
        "consententry": ("add", "view"),
        "researchgrant": ("add", "change", "view"),
        "accessrecord": ("view",),
        "country": ("add", "change", "view"),
        "sector": ("add", "change", "view"),
    },
}
CUSTODIAN_EXTRA = {
    "testimonies": {"witnessidentity": ("add", "change", "view", "read_identity")},
}


def _perms(spec):
    wanted = [
        (app, f"{action}_{model}" if action != "read_identity" else action, model)
        for app, models in spec.items()
        for model, actions in models.items()
        for action in actions
    ]
    found = []
    for app, codename, model in wanted:
        perm = Permission.objects.filter(
            content_type__app_label=app, content_type__model=model, codename=codename
        ).first()
        if perm is not None:
            found.append(perm)
    return found


def role_permissions_ensure(**kwargs):
    admin_access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    archivists = Group.objects.filter(name="Archivists").first()
    custodians = Group.objects.filter(name="Custodians").first()
    if archivists is None or custodians is None or admin_access is None:
        return
    archivist_perms = _perms(ARCHIVIST_MODELS)
    archivists.permissions.add(admin_access, *archivist_perms)
    custodians.permissions.add(admin_access, *archivist_perms, *_perms(CUSTODIAN_EXTRA))
