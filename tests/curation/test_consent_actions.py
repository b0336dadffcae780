"""Consent change and withdrawal through the admin actions on a witness: who may, what they
write to the ledger, and that the very next request follows the new consent."""

import pytest
from django.urls import reverse

from testimonies import access
from testimonies.levels import Level
from testimonies.models import ConsentEntry, Excerpt
from tests.curation.helpers import ROLES, STAFF, client_as, snippet_url, user_for
from tests.factories import make_excerpt, make_testimony, make_user, make_witness, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def witness():
    witness = make_witness(consent=Level.PUBLIC, pseudonym="Mr Ri, logger")
    testimony = make_testimony(witness=witness)
    make_excerpt(testimony=testimony, text="We cut timber from dawn to night.")
    make_excerpt(testimony=testimony, text="The manager kept our passports.")
    return witness


def consent_url(witness):
    return reverse("curation_consent_change", args=[witness.pk])


def withdraw_url(witness):
    return reverse("curation_withdraw", args=[witness.pk])


@pytest.mark.parametrize("role", ROLES)
def test_withdraw_is_refused_on_the_server_to_all_but_archive_staff(client, witness, role):
    c = client_as(client, role)
    page = c.get(withdraw_url(witness))
    response = c.post(withdraw_url(witness), {"reason": "The witness asked us to."})
    witness.refresh_from_db()
    if role in STAFF:
        assert page.status_code == 200
        assert b"Yes, withdraw this witness" in page.content
        assert response.status_code == 302
        assert witness.consent_level == Level.WITHDRAWN
    else:
        assert page.status_code in (302, 404) and response.status_code in (302, 404)
        if page.status_code == 302:  # anonymous or no admin access: sent to sign in
            assert "/admin/login/" in page["Location"]
        assert witness.consent_level == Level.PUBLIC
        assert ConsentEntry.objects.filter(witness=witness).count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_consent_change_is_refused_on_the_server_to_all_but_archive_staff(client, witness, role):
    c = client_as(client, role)
    page = c.get(consent_url(witness))
    response = c.post(
        consent_url(witness), {"level": Level.RESEARCHERS, "reason": "Asked for less exposure."}
    )
    witness.refresh_from_db()
    if role in STAFF:
        assert page.status_code == 200 and response.status_code == 302
        assert witness.consent_level == Level.RESEARCHERS
    else:
        assert page.status_code in (302, 404) and response.status_code in (302, 404)
        assert witness.consent_level == Level.PUBLIC
        assert ConsentEntry.objects.filter(witness=witness).count() == 1


@pytest.mark.parametrize("role", ["admin_only", "archivist", "custodian", "superuser"])
def test_the_actions_are_offered_only_to_archive_staff(client, witness, role):
    c = client_as(client, role)
    listing = c.get(snippet_url("witness", "list"))
    edit = c.get(snippet_url("witness", "edit", witness.pk))
    if role in STAFF:
        for response in (listing, edit):
            assert response.status_code == 200
            assert withdraw_url(witness).encode() in response.content
            assert consent_url(witness).encode() in response.content
    else:
        for response in (listing, edit):
            assert withdraw_url(witness).encode() not in response.content


def test_withdrawal_hides_the_witness_on_the_very_next_request(client, witness):
    researcher = make_user("researcher")
    for viewer in (make_user("anonymous"), make_user("signed_in"), researcher):
        assert access.excerpts_visible_to(viewer).filter(testimony__witness=witness).count() == 2
        assert access.witnesses_visible_to(viewer).filter(pk=witness.pk).exists()
    archivist = user_for("archivist")
    sign_in(client, archivist)
    response = client.post(withdraw_url(witness), {"reason": "Phoned on 3 May to withdraw."})
    assert response.status_code == 302
    assert response["Location"] == snippet_url("witness", "edit", witness.pk)

    entry = ConsentEntry.objects.filter(witness=witness).latest("sequence")
    assert entry.level == Level.WITHDRAWN
    assert entry.note == "Phoned on 3 May to withdraw."
    assert entry.created_by == archivist and entry.by == archivist.username
    for viewer in (make_user("anonymous"), make_user("signed_in"), researcher):
        assert not access.excerpts_visible_to(viewer).filter(testimony__witness=witness).exists()
        assert not access.testimonies_visible_to(viewer).filter(witness=witness).exists()
        assert not access.witnesses_visible_to(viewer).filter(pk=witness.pk).exists()
        for excerpt in Excerpt.objects.filter(testimony__witness=witness):
            assert not access.can_view_excerpt(viewer, excerpt)
    # Archive staff still see everything: nothing is lost.
    assert access.excerpts_visible_to(archivist).filter(testimony__witness=witness).count() == 2


def test_withdrawal_needs_a_reason_and_changes_nothing_without_one(client, witness):
    sign_in(client, user_for("archivist"))
    response = client.post(withdraw_url(witness), {"reason": "   "})
    assert response.status_code == 200
    assert b"Give the reason for the withdrawal." in response.content
    witness.refresh_from_db()
    assert witness.consent_level == Level.PUBLIC
    assert ConsentEntry.objects.filter(witness=witness).count() == 1


def test_consent_change_with_an_embargo_hides_until_it_lifts(client, witness):
    sign_in(client, user_for("custodian"))
    response = client.post(
        consent_url(witness),
        {"level": Level.PUBLIC, "embargo_until": "2099-06", "reason": "Until the family is safe."},
    )
    assert response.status_code == 302
    entry = ConsentEntry.objects.filter(witness=witness).latest("sequence")
    assert (entry.level, entry.embargo_until, entry.note) == (
        Level.PUBLIC,
        "2099-06",
        "Until the family is safe.",
    )
    assert not access.excerpts_visible_to(make_user("anonymous")).filter(testimony__witness=witness)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"level": 1, "embargo_until": "next year", "reason": "x"}, b"is not a date of the form"),
        ({"level": 1, "embargo_until": "2001-02", "reason": "x"}, b"has already ended"),
        ({"level": 1, "reason": " "}, b"Give the reason for the change."),
        ({"level": 3, "reason": "x"}, b"Select a valid choice"),
        ({"level": "open", "reason": "x"}, b"Select a valid choice"),
    ],
)
def test_bad_consent_input_is_named_and_changes_nothing(client, witness, data, message):
    sign_in(client, user_for("archivist"))
    response = client.post(consent_url(witness), data)
    assert response.status_code == 200
    assert message in response.content
    assert ConsentEntry.objects.filter(witness=witness).count() == 1


def test_an_unknown_witness_answers_404(client, witness):
    sign_in(client, user_for("archivist"))
    assert client.get(reverse("curation_withdraw", args=[witness.pk + 999])).status_code == 404
