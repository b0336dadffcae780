"""Security headers on every response.

* Content-Security-Policy (django-csp): a strict policy for the public site, with the few
  allowances the Wagtail admin needs under /admin/ (inline *styles*, its preview iframe and
  data/blob images). Scripts are never allowed inline, anywhere.
* Permissions-Policy: every powerful browser feature off; the archive uses none.
* Cache-Control: admin responses and error responses (404 for a hidden record, 403, 5xx) are
  never stored by any cache; other responses without their own Cache-Control get `no-cache`, so
  a shared cache must ask again before reusing a page (a withdrawal shows on the next request).
  Responses for signed-in users are made private by archive.middleware.

HSTS, X-Content-Type-Options, Referrer-Policy and X-Frame-Options come from Django's
SecurityMiddleware and XFrameOptionsMiddleware (settings in config/settings/base.py and
production.py).
"""

from contextvars import ContextVar

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.html import format_html
from django.utils.safestring import mark_safe

# The request being answered, so that code rendering Wagtail's own inline initialisers (which
# has no request at hand) can give them this response's CSP nonce.
_current_request = ContextVar("archive_csp_request", default=None)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
        "interest-cohort",
    )
)


def admin_prefix():
    return getattr(settings, "ARCHIVE_ADMIN_PATH_PREFIX", "/admin/")


class ArchiveCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the admin's allowances under /admin/ (ADMIN_CSP_UPDATE adds
    sources, ADMIN_CSP_REPLACE replaces a directive)."""

    def process_request(self, request):
        super().process_request(request)
        request._archive_csp_token = _current_request.set(request)

    def process_response(self, request, response):
        response = super().process_response(request, response)
        token = getattr(request, "_archive_csp_token", None)
        if token is not None:
            request._archive_csp_token = None
            try:
                _current_request.reset(token)
            except ValueError:  # answered in another context (async): nothing to undo here
                pass
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(admin_prefix()):
            update = dict(getattr(settings, "ADMIN_CSP_UPDATE", {}))
            update.update(parts.update or {})
            parts.update = update
            replace = dict(getattr(settings, "ADMIN_CSP_REPLACE", {}))
            replace.update(parts.replace or {})
            parts.replace = replace
        return parts


class SecurityHeadersMiddleware:
    """Permissions-Policy everywhere; no-store on admin and error responses; no-cache by default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.path_info.startswith(admin_prefix()) or response.status_code >= 400:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True, no_store=True)
        elif not response.has_header("Cache-Control"):
            patch_cache_control(response, no_cache=True)
        return response


def current_nonce():
    """This response's CSP nonce, or "" outside a request (the script is then blocked)."""
    request = _current_request.get()
    nonce = getattr(request, "csp_nonce", None) if request is not None else None
    try:
        return str(nonce) if nonce is not None else ""
    except Exception:  # noqa: BLE001 - after the header is written the nonce is gone
        return ""


def nonce_script(js):
    """`<script nonce=...>js</script>`: for code the admin renders itself, never user input."""
    # Wagtail's own initialiser, JSON-encoded arguments (SECURITY-NOTES.md)
    code = mark_safe(js)  # noqa: S308  # nosec B308 B703
    return format_html('<script nonce="{}">{}</script>', current_nonce(), code)


def allow_wagtail_inline_initialisers():
    """Wagtail 8's chooser widgets end with an inline `<script>new XChooser(id, {...})</script>`
    that a strict CSP blocks. Render the same script with this response's nonce instead, so the
    admin works without 'unsafe-inline'. (Date and time widgets: the project overrides their
    templates in archive/templates/wagtailadmin/widgets/.) tests/hardening/test_headers.py fails
    if a Wagtail upgrade changes this."""
    from wagtail.admin.widgets.chooser import BaseChooser

    if getattr(BaseChooser.render, "archive_csp_nonce", False):
        return

    def render(self, name, value, attrs=None, renderer=None):
        try:
            id_ = attrs["id"]
        except (KeyError, TypeError) as e:
            raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from e
        value_data = self.get_value_data(value)
        widget_html = self.render_html(name, value_data, attrs)
        js = self.render_js_init(id_, name, value_data)
        html = f"{widget_html}{nonce_script(js)}"
        # The same markup as Wagtail's own render(), plus the nonce (SECURITY-NOTES.md)
        return mark_safe(html)  # noqa: S308  # nosec B308 B703

    render.archive_csp_nonce = True
    BaseChooser.render = render
