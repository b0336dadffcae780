"""Who reaches the research area: a role × action matrix. Without a current grant (archive
staff excepted) every page under /research/ answers 404, never 403 or a login redirect."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from tests.research.conftest import ALLOWED, RESEARCH_ROLES


def research_urls(rows):
    tid = rows.researcher_t.public_id
    return {
        "home": reverse("research:home"),
        "search": reverse("research:search") + "?q=zebra",
        "search (empty)": reverse("research:search"),
        "export search csv": reverse("research:search_export", args=["csv"]) + "?q=zebra",
        "export search json": reverse("research:search_export", args=["json"]) + "?q=zebra",
        "testimony": reverse("research:testimony", args=[tid]),
        "export testimony csv": reverse("research:testimony_export", args=[tid, "csv"]),
        "export testimony json": reverse("research:testimony_export", args=[tid, "json"]),
    }


@pytest.mark.parametrize("role", RESEARCH_ROLES)
def test_research_area_matrix(rows, as_role, role):
    client, _ = as_role(role)
    expected = 200 if role in ALLOWED else 404
    for name, url in research_urls(rows).items():
        response = client.get(url)
        assert response.status_code == expected, (role, name, response.status_code)
        if expected == 404:
            assert b"zebra" not in response.content


@pytest.mark.parametrize("role", RESEARCH_ROLES)
def test_unknown_research_paths_and_formats_are_404_for_everyone(rows, as_role, role):
    client, _ = as_role(role)
    for url in (
        reverse("research:testimony", args=["nosuchrecord"]),
        reverse("research:search_export", args=["xml"]) + "?q=zebra",
        reverse("research:testimony_export", args=[rows.researcher_t.public_id, "pdf"]),
    ):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("signed_in", 200),
        ("researcher", 200),
        ("researcher_expired", 200),
        ("researcher_revoked", 200),
        ("archivist", 200),
        ("custodian", 200),
        ("superuser", 200),
    ],
)
def test_the_application_form_is_the_one_page_for_signed_in_users_without_access(
    db, as_role, role, expected
):
    client, _ = as_role(role)
    response = client.get(reverse("research:apply"))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    elif role in ALLOWED:
        assert b"You already have research access" in response.content
    else:
        assert b"Terms of use (version 1)" in response.content


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_research_pages_only_answer_reads(rows, as_role, method):
    client, _ = as_role("researcher")
    response = getattr(client, method)(reverse("research:search") + "?q=zebra")
    assert response.status_code == 405
    client.logout()  # and without access, the page does not exist whatever the method
    response = getattr(client, method)(reverse("research:search") + "?q=zebra")
    assert response.status_code == 404
