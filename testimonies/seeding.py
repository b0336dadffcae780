"""The site root and the development demo accounts."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page, Site

from .models import ResearchGrant
from .services import role_grant

DEMO_ACCOUNTS = [
    # username, password, role, what the account shows
    ("visitor", "visitor-demo-pass", None, "signed in, no role (sees what the public sees)"),
    ("researcher", "researcher-demo-pass", "researcher", "researcher with a current grant"),
    ("lapsed", "lapsed-demo-pass", "researcher", "researcher whose grant has expired"),
    ("archivist", "archivist-demo-pass", "archivist", "archivist"),
    ("custodian", "custodian-demo-pass", "custodian", "custodian of identities"),
    ("admin", "admin-demo-pass", "superuser", "superuser"),
]


def site_ensure():
    """A HomePage as the default site's root, replacing Wagtail's placeholder page."""
    from archive.models import HomePage

    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(
            title="Testimony Archive",
            slug="archive-home",
            intro=(
                "<p>Accounts of North Korean workers sent abroad by their state: IT workers, "
                "construction and logging crews, factory and restaurant staff. Witnesses appear "
                "under pseudonyms; their real identities are never shown.</p>"
            ),
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        old = site.root_page
        site.root_page = home
        site.save()
        if old.depth == 2 and old.specific_class is Page:  # Wagtail's "Welcome" placeholder
            old.delete()
    return home


def demo_accounts_ensure():
    User = get_user_model()
    out = []
    for username, password, role, description in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        user.set_password(password)
        if role == "superuser":
            user.is_superuser = user.is_staff = True
        user.save()
        if role and role != "superuser" and not user.groups.exists():
            grant = role_grant(user=user, role=role)
            if username == "lapsed" and grant:
                past = timezone.localdate() - dt.timedelta(days=30)
                ResearchGrant.objects.filter(pk=grant.pk).update(
                    starts_on=past - dt.timedelta(days=365), expires_on=past
                )
        out.append((username, password, description))
    return out


def demo_two_factor_ensure():
    """TOTP devices for the demo staff accounts (their secrets are derived from the username:
    development only). Returns (username, otpauth URI) pairs to print."""
    from accounts.twofactor import demo_device_ensure

    User = get_user_model()
    out = []
    for username, _password, role, _description in DEMO_ACCOUNTS:
        if role in ("archivist", "custodian", "superuser"):
            device = demo_device_ensure(User.objects.get(username=username))
            out.append((username, device.config_url))
    return out
