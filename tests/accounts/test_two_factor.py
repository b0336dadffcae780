"""Two-factor authentication: archive staff cannot use the admin (or any page) until they have
given a TOTP code in this session; researchers may turn it on, and then it is required."""

import io
import re
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_user, sign_in

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "/admin/",
    "/admin/snippets/testimonies/excerpt/",
    "/admin/snippets/testimonies/witness/",
]


def code_for(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():06d}"


def wrong_code(device):
    valid = {code_for(device, offset) for offset in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def test_wrong_codes_are_throttled(client):
    user = make_user("archivist")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, user, two_factor=False)
    client.post("/accounts/two-factor/", {"code": wrong_code(device)})
    client.post("/accounts/two-factor/", {"code": wrong_code(device)})
    response = client.post("/accounts/two-factor/", {"code": code_for(device)})
    assert response.status_code == 200 and b"Too many wrong codes" in response.content
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("role", ["archivist", "custodian", "superuser"])
def test_staff_without_a_device_are_sent_to_set_one_up(client, role):
    sign_in(client, make_user(role), two_factor=False)
    for path in [*ADMIN_PAGES, "/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/two-factor/setup/?next=")


@pytest.mark.parametrize("role", ["archivist", "custodian", "superuser"])
def test_staff_with_a_device_give_a_code_before_the_admin(client, settings, role):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the wrong code below
    user = make_user(role)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, user, two_factor=False)
    response = client.get("/admin/snippets/testimonies/excerpt/")
    assert response.status_code == 302
    assert response["Location"] == (
        "/accounts/two-factor/?next=%2Fadmin%2Fsnippets%2Ftestimonies%2Fexcerpt%2F"
    )
    wrong = client.post("/accounts/two-factor/", {"code": wrong_code(device)})
    assert wrong.status_code == 200 and b"That code is not right" in wrong.content
    assert client.get("/admin/").status_code == 302

    response = client.post(
        "/accounts/two-factor/",
        {"code": code_for(device), "next": "/admin/snippets/testimonies/excerpt/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/snippets/testimonies/excerpt/"
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200


def test_a_code_is_accepted_once(client):
    user = make_user("archivist")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, user, two_factor=False)
    code = code_for(device)
    assert client.post("/accounts/two-factor/", {"code": code}).status_code == 302
    client.logout()
    sign_in(client, user, two_factor=False)
    replay = client.post("/accounts/two-factor/", {"code": code})
    assert replay.status_code == 200 and b"used already" in replay.content


def test_the_wagtail_admin_login_leads_to_the_code(client):
    user = make_user("archivist")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post(
        "/admin/login/", {"username": user.username, "password": "pw-for-tests", "next": "/admin/"}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")


def test_setting_up_a_device_shows_the_secret_and_confirms_with_a_code(client):
    user = make_user("custodian")
    sign_in(client, user, two_factor=False)
    page = client.get("/accounts/two-factor/setup/?next=/admin/")
    assert page.status_code == 200
    body = page.content.decode()
    uri = re.search(r'id="totp-uri">([^<]+)<', body).group(1).replace("&amp;", "&")
    secret = re.search(r'id="totp-secret">([^<]+)<', body).group(1)
    assert uri.startswith("otpauth://totp/Testimony%20Archive%3A") and f"secret={secret}" in uri
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    # Reloading keeps the same secret: the authenticator app already has it.
    assert secret in client.get("/accounts/two-factor/setup/").content.decode()

    response = client.post(
        "/accounts/two-factor/setup/", {"code": code_for(device), "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_a_password_alone_cannot_replace_a_device(client):
    user = make_user("archivist")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, user, two_factor=False)
    response = client.get("/accounts/two-factor/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")
    assert client.post("/accounts/two-factor/setup/", {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("role", ["signed_in", "researcher"])
def test_two_factor_is_optional_for_others_and_required_once_on(client, role):
    user = make_user(role)
    sign_in(client, user)
    assert client.get("/").status_code != 302 or "two-factor" not in client.get("/")["Location"]
    account = client.get("/accounts/")
    assert account.status_code == 200 and b"optional" in account.content
    client.get("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=user)
    client.post("/accounts/two-factor/setup/", {"code": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    # A new session must give the code before anything else.
    client.logout()
    sign_in(client, user, two_factor=False)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")


def test_demo_accounts_get_devices_and_demo_totp_prints_a_working_code(client, settings):
    out = io.StringIO()
    call_command("seed_archive", "--demo-accounts", stdout=out)
    text = out.getvalue()
    for username in ("archivist", "custodian", "admin"):
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        assert device.config_url in text
    assert not TOTPDevice.objects.filter(user__username__in=["visitor", "researcher", "lapsed"])
    assert "demo_totp" in text

    code = io.StringIO()
    call_command("demo_totp", "archivist", stdout=code)
    assert re.fullmatch(r"\d{6}\n", code.getvalue())
    # The same secret every time (derived for development), and the printed code works.
    before = TOTPDevice.objects.get(user__username="archivist").key
    call_command("seed_archive", "--demo-accounts", stdout=io.StringIO())
    assert TOTPDevice.objects.get(user__username="archivist").key == before
    client.post("/accounts/login/", {"username": "archivist", "password": "archivist-demo-pass"})
    response = client.post("/accounts/two-factor/", {"code": code.getvalue().strip()})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200

    settings.DEMO_ACCOUNTS_ALLOWED = False
    with pytest.raises(Exception, match="development settings"):
        call_command("demo_totp", "archivist", stdout=io.StringIO())


def test_unsafe_next_urls_are_ignored(client):
    user = make_user("archivist")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, user, two_factor=False)
    response = client.post(
        "/accounts/two-factor/", {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("account")


def test_signing_in_on_the_site_leads_staff_to_the_code(client):
    user = make_user("archivist")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": "pw-for-tests"}
    )
    assert response["Location"] == "/accounts/two-factor/?next=%2Faccounts%2F"
    other = make_user("custodian")
    response = client.post(
        "/accounts/login/",
        {"username": other.username, "password": "pw-for-tests", "next": "/admin/"},
    )
    assert response["Location"] == "/accounts/two-factor/setup/?next=%2Fadmin%2F"
    researcher = make_user("researcher")
    response = client.post(
        "/accounts/login/", {"username": researcher.username, "password": "pw-for-tests"}
    )
    assert response["Location"] == "/accounts/"
