"""A researcher signs in, makes an API token, uses it, and revokes it, in a real browser."""

import urllib.request

import pytest


def api_status(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (live server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def researcher(transactional_db):
    # The role groups come from a migration; an earlier transactional test may have flushed
    # them, so make sure they exist.
    from django.contrib.auth.models import Group

    from testimonies.access import ROLE_GROUPS
    from tests.factories import make_user

    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)

    return make_user("researcher", username="rhea")


def test_make_use_and_revoke_a_token(page, live_server, researcher, screenshot, axe_check):
    page.goto(live_server.url + "/api/tokens/")
    page.fill("input[name=username]", "rhea")
    page.fill("input[name=password]", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_url("**/api/tokens/")
    axe_check(page)
    page.fill("#token-name", "my notebook")
    page.click("text=Make token")
    token = page.inner_text("#new-token").strip()
    assert token.startswith("ta_")
    screenshot(page, "api-tokens")
    axe_check(page)
    url = live_server.url + "/api/v1/excerpts/"
    assert api_status(url, token) == 200
    page.click("text=Revoke “my notebook”")
    assert "revoked" in page.inner_text("body")
    assert token not in page.content()
    assert api_status(url, token) == 401
