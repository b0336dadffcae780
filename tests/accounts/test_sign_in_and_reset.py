"""Sign in, sign out and password reset on the public site."""

import re

import pytest
from django.core import mail

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_labelled_and_signs_in(client, settings):
    assert settings.LOGIN_URL == "login"
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    body = page.content.decode()
    assert '<label for="id_username">' in body and '<label for="id_password">' in body
    assert "Forgotten your password?" in body
    user = make_user("signed_in")
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": "pw-for-tests"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert client.get("/accounts/").status_code == 200


def test_wrong_password_says_so_and_signs_nobody_in(client):
    user = make_user("signed_in")
    response = client.post("/accounts/login/", {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post(client):
    user = make_user("signed_in")
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 200 and b"You have signed out" in response.content
    assert "_auth_user_id" not in client.session


def test_the_account_page_needs_sign_in(client):
    response = client.get("/accounts/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_password_reset_by_email(client):
    user = make_user("signed_in")
    user.email = "reader@example.org"
    user.save()
    response = client.post("/accounts/password_reset/", {"email": "reader@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"]
    assert message.subject == "Reset your password for the Testimony Archive"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200 and b"Choose a new password" in form.content
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")
    # The link works once.
    assert b"This link no longer works" in client.get(link, follow=True).content


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []
