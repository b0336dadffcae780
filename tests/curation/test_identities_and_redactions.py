"""Custodians read and edit identities on their own admin view, each read and edit recorded;
redactions edited as lines with validation and a preview of what the public will see."""

import pytest

from testimonies.levels import Level
from testimonies.models import AccessRecord, Excerpt, WitnessIdentity, apply_redactions
from tests.curation.helpers import ROLES, client_as, snippet_url, user_for
from tests.curation.test_workflow import edit_data
from tests.factories import make_excerpt, make_witness, sign_in

pytestmark = pytest.mark.django_db

LEGAL_NAME = "Pak Chol-su (invented)"


@pytest.fixture
def identity():
    return WitnessIdentity.objects.create(
        witness=make_witness(), legal_name=LEGAL_NAME, contact="via the NGO office"
    )


def identity_data(identity, **changes):
    return {
        "witness": identity.witness_id,
        "legal_name": identity.legal_name,
        "contact": identity.contact,
        "notes": identity.notes,
        **changes,
    }


@pytest.mark.parametrize("role", ROLES)
def test_identity_view_and_edit_matrix(client, identity, role):
    c = client_as(client, role)
    view = c.get(snippet_url("witnessidentity", "edit", identity.pk))
    edit = c.post(
        snippet_url("witnessidentity", "edit", identity.pk),
        identity_data(identity, contact="moved: ask the field office"),
    )
    identity.refresh_from_db()
    if role in ("custodian", "superuser"):
        assert view.status_code == 200 and LEGAL_NAME.encode() in view.content
        assert edit.status_code == 302
        assert identity.contact == "moved: ask the field office"
        actions = list(AccessRecord.objects.order_by("pk").values_list("action", flat=True))
        assert actions == ["identity.view", "identity.edit"]
    else:
        if role == "archivist":
            assert view.status_code == 404 and edit.status_code == 404
        else:
            assert view.status_code in (302, 404) and edit.status_code in (302, 404)
        assert LEGAL_NAME.encode() not in view.content + edit.content
        assert identity.contact == "via the NGO office"
        assert not AccessRecord.objects.exists()


def test_an_identity_edit_is_recorded_with_who_and_what(client, identity):
    custodian = user_for("custodian")
    sign_in(client, custodian)
    response = client.post(
        snippet_url("witnessidentity", "edit", identity.pk),
        identity_data(identity, notes="Met in Seoul, 2024."),
    )
    assert response.status_code == 302
    record = AccessRecord.objects.get(action="identity.edit")
    assert record.user == custodian and record.username == custodian.username
    assert record.object_type == "witnessidentity" and record.object_ref == str(identity.pk)
    assert LEGAL_NAME not in record.object_ref + str(record.query)


TEXT = "My cousin Kim Yong-ho drove the truck to Tumen every week."


@pytest.fixture
def draft_excerpt():
    return make_excerpt(text=TEXT, access=Level.PUBLIC, approved=False)


def save_redactions(client, excerpt, redactions):
    return client.post(
        snippet_url("excerpt", "edit", excerpt.pk), edit_data(excerpt, TEXT, redactions)
    )


@pytest.mark.parametrize(
    "lines",
    [
        "10-21 names a relative\n41-46 a place",
        '"Kim Yong-ho" names a relative\n"Tumen": a place',
        '[{"start": 10, "end": 21, "reason": "names a relative"}, {"start": 41, "end": 46}]',
    ],
)
def test_redactions_are_edited_as_lines_or_words(client, draft_excerpt, lines):
    sign_in(client, user_for("archivist"))
    response = save_redactions(client, draft_excerpt, lines)
    assert response.status_code == 302, response.content[:2000]
    revision = Excerpt.objects.get(pk=draft_excerpt.pk).get_latest_revision_as_object()
    assert [(r["start"], r["end"]) for r in revision.redactions] == [(10, 21), (41, 46)]
    assert revision.redactions[0]["reason"] == "names a relative"
    public = apply_redactions(revision.text, revision.redactions)
    assert public == "My cousin [redacted] drove the truck to [redacted] every week."


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("10-99 too far", "is outside the text of 58 characters"),
        ("30-20 backwards", "ends before it starts"),
        ('"Pyongyang" not there', "does not occur in the text"),
        ("ten to twenty", "Line 1"),
        ('[{"start": "a"}]', "look like JSON"),
    ],
)
def test_bad_redactions_are_named_and_nothing_is_saved(client, draft_excerpt, lines, message):
    sign_in(client, user_for("archivist"))
    before = draft_excerpt.latest_revision_id
    response = save_redactions(client, draft_excerpt, lines)
    assert response.status_code == 200
    assert message.encode() in response.content
    draft_excerpt.refresh_from_db()
    assert draft_excerpt.latest_revision_id == before and draft_excerpt.redactions == []


def test_the_preview_shows_what_the_public_will_see(client, draft_excerpt):
    sign_in(client, user_for("archivist"))
    url = snippet_url("excerpt", "preview_on_edit", draft_excerpt.pk)
    data = edit_data(draft_excerpt, TEXT, '"Kim Yong-ho" names a relative')
    assert client.post(url, data).json()["is_valid"] is True
    preview = client.get(url)
    assert preview.status_code == 200
    body = preview.content.decode()
    public = body.split('id="public-text">')[1].split("</blockquote>")[0]
    assert public == "My cousin [redacted] drove the truck to Tumen every week."
    assert "names a relative" in body


def test_the_edit_page_shows_existing_redactions_as_lines(client):
    excerpt = make_excerpt(text=TEXT, redactions=[{"start": 41, "end": 46, "reason": "a place"}])
    sign_in(client, user_for("archivist"))
    page = client.get(snippet_url("excerpt", "edit", excerpt.pk))
    assert page.status_code == 200
    assert b"41-46 a place</textarea>" in page.content
