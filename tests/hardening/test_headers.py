"""Security headers on a public page, the admin login, an admin page and a 404."""

import re

import pytest
from django.test import Client

from tests.factories import make_user, sign_in

pytestmark = pytest.mark.django_db

PUBLIC = "/"
ADMIN_LOGIN = "/admin/login/"
MISSING = "/no-such-page-anywhere/"


def directives(response):
    header = response.headers["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def cache_control(response):
    return {p.strip() for p in response.headers.get("Cache-Control", "").split(",") if p.strip()}


@pytest.fixture
def responses(seeded):
    client = Client()
    return {
        "public": client.get(PUBLIC),
        "admin_login": client.get(ADMIN_LOGIN),
        "not_found": client.get(MISSING),
    }


def test_expected_statuses(responses):
    assert responses["public"].status_code == 200
    assert responses["admin_login"].status_code == 200
    assert responses["not_found"].status_code == 404


@pytest.mark.parametrize("name", ["public", "admin_login", "not_found"])
def test_every_response_carries_the_security_headers(responses, name):
    response = responses[name]
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"], "scripts only from this origin"
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert response.headers["X-Frame-Options"] in ("DENY", "SAMEORIGIN")


def test_public_pages_have_no_inline_anything_and_cannot_be_framed(responses):
    csp = directives(responses["public"])
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_admin_allows_inline_styles_and_its_own_previews_but_never_inline_scripts(responses):
    csp = directives(responses["admin_login"])
    assert "'unsafe-inline'" in csp["style-src"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]


def test_admin_and_error_responses_are_never_stored(responses):
    for name in ("admin_login", "not_found"):
        directives_ = cache_control(responses[name])
        assert {"private", "no-store"} <= directives_, (name, directives_)


def test_public_pages_must_be_revalidated_by_shared_caches(responses):
    assert "no-cache" in cache_control(responses["public"]) or "no-store" in cache_control(
        responses["public"]
    )


@pytest.mark.urls("tests.hardening.urls")
def test_hidden_record_404_is_not_cacheable(seeded):
    """The 404 a hidden record answers is never kept by a cache, and looks like any 404."""
    from testimonies.models import Excerpt

    public = Excerpt.objects.get(key="e-broker-700-a-month")
    withdrawn = Excerpt.objects.filter(testimony__witness__key="demo-w-logging-worker-russia")
    assert withdrawn.exists()
    client = Client()
    assert client.get(f"/test-excerpt/{public.public_id}/").status_code == 200
    hidden = client.get(f"/test-excerpt/{withdrawn.first().public_id}/")
    absent = client.get("/test-excerpt/no-such-id/")
    for response in (hidden, absent):
        assert response.status_code == 404
        assert {"private", "no-store"} <= cache_control(response)
        assert "Content-Security-Policy" in response.headers
    assert hidden.headers["Cache-Control"] == absent.headers["Cache-Control"]


def test_signed_in_users_get_private_no_store_everywhere(seeded):
    client = Client()
    sign_in(client, make_user("signed_in"))
    response = client.get(PUBLIC)
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)


def test_admin_pages_load_under_the_policy_and_their_scripts_are_same_origin(seeded):
    client = Client()
    sign_in(client, make_user("archivist"))
    for url in ("/admin/", "/admin/snippets/testimonies/excerpt/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= cache_control(response)
        html = response.content.decode()
        srcs = re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", html)
        assert srcs, "the admin loads its scripts"
        for src in srcs:
            assert src.startswith("/"), f"{src} is not same-origin (script-src 'self')"
            assert not src.startswith("//")


EXECUTABLE_INLINE = re.compile(r"<script(?![^>]*\ssrc=)([^>]*)>(.*?)</script>", re.S)


def test_the_admins_own_inline_initialisers_carry_the_responses_nonce(seeded):
    """Wagtail's chooser and date widgets initialise with inline scripts; under the policy they
    run only because they carry this response's nonce. An injected script would not."""
    from testimonies.models import Excerpt

    client = Client()
    sign_in(client, make_user("archivist"))
    excerpt = Excerpt.objects.first()
    pages = [
        f"/admin/snippets/testimonies/excerpt/edit/{excerpt.pk}/",  # testimony chooser
        "/admin/snippets/testimonies/researchgrant/add/",  # date and date-time widgets
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        script_src = directives(response)["script-src"]
        nonces = [s for s in script_src if s.startswith("'nonce-")]
        assert len(nonces) == 1, script_src
        assert "'unsafe-inline'" not in script_src
        nonce = nonces[0][len("'nonce-") : -1]
        executable = [
            (attrs, body)
            for attrs, body in EXECUTABLE_INLINE.findall(response.content.decode())
            if 'type="application/json"' not in attrs
        ]
        assert executable, f"{url}: expected Wagtail's inline initialisers"
        for attrs, body in executable:
            assert f'nonce="{nonce}"' in attrs, f"{url}: inline script without nonce: {body[:80]}"


def test_public_pages_get_no_nonce(responses):
    assert not [s for s in directives(responses["public"])["script-src"] if "nonce" in s]
