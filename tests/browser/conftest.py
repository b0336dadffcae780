"""Browser tests drive a real Chromium through Playwright, against Django's live server.

Locally, when no Chromium is installed, they skip and say why; in CI (CI=true) they must run,
so a missing browser fails instead of skipping. Screenshots go to test-artifacts/screenshots/
(or $SCREENSHOT_DIR).
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_CANDIDATES = [
    os.environ.get("CHROMIUM_PATH", ""),
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(
    os.environ.get(
        "SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    )
)


def _chromium_path():
    for candidate in CHROMIUM_CANDIDATES:
        if candidate and Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    return found


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package is not installed (make install)"
    if missing is None and executable is None:
        missing = "no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Browser tests must run in CI, but {missing}.")
        pytest.skip(f"Browser test skipped: {missing}.")
    # Playwright's sync API runs an event loop in this thread; tests still use the ORM here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, "name") writes NAME.png for CI to keep."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe_check():
    """axe_check(page) fails the test on any WCAG 2.2 A/AA violation on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(
            page,
            options={
                "runOnly": {
                    "type": "tag",
                    "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
                }
            },
        )
        violations = results.response["violations"]
        assert not violations, "\n".join(
            f"{v['id']}: {v['help']} ({len(v['nodes'])} node(s)): "
            + "; ".join(n["target"][0] if n["target"] else "" for n in v["nodes"][:3])
            for v in violations
        )

    return check


@pytest.fixture
def archive_live(live_server, transactional_db):
    """The seed collection behind a live server (tests/conftest.py's migration_data has
    restored what a flush removed)."""
    import io

    from django.core.management import call_command

    call_command("seed_archive", stdout=io.StringIO())
    return live_server


def totp_code(device):
    """The current code of a django-otp TOTP device, as an authenticator app would show it."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def staff_sign_in(page, base, username, then):
    """Sign archive staff in through the admin's login and the second factor, then open `then`."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/**")
    page.fill("#id_code", totp_code(device))
    page.click("text=Verify")
    page.wait_for_url("**/admin/**")
    page.goto(base + then)
