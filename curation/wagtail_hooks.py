from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.widgets import Button

from testimonies.access import is_archive_staff
from testimonies.models import Witness

from . import views


@hooks.register("register_admin_urls")
def curation_urls():
    return [
        path(
            "curation/witness/<int:pk>/consent/",
            views.ConsentChangeView.as_view(),
            name="curation_consent_change",
        ),
        path(
            "curation/witness/<int:pk>/withdraw/",
            views.WithdrawView.as_view(),
            name="curation_withdraw",
        ),
    ]


def witness_buttons(witness, user):
    """The consent actions, for archive staff only (the views check again on the server)."""
    if not is_archive_staff(user):
        return []
    return [
        Button(
            "Change consent",
            url=reverse("curation_consent_change", args=[witness.pk]),
            icon_name="clipboard-list",
            priority=30,
        ),
        Button(
            "Withdraw",
            url=reverse("curation_withdraw", args=[witness.pk]),
            icon_name="cross",
            priority=40,
        ),
    ]


@hooks.register("register_snippet_listing_buttons")
def witness_listing_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Witness):
        yield from witness_buttons(snippet, user)
