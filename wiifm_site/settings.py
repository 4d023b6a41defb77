"""Settings for WIIFM Planner, read from environment variables.

Production is the default: DEBUG is off unless ``DEBUG=1``, a SECRET_KEY must
be given, and the HTTPS settings are on. A local plain-HTTP run without DEBUG
(a benchmark, a smoke test of gunicorn) sets ``WIIFM_ALLOW_HTTP=1``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable; unknown spellings are an error."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
# The domain of the calendar's event UIDs (``step-12@<domain>``): fixed, never
# the request's host, so that one event keeps one UID however the feed is
# reached. The first plain name of ALLOWED_HOSTS unless set.
WIIFM_CALENDAR_DOMAIN = os.environ.get("WIIFM_CALENDAR_DOMAIN") or next(
    (host for host in ALLOWED_HOSTS if host[:1] not in {".", "*", "["}), "wiifm-planner"
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_tasks_db",
    "simple_history",
    # Bottom to top: see DESIGN.md "Layers" (checked by import-linter).
    "core",
    "playbooks",
    "roles",
    "givegets",
    "ambassadors",
    "actionplan",
    "pulse",
    "comms",
    "planner",
]
if env_bool("WIIFM_BENCH", default=False):
    INSTALLED_APPS.append("bench")  # the benchmark commands, never in production

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Above sessions and CSRF: no cookie ever leaves /a/ or /p/, error pages included.
    "core.public.KeepLinkPagesPrivate",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Who made each change: history records take the request's user.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees the result of the authentication backends.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wiifm_site.urls"
WSGI_APPLICATION = "wiifm_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.undo.context",
            ],
        },
    },
]

# Database: an SQLite file beside the code unless DATABASE_URL says otherwise.
# WAL lets readers run beside a writer; IMMEDIATE transactions take the write
# lock up front, so concurrent writers wait (up to the timeout) instead of
# failing with "database is locked" half-way through.
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend whose write transactions queue for the lock instead of
    # polling for it (core/sqlite/base.py). Connections are kept between
    # requests as on PostgreSQL (CONN_MAX_AGE above): opening one per request
    # cost a fifth of a cell save's CPU time.
    DATABASES["default"]["ENGINE"] = "core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache (rendered PDFs among others): Redis when REDIS_URL is set, shared by
# every app server; otherwise files in CACHE_DIR, shared by every worker
# process on this machine, with nothing to set up.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis's own backend, answering as a miss while Redis is down
            # or hung (core.cache): pages render uncached, nothing fails.
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "wiifm",
            "TIMEOUT": 60 * 60 * 24,
            # A hung Redis costs a request at most this, once per pause of
            # core.cache.BREAKER_SECONDS.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            # FileBasedCache, culled now and then, a miss when the disk fails
            "BACKEND": "core.cache.FileCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            "TIMEOUT": 60 * 60 * 24,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# Background tasks (re-rendering a playbook's PDF after it changes): Django's
# Tasks framework with the database-backed worker of django-tasks-db, which
# works on SQLite alone and on PostgreSQL across machines. Run the worker with
# `python manage.py task_worker` (make run and make serve start one; it also
# runs again the tasks a dead worker left running: planner/worker.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A task still "running" this many seconds after it started was left by a
# worker that died: `manage.py task_worker` queues it again (planner/worker.py).
# Keep it longer than any render may take. After this many workers claimed a
# task and died, it is marked failed instead.
WIIFM_TASK_RUNNING_TIMEOUT = int(os.environ.get("WIIFM_TASK_RUNNING_TIMEOUT", "600"))
WIIFM_TASK_MAX_ATTEMPTS = int(os.environ.get("WIIFM_TASK_MAX_ATTEMPTS", "3"))

# PDFs render in a child process (planner/render_process.py), bounded: past
# WIIFM_PDF_SECONDS of CPU time (in the worker) or WIIFM_PDF_MEMORY_MB of
# address space (virtual: a demo render peaks near 300 MB of it, 80 MB
# resident) the child is stopped and the download says what to shorten. A
# render still running after WIIFM_PDF_WALL_SECONDS of wall-clock time (a
# machine too busy to give it its CPU time, a stuck child) is stopped too,
# with no verdict on the document: the next download asks for it again. A
# download renders inline only a document whose HTML is at most
# WIIFM_PDF_INLINE_BYTES (the demo's is 52 KB), within WIIFM_PDF_INLINE_SECONDS;
# a larger or slower one is left to the worker, waited for at most
# WIIFM_PDF_WAIT_SECONDS, meanwhile the last rendered copy is served.
WIIFM_PDF_SECONDS = float(os.environ.get("WIIFM_PDF_SECONDS", "60"))
WIIFM_PDF_WALL_SECONDS = float(os.environ.get("WIIFM_PDF_WALL_SECONDS", "300"))
WIIFM_PDF_INLINE_SECONDS = float(os.environ.get("WIIFM_PDF_INLINE_SECONDS", "20"))
WIIFM_PDF_MEMORY_MB = int(os.environ.get("WIIFM_PDF_MEMORY_MB", "1024"))
WIIFM_PDF_INLINE_BYTES = int(os.environ.get("WIIFM_PDF_INLINE_BYTES", "300000"))
WIIFM_PDF_WAIT_SECONDS = float(os.environ.get("WIIFM_PDF_WAIT_SECONDS", "2"))

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username+IP before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: 5 failures lock that username from that IP for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Per real client behind the load balancer (core.client), never per proxy.
AXES_CLIENT_IP_CALLABLE = "core.client.axes_client_address"

# The weekly pulse (DESIGN.md "The weekly pulse"): answers an hour per client
# address and link, counted on a salted hash in the cache only.
WIIFM_PULSE_PER_HOUR = int(os.environ.get("WIIFM_PULSE_PER_HOUR", "60"))
# Password reset mails an hour: per e-mail address asked for (whether it has
# an account or not) and per client address; counted like the pulse's.
WIIFM_RESET_PER_ADDRESS = int(os.environ.get("WIIFM_RESET_PER_ADDRESS", "3"))
WIIFM_RESET_PER_CLIENT = int(os.environ.get("WIIFM_RESET_PER_CLIENT", "10"))

# Languages: English and Danish. No prefix in the URLs: the language comes from
# the user's choice (a cookie), then from the browser.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("da", _("Danish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: printed on the console in development (DEBUG on, no EMAIL_HOST);
# otherwise SMTP, by default to the machine's own mail server on port 25.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "WIIFM Planner <noreply@localhost>")
if os.environ.get("EMAIL_HOST") or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=False),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Security headers. The Content-Security-Policy allows nothing inline: scripts
# and styles come from our own origin or carry the per-request nonce, so there
# are no style= attributes and no inline event handlers anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# With DEBUG off everything is HTTPS-only, unless WIIFM_ALLOW_HTTP=1 says this
# is a plain-HTTP run on purpose (a local smoke test or a benchmark).
HTTPS_ONLY = not DEBUG and not env_bool("WIIFM_ALLOW_HTTP", default=False)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
LANGUAGE_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
WIIFM_BEHIND_PROXY = env_bool("WIIFM_BEHIND_PROXY", default=False)
# How many proxies append to X-Forwarded-For in front of the app (core.client).
WIIFM_TRUSTED_PROXIES = int(os.environ.get("WIIFM_TRUSTED_PROXIES", "1"))
if WIIFM_BEHIND_PROXY:
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Personal links are secrets: keep their tokens out of the logs.
    "filters": {"hide_tokens": {"()": "wiifm_site.logging.HideLinkTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["hide_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint reports every rendering step at INFO: keep its warnings only
        # (where it renders in a process with these settings: the tests; the
        # render's child process has no logging set up, so warnings only too).
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# The load balancer's probe speaks plain HTTP to the app server.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CSRF_FAILURE_VIEW = "wiifm_site.views.csrf_failure"

# Uploads (core.uploads): a file is taken only by a view that says so, held in
# memory up to that view's limit (5 MB playbook, 2 MB roster, 20 MB usage), and
# refused from the request's length past it. Every other view skips files and
# refuses a multipart body longer than form data may be. Nothing is ever
# written to a temporary file, so FILE_UPLOAD_MAX_MEMORY_SIZE and
# FILE_UPLOAD_TEMP_DIR do not apply.
FILE_UPLOAD_HANDLERS = ["core.uploads.NoFiles"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # form fields, not files: Django's 2.5 MB
