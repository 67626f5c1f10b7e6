"""Settings for the state social order tracker: one module, configured by environment variables."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = os.environ["SECRET_KEY"]  # a production deployment must set its own key
else:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "template_partials",
    "csp",
    "bootstrap",
    "django_tasks",
    "django_tasks_db",
    "core",
    "providers",
    "tenders",
    "contracts",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.RefuseNulInQueryMiddleware",  # last: its 400 page has the user, messages and every header
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("kk", _("Kazakh")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Almaty"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded documents are private: never under STATIC or a public URL; served only through access-checked views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@gsz.example.kz")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "support@gsz.example.kz")
ADMINS = [("Administrators", SUPPORT_EMAIL)]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True  # no script reads it; the server sets it on login and on a language switch
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# No remote sources and no inline script or style anywhere: charts are server-side SVG.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

DJANGO_TABLES2_TEMPLATE = "includes/table.html"  # Bootstrap 5, responsive, with translated pagination
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_403": {"()": "core.logfilters.OneLineForbidden"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # A refused request is one line, not a traceback.
    "loggers": {"django.request": {"filters": ["one_line_403"]}},
}

# Background tasks (django-tasks): the database backend, run by `manage.py db_worker` beside the server (`make run`
# starts both). Tests use the immediate backend (tests/conftest.py); TASKS_BACKEND overrides the backend.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Domain settings (DESIGN.md). Each may be overridden by an environment variable of the same name.
GSZ = {
    # Failed logins per (username, IP) before a lockout, and how long it lasts.
    "LOGIN_FAILURE_LIMIT": int(os.environ.get("LOGIN_FAILURE_LIMIT", "5")),
    "LOGIN_LOCKOUT_MINUTES": int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")),
    # A no-criminal-record certificate allows work with children for this many months after its date.
    "CHILD_WORK_CERTIFICATE_MONTHS": int(os.environ.get("CHILD_WORK_CERTIFICATE_MONTHS", "12")),
    # Certificates lapsing within this many days are shown as lapsing soon.
    "CERTIFICATE_WARNING_DAYS": int(os.environ.get("CERTIFICATE_WARNING_DAYS", "60")),
    # An NGO-database listing is current when the last annual submission is no older than this.
    "NGO_LISTING_CURRENT_MONTHS": int(os.environ.get("NGO_LISTING_CURRENT_MONTHS", "15")),
    # Uploaded documents.
    "UPLOAD_MAX_BYTES": int(os.environ.get("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024))),
    # A report is due this many days after its period ends; reminders go this many days before.
    "REPORT_DUE_DAYS": int(os.environ.get("REPORT_DUE_DAYS", "10")),
    "REPORT_REMINDER_DAYS": int(os.environ.get("REPORT_REMINDER_DAYS", "7")),
    # Reverse proxies in front of the app servers that append to X-Forwarded-For (0: use the socket address).
    "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
    # A notification the mail system refused is tried again by `retry_unsent_mail` up to this many times in all.
    "MAIL_RETRY_LIMIT": int(os.environ.get("MAIL_RETRY_LIMIT", "20")),
    # Invitations to join an NGO expire after this many days.
    "INVITATION_DAYS": int(os.environ.get("INVITATION_DAYS", "14")),
    # Funding stability verdicts: a drop is a fall of more than this share from one year to the next; above this
    # coefficient of variation funding is volatile; a gap of this many days or more means the service was interrupted.
    "STABILITY_DROP": float(os.environ.get("STABILITY_DROP", "0.30")),
    "STABILITY_CV": float(os.environ.get("STABILITY_CV", "0.3")),
    "STABILITY_GAP_DAYS": int(os.environ.get("STABILITY_GAP_DAYS", "60")),
    # Open data (OCDS 1.1). The OCID prefix is registered with the Open Contracting Partnership; set it once, before
    # the first release is published (published ocids never change). The licence applies to every package.
    "OCDS_OCID_PREFIX": os.environ.get("OCDS_OCID_PREFIX", "ocds-gszkz0"),
    "OCDS_LICENSE_NAME": os.environ.get("OCDS_LICENSE_NAME", "CC BY 4.0"),
    "OCDS_LICENSE_URL": os.environ.get("OCDS_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"),
    "OCDS_PUBLISHER_NAME": os.environ.get("OCDS_PUBLISHER_NAME", "GSZ tracker: state social order of Kazakhstan"),
    # Releases per page of a release package or of the change feed.
    "OCDS_PAGE_SIZE": int(os.environ.get("OCDS_PAGE_SIZE", "100")),
    # Call timelines (the public procurement rules in force since 1 January 2025; core.calendar counts working days).
    # The minimum submission period, from publication (or the opening of submissions, if later) to the deadline, as
    # thresholds by date: each (first day in force, days, "working" or "calendar") applies to calls published from
    # its first day on. Calls published before 2025 kept 15 calendar days; their dates are never moved.
    "SUBMISSION_MINIMUMS": (
        (dt.date(2000, 1, 1), int(os.environ.get("SUBMISSION_MIN_CALENDAR_DAYS_BEFORE_2025", "15")), "calendar"),
        (dt.date(2025, 1, 1), int(os.environ.get("SUBMISSION_MIN_WORKING_DAYS", "5")), "working"),
    ),
    # Terms of a published call change only while at least this many working days are left before the deadline
    # (otherwise the deadline is extended first, to at least this many working days ahead).
    "AMENDMENT_MIN_WORKING_DAYS": int(os.environ.get("AMENDMENT_MIN_WORKING_DAYS", "2")),
    # The complaint standstill after a result, in working days.
    "STANDSTILL_WORKING_DAYS": int(os.environ.get("STANDSTILL_WORKING_DAYS", "5")),
    # The expert council's conclusion (the agency's rule; the threshold of 25 is the agency's own field, 15 by
    # default): a criterion whose mean score is 0 makes the conclusion negative; so does a negative conclusion on any
    # criterion.
    "COUNCIL_ANY_ZERO_NEGATIVE": os.environ.get("COUNCIL_ANY_ZERO_NEGATIVE", "1") == "1",
    "COUNCIL_NEGATIVE_CRITERION_NEGATIVE": os.environ.get("COUNCIL_NEGATIVE_CRITERION_NEGATIVE", "1") == "1",
    # Where the bulk file (every release, gzipped JSON lines) is written by `manage.py rebuild_opendata`.
    # Imports of past records: the most rows a file may hold (all sheets together), rows checked per chunk.
    "IMPORT_MAX_ROWS": int(os.environ.get("IMPORT_MAX_ROWS", "100000")),
    "IMPORT_CHUNK_ROWS": int(os.environ.get("IMPORT_CHUNK_ROWS", "1000")),
    "OPENDATA_DIR": Path(os.environ.get("OPENDATA_DIR", MEDIA_ROOT / "opendata")),
    # Analytics snapshots kept besides the first of every month (kept forever): the newest of each of the last N
    # days that have one.
    "SNAPSHOT_KEEP_DAILY": int(os.environ.get("SNAPSHOT_KEEP_DAILY", "30")),
}
