"""An archivist signs in with a TOTP code and withdraws a witness through the admin action."""

import io
import time

import pytest


@pytest.fixture
def seeded_live(live_server, transactional_db):
    from django.core.management import call_command

    call_command("seed_archive", stdout=io.StringIO())
    return live_server


def current_code(device):
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_archivist_withdraws_a_witness_with_a_reason(page, seeded_live, screenshot):
    from django.contrib.auth.models import AnonymousUser
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from testimonies import access
    from testimonies.levels import Level
    from testimonies.models import ConsentEntry, Excerpt
    from tests.factories import make_user

    archivist = make_user("archivist", username="browser-archivist")
    device = TOTPDevice.objects.create(user=archivist, name="phone", confirmed=True)
    excerpt = Excerpt.objects.get(key="e-kim-ji-min-program-off")
    witness = excerpt.testimony.witness
    assert access.excerpts_visible_to(AnonymousUser()).filter(pk=excerpt.pk).exists()

    page.goto(seeded_live.url + "/admin/login/")
    page.fill("#id_username", "browser-archivist")
    page.fill("#id_password", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/**")
    page.fill("#id_code", current_code(device))
    page.click("text=Verify")
    page.wait_for_url("**/admin/")

    page.goto(f"{seeded_live.url}/admin/snippets/testimonies/witness/edit/{witness.pk}/")
    page.get_by_role("button", name="Actions").or_(
        page.get_by_label("Actions", exact=False)
    ).first.click()
    page.get_by_role("link", name="Withdraw").click()
    page.wait_for_url(f"**/admin/curation/witness/{witness.pk}/withdraw/")
    assert "Withdraw" in page.inner_text("main")
    page.fill("#id_reason", "The witness asked by phone on 3 May to withdraw.")
    screenshot(page, "curation-withdraw-confirm")
    page.click("text=Yes, withdraw this witness")
    page.wait_for_url(f"**/admin/snippets/testimonies/witness/edit/{witness.pk}/")
    assert "is withdrawn" in page.inner_text("body")
    screenshot(page, "curation-withdrawn")

    entry = ConsentEntry.objects.filter(witness=witness).latest("sequence")
    assert entry.level == Level.WITHDRAWN and entry.created_by == archivist
    assert entry.note == "The witness asked by phone on 3 May to withdraw."
    assert not access.excerpts_visible_to(AnonymousUser()).filter(pk=excerpt.pk).exists()

    # On the very next request, the witness's public excerpt page answers 404 to a visitor.
    visitor = page.context.browser.new_context()
    try:
        response = visitor.new_page().goto(seeded_live.url + excerpt.get_absolute_url())
        assert response.status == 404
    finally:
        visitor.close()


def test_sign_in_and_two_factor_pages_are_accessible(
    page, live_server, transactional_db, axe_check
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import make_user

    user = make_user("custodian", username="browser-custodian")
    page.goto(live_server.url + "/accounts/login/")
    axe_check(page)
    page.fill("#id_username", "browser-custodian")
    page.fill("#id_password", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/setup/**")
    axe_check(page)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert device.config_url in page.inner_text("#totp-uri")
    page.fill("#id_code", current_code(device))
    page.click("text=Turn on two-factor authentication")
    page.wait_for_url("**/accounts/")
    axe_check(page)
    device.refresh_from_db()
    assert device.confirmed
