"""django-axes locks a username out from an address after five failed sign-ins, for an hour,
on the public site's sign-in and on the Wagtail admin's alike."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.utils import timezone

from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]


@pytest.fixture
def axes_on():
    with override_settings(AXES_ENABLED=True):
        yield


LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]


def attempt(client, path, username, password):
    return client.post(path, {"username": username, "password": password})


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_five_failures_lock_the_account_from_that_address_for_an_hour(client, settings, path):
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.AXES_COOLOFF_TIME == 1
    user = make_user("signed_in")
    for _ in range(4):
        response = attempt(client, path, user.username, "wrong password")
        assert response.status_code == 200  # the form again, with its error
    locked = attempt(client, path, user.username, "wrong password")
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert b"locked for an hour" in locked.content
    # Even the right password is refused while the lock lasts.
    again = attempt(client, path, user.username, "pw-for-tests")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_the_hour(client):
    user = make_user("signed_in")
    for _ in range(5):
        attempt(client, "/accounts/login/", user.username, "wrong password")
    assert attempt(client, "/accounts/login/", user.username, "pw-for-tests").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(hours=1, minutes=1))
    response = attempt(client, "/accounts/login/", user.username, "pw-for-tests")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_success_before_the_limit_resets_the_count(client):
    user = make_user("signed_in")
    for _ in range(4):
        attempt(client, "/accounts/login/", user.username, "wrong password")
    assert attempt(client, "/accounts/login/", user.username, "pw-for-tests").status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert attempt(client, "/accounts/login/", user.username, "nope").status_code == 200


def test_another_account_is_not_locked_by_someone_elses_failures(client):
    victim, other = make_user("signed_in"), make_user("signed_in")
    for _ in range(5):
        attempt(client, "/accounts/login/", victim.username, "wrong password")
    assert attempt(client, "/accounts/login/", other.username, "pw-for-tests").status_code == 302
