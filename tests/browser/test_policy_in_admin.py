"""The Wagtail admin runs in a real browser under the archive's Content-Security-Policy: no
violation is reported on the login, dashboard and excerpt edit pages although the latter
initialises its testimony chooser with an inline script (it carries the response's nonce),
while an injected inline script is blocked."""

import pytest

from tests.browser.conftest import staff_sign_in

# Named to run after test_home.py: this transactional test flushes the database when it ends,
# and test_home.py relies on what migrations made. (tests/hardening's migration_data fixture
# puts that back for the tests that use it.)

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') +
    ' ' + (e.sourceFile || '') + ':' + (e.lineNumber || ''));
});
"""


@pytest.fixture
def archivist_live(live_server, transactional_db):
    import io

    from django.core.management import call_command

    from tests.factories import make_user

    call_command("seed_archive", stdout=io.StringIO())
    make_user("archivist", username="csp-archivist")
    return live_server


def violations(page):
    return page.evaluate("window.__cspViolations || []")


def test_admin_pages_run_under_the_policy_without_violations(page, archivist_live, screenshot):
    from testimonies.models import Excerpt

    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(archivist_live.url + "/admin/login/")
    assert violations(page) == []
    staff_sign_in(page, archivist_live.url, "csp-archivist", "/admin/")
    assert violations(page) == []

    excerpt = Excerpt.objects.order_by("pk").first()
    page.goto(f"{archivist_live.url}/admin/snippets/testimonies/excerpt/edit/{excerpt.pk}/")
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    html = page.content()
    assert "new SnippetChooser(" in html, "the page has Wagtail's inline chooser initialiser"
    assert violations(page) == []  # ...and it ran: a blocked one would be reported here
    screenshot(page, "admin-excerpt-edit-under-csp")

    # The collector does see a blocked inline script: an injected one (no nonce) is refused.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__injected = true;'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(500)
    assert page.evaluate("window.__injected === undefined")
    assert any("script-src" in v for v in violations(page)), violations(page)
