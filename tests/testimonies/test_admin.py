"""Admin permissions are enforced on the server, not only hidden in menus."""

import pytest
from django.urls import reverse

from testimonies.interchange import import_document
from testimonies.models import AccessRecord, ConsentEntry, Excerpt, WitnessIdentity
from tests.factories import make_user, sign_in
from tests.testimonies.test_interchange import SEEDS


@pytest.fixture
def collection(db):
    import_document(SEEDS.read_text())


def url(model, view, *args):
    return reverse(f"wagtailsnippets_testimonies_{model}:{view}", args=args)


def client_for(client, role):
    if role != "anonymous":
        sign_in(client, make_user(role))
    return client


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("signed_in", 302),
        ("researcher", 302),
        ("archivist", 200),
        ("custodian", 200),
    ],
)
def test_who_reaches_the_excerpt_list(client, collection, role, expected):
    response = client_for(client, role).get(url("excerpt", "list"))
    assert response.status_code == expected
    if expected == 302:
        assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("role", ["archivist", "researcher", "signed_in"])
def test_identities_are_refused_to_all_but_custodians(client, collection, role):
    identity = WitnessIdentity.objects.first()
    c = client_for(client, role)
    for response in (
        c.get(url("witnessidentity", "list")),
        c.get(url("witnessidentity", "edit", identity.pk)),
    ):
        assert response.status_code in (302, 403, 404)
        assert identity.legal_name.encode() not in response.content
    assert AccessRecord.objects.count() == 0


def test_custodian_reads_an_identity_and_the_read_is_recorded(client, collection):
    identity = WitnessIdentity.objects.first()
    c = client_for(client, "custodian")
    listing = c.get(url("witnessidentity", "list"))
    assert listing.status_code == 200 and identity.legal_name.encode() not in listing.content
    response = c.get(url("witnessidentity", "edit", identity.pk))
    assert response.status_code == 200
    assert identity.legal_name.encode() in response.content
    record = AccessRecord.objects.get()
    assert record.action == "identity.view" and record.username.startswith("custodian")


@pytest.mark.parametrize("view", ["edit", "delete"])
def test_consent_entries_cannot_be_edited_or_deleted_in_the_admin(client, collection, view):
    entry = ConsentEntry.objects.first()
    c = client_for(client, "custodian")
    response = c.post(url("consententry", view, entry.pk), {"level": 0, "recorded_on": "2020"})
    assert response.status_code in (302, 403, 404)
    assert ConsentEntry.objects.filter(pk=entry.pk, level=entry.level).exists()


def test_archivist_adds_a_consent_entry_in_the_admin(client, collection):
    entry = ConsentEntry.objects.first()
    witness = entry.witness
    c = client_for(client, "archivist")
    response = c.post(
        url("consententry", "add"),
        {
            "witness": witness.pk,
            "level": 3,
            "recorded_on": "2026-11-01",
            "by": "archivist",
            "note": "withdrew",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    witness.refresh_from_db()
    assert witness.consent_level == 3
    assert not Excerpt.objects.filter(testimony__witness=witness, level__lt=3).exists()


def test_editing_an_approved_excerpt_makes_a_draft_that_changes_nothing_public(client, collection):
    excerpt = Excerpt.objects.get(key="e-kim-ji-min-program-off")
    before = excerpt.public_text
    c = client_for(client, "archivist")
    data = {
        "key": excerpt.key,
        "testimony": excerpt.testimony_id,
        "text": "An edited text waiting for approval.",
        "translation_of": excerpt.translation_of,
        "start_ms": "",
        "end_ms": "",
        "position": excerpt.position,
        "themes": [t.pk for t in excerpt.themes.all()],
        "access": excerpt.access,
        "embargo_until": "",
        "content_warning": "",
        "redactions": "[]",
    }
    response = c.post(url("excerpt", "edit", excerpt.pk), data)
    assert response.status_code == 302, response.content[:3000]
    excerpt.refresh_from_db()
    assert excerpt.public_text == before and excerpt.live
    assert excerpt.has_unpublished_changes
    assert excerpt.get_latest_revision_as_object().text == "An edited text waiting for approval."
    excerpt.get_latest_revision().publish()
    excerpt.refresh_from_db()
    assert excerpt.public_text == "An edited text waiting for approval."
    assert not excerpt.has_unpublished_changes
