"""Applying for research access, and an archivist's approval, decline and revocation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from research.models import ResearchApplication, TermsOfUse
from research.services import application_approve
from testimonies.access import has_current_grant, viewer_for
from testimonies.levels import Level
from testimonies.models import ResearchGrant
from tests.factories import make_user, sign_in

FORM = {
    "full_name": "Mina Park",
    "institution": "University of Somewhere",
    "purpose": "A study of wage confiscation among workers sent abroad.",
    "terms_version": "1",
    "accept_terms": "on",
}


def apply(client, **changes):
    return client.post(reverse("research:apply"), {**FORM, **changes})


def test_a_signed_in_user_applies_and_the_accepted_terms_version_is_kept(db, as_role):
    client, user = as_role("signed_in")
    response = apply(client)
    assert response.status_code == 302
    application = ResearchApplication.objects.get(user=user)
    assert application.status == "pending"
    assert (application.full_name, application.institution) == ("Mina Park", FORM["institution"])
    assert application.terms == TermsOfUse.objects.get(version="1")
    assert application.terms_accepted_at is not None
    page = client.get(reverse("research:apply")).content.decode()
    assert "waiting for an archivist" in page
    assert not viewer_for(user).is_researcher  # applying grants nothing


def test_applying_without_accepting_the_terms_is_refused(db, as_role):
    client, user = as_role("signed_in")
    form = dict(FORM)
    del form["accept_terms"]
    response = client.post(reverse("research:apply"), form)
    assert response.status_code == 400
    assert b"You must accept the terms of use" in response.content
    assert not ResearchApplication.objects.exists()


@pytest.mark.parametrize("field", ["full_name", "institution", "purpose"])
def test_every_answer_is_required(db, as_role, field):
    client, _ = as_role("signed_in")
    response = apply(client, **{field: ""})
    assert response.status_code == 400
    assert not ResearchApplication.objects.exists()


def test_terms_that_changed_while_applying_must_be_accepted_again(db, as_role):
    client, _ = as_role("signed_in")
    TermsOfUse.objects.create(
        version="2", text="New terms.", published_at=timezone.now() + dt.timedelta(seconds=1)
    )
    TermsOfUse.objects.filter(version="2").update(published_at=timezone.now())
    response = apply(client)  # accepted version 1
    assert response.status_code == 400
    assert b"terms of use changed" in response.content
    assert not ResearchApplication.objects.exists()
    assert apply(client, terms_version="2").status_code == 302
    assert ResearchApplication.objects.get().terms.version == "2"


def test_one_pending_application_at_a_time(db, as_role):
    client, user = as_role("signed_in")
    apply(client)
    apply(client)
    assert ResearchApplication.objects.filter(user=user).count() == 1


def test_terms_versions_are_never_changed_or_deleted(db):
    terms = TermsOfUse.current()
    terms.text = "Rewritten."
    with pytest.raises(ValidationError):
        terms.save()
    with pytest.raises(ValidationError):
        terms.delete()


def approve_url(application):
    return reverse("research_approve", args=[application.pk])


@pytest.fixture
def application(db, as_role):
    client, user = as_role("signed_in")
    apply(client)
    client.logout()
    return ResearchApplication.objects.get(user=user)


def test_archivist_approves_in_the_admin_and_the_grant_is_current(application, as_role):
    client, archivist = as_role("archivist")
    listing = client.get(reverse("wagtailsnippets_research_researchapplication:list"))
    assert approve_url(application) in listing.content.decode()
    until = timezone.localdate() + dt.timedelta(days=90)
    response = client.post(approve_url(application), {"expires_on": until.isoformat()})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_by == archivist
    grant = application.grant
    assert grant.expires_on == until and grant.granted_by == archivist
    assert application.user.groups.filter(name="Researchers").exists()
    assert has_current_grant(application.user)
    assert viewer_for(application.user).rank == Level.RESEARCHERS
    # A decided application cannot be decided again.
    response = client.post(approve_url(application), {"expires_on": until.isoformat()})
    assert response.status_code == 400
    assert ResearchGrant.objects.filter(user=application.user).count() == 1


def test_approval_needs_a_date_that_has_not_passed(application, as_role):
    client, _ = as_role("archivist")
    for value in ("", "not-a-date", (timezone.localdate() - dt.timedelta(days=1)).isoformat()):
        response = client.post(approve_url(application), {"expires_on": value})
        assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == "pending"
    assert not ResearchGrant.objects.exists()


def test_archivist_declines_with_a_reason(application, as_role):
    client, _ = as_role("archivist")
    url = reverse("research_decline", args=[application.pk])
    assert client.post(url, {"note": ""}).status_code == 400
    assert client.post(url, {"note": "Purpose outside the archive's scope."}).status_code == 302
    application.refresh_from_db()
    assert application.status == "declined" and application.grant is None
    assert not viewer_for(application.user).is_researcher


@pytest.mark.parametrize("role", ["signed_in", "researcher"])
def test_only_archive_staff_decide(application, as_role, role):
    client, _ = as_role(role)
    until = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    for url in (approve_url(application), reverse("research_decline", args=[application.pk])):
        response = client.post(url, {"expires_on": until, "note": "x"})
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"]
    application.refresh_from_db()
    assert application.status == "pending"


def test_revocation_in_the_admin_takes_effect_on_the_next_request(application, as_role, client):
    staff_user = make_user("archivist")
    application = application_approve(
        application=application,
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        by=staff_user,
    )
    sign_in(client, application.user)
    assert client.get(reverse("research:home")).status_code == 200
    sign_in(client, staff_user)
    listing = client.get(reverse("wagtailsnippets_research_researchapplication:list"))
    revoke_url = reverse("research_revoke", args=[application.grant_id])
    assert revoke_url in listing.content.decode()
    assert client.post(revoke_url).status_code == 302
    sign_in(client, application.user)
    assert client.get(reverse("research:home")).status_code == 404
    application.grant.refresh_from_db()
    assert application.grant.revoked_at is not None
    assert not application.user.groups.filter(name="Researchers").exists()


def test_revoking_one_grant_while_the_user_stays_in_the_group_ends_access(db, client):
    user = make_user("researcher")
    sign_in(client, user)
    assert client.get(reverse("research:home")).status_code == 200
    ResearchGrant.objects.filter(user=user).update(revoked_at=timezone.now())
    assert user.groups.filter(name="Researchers").exists()
    assert client.get(reverse("research:home")).status_code == 404


def test_grant_listing_offers_revoke(db, as_role):
    researcher = make_user("researcher")
    grant = ResearchGrant.objects.get(user=researcher)
    client, _ = as_role("archivist")
    page = client.get(reverse("wagtailsnippets_testimonies_researchgrant:list")).content.decode()
    assert reverse("research_revoke", args=[grant.pk]) in page


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("signed_in", 302),
        ("researcher", 302),
        ("archivist", 200),
        ("custodian", 200),
        ("superuser", 200),
    ],
)
def test_who_reaches_the_applications_in_the_admin(application, as_role, role, expected):
    client, _ = as_role(role)
    response = client.get(reverse("wagtailsnippets_research_researchapplication:list"))
    assert response.status_code == expected
    if expected == 302:
        assert "/admin/login/" in response["Location"]
        assert b"Mina Park" not in response.content
    else:
        assert b"Mina Park" in response.content


def test_applications_and_terms_are_never_edited_in_the_admin(application, as_role):
    client, _ = as_role("superuser")
    terms = TermsOfUse.current()
    for url in (
        reverse("wagtailsnippets_research_researchapplication:edit", args=[application.pk]),
        reverse("wagtailsnippets_research_researchapplication:delete", args=[application.pk]),
        reverse("wagtailsnippets_research_termsofuse:edit", args=[terms.pk]),
        reverse("wagtailsnippets_research_termsofuse:delete", args=[terms.pk]),
    ):
        client.post(url, {"full_name": "Changed", "text": "Changed"})
    application.refresh_from_db()
    assert application.full_name == "Mina Park"
    assert TermsOfUse.current().text == terms.text


def test_archivists_publish_a_new_terms_version_in_the_admin(db, as_role):
    client, _ = as_role("archivist")
    response = client.post(
        reverse("wagtailsnippets_research_termsofuse:add"),
        {"version": "2", "text": "Second version.", "published_at": "2020-01-01 00:00:00"},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert TermsOfUse.objects.filter(version="2").exists()
