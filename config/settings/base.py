"""Settings shared by every environment. Values that differ come from the environment."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSTALLED_APPS = [
    "testimonies",
    "archive",
    "accounts",
    "curation",
    "interop",
    "research",
    "bench",
    "search_scale",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "archive.security.SecurityHeadersMiddleware",
    "archive.security.ArchiveCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "archive.middleware.PrivateCacheForSignedInMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "archive" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'archive.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(BASE_DIR / "static_collected"))
MEDIA_URL = "/media/"
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(VAR_DIR / "media"))

# The public site's sign-in; the Wagtail admin keeps its own (/admin/login/).
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "account"
LOGOUT_REDIRECT_URL = None

# Accounts (see accounts/ and the README's "Accounts and curation"): django-axes watches every
# sign-in (site and admin) and locks a username from an address out after repeated failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
if os.environ.get("AXES_IPWARE_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["AXES_IPWARE_PROXY_COUNT"])
# Two-factor (django-otp, TOTP): required for archive staff, optional for everyone else.
OTP_TOTP_ISSUER = "Testimony Archive"
# Paths a signed-in user who still owes a second factor may reach (prefixes).
TWO_FACTOR_EXEMPT_PATHS = [
    "/accounts/",
    "/admin/login/",
    "/admin/logout/",
    "/static/",
    "/media/",
    "/favicon.ico",
]

WAGTAIL_SITE_NAME = "Testimony Archive"
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
SEARCH_CONFIG = os.environ.get("SEARCH_CONFIG", "english")
WAGTAILSEARCH_BACKENDS = {
    # The admin's search: Wagtail's database backend, without its per-save refresh of title
    # norms over the whole index (search_scale.backend).
    "default": {
        "BACKEND": "search_scale.backend.DatabaseSearchBackend",
        # PostgreSQL text search configuration (ignored on SQLite). "english" stems English
        # words and keeps Korean words whole; "simple" stems nothing. After a change, run
        # `python manage.py update_index`. See the README's "Search" section.
        "SEARCH_CONFIG": SEARCH_CONFIG,
    },
    # The public search (/search/): a compact index of only what the public may see, kept
    # current by database triggers (search_scale.public_index). For OpenSearch, point this
    # entry at wagtail.search.backends.opensearch2 with AUTO_UPDATE on (README: Performance).
    "public": {
        "BACKEND": "search_scale.backend",
        "SEARCH_CONFIG": SEARCH_CONFIG,
        "AUTO_UPDATE": False,
    },
}
# Edits to excerpts go through Wagtail's moderation workflow.
WAGTAIL_WORKFLOW_ENABLED = True

# Keys that encrypt witness identities at rest: comma-separated Fernet keys, newest first.
# `python manage.py rotate_identity_key` re-encrypts every identity with the first key.
IDENTITY_KEYS = env_list("IDENTITY_KEYS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# OAI-PMH (interop/oai.py): the repository identifier in `oai:<it>:excerpt:<id>`, the contact
# Identify gives, and how many records one page of a list holds.
OAI_REPOSITORY_IDENTIFIER = os.environ.get(
    "OAI_REPOSITORY_IDENTIFIER", "testimony-archive.localhost"
)
OAI_ADMIN_EMAIL = os.environ.get("OAI_ADMIN_EMAIL", "archive@example.org")
OAI_PAGE_SIZE = int(os.environ.get("OAI_PAGE_SIZE", "100"))
# Security headers (archive/security.py). Scripts only from this origin, never inline.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Added under /admin/ only: Wagtail's admin sets inline style attributes, shows previews in a
# same-origin iframe and draws some images from data:/blob: URLs. Never inline scripts.
ADMIN_CSP_UPDATE = {
    # Wagtail's own inline widget initialisers get a per-response nonce (archive/security.py).
    "script-src": [NONCE],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["blob:"],
    "frame-src": ["'self'"],
}
# Replaced under /admin/: the admin frames its own previews.
ADMIN_CSP_REPLACE = {"frame-ancestors": ["'self'"]}
