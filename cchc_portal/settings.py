"""Settings for the CCHC portal.

Every value comes from an environment variable listed in ``.env.example``.
Without any variable the portal runs on an embedded default: SQLite and a
Celery broker on the file system, so a fresh machine needs only Python.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-insecure-cchc-portal-key-change-me"  # noqa: S105 - refused when DEBUG is off


def env(name: str, default: str = "") -> str:
    """Return a setting from the environment, or from the file named by NAME_FILE (secrets).

    An empty value counts as unset, so an env file may list a variable without a value (docker compose passes it
    through as "") and still get the default.
    """
    path = os.getenv(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.getenv(name) or default


def env_bool(name: str, default: str = "False") -> bool:
    value = env(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name}: expected True or False, got {value!r}")
    return value == "True"


def env_int(name: str, default: int) -> int:
    value = env(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected an integer, got {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", "True")
SECRET_KEY = env("SECRET_KEY", DEFAULT_SECRET_KEY)
if not DEBUG and SECRET_KEY in ("", DEFAULT_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be set to a secret value when DEBUG is False.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", "False")  # bench/ scripts only: mounts a bare baseline view
DEMO_MODE = env_bool("DEMO_MODE", "True" if DEBUG else "False")

INSTALLED_APPS = [
    "cchc_portal.admin_site.PortalAdminConfig",  # django.contrib.admin with the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "simple_history",
    "django_celery_beat",
    "axes",
    "csp",
    "cchc_portal",
    "agencies",
    "plans",
    "tasks",
    "indicators",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages compressed in the app (issue 16: a dashboard of 1.39 MB went out raw without nginx); Django's GZip
    # pads each response with random bytes against BREACH. WhiteNoise serves static files precompressed.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cchc_portal.security.RequestSizeMiddleware",  # before anything reads the body
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cchc_portal.language.ChosenLanguageMiddleware",  # the menu's choice, never Accept-Language
    "django.middleware.common.CommonMiddleware",
    "cchc_portal.security.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cchc_portal.security.SessionTimeoutMiddleware",
    "cchc_portal.security.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "cchc_portal.urls"
WSGI_APPLICATION = "cchc_portal.wsgi.application"

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
                "cchc_portal.notifications.context.unread",
                "cchc_portal.menu.current_entry",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL (or any dj-database-url URL) from DATABASE_URL.
DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite, the file broker and uploads live here by default
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process, the worker and beat share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "agencies.User"
# django-axes first: it refuses a locked-out login before the password is even checked.
# agencies.backends: the accounts of an agency that has ended can no longer sign in or act (issue 12). The test
# suite's 2024 world (demo users in Phú Yên, merged away since) turns it off; its own tests turn it on.
DISSOLVED_ACCOUNTS_LOCKED = env_bool("DISSOLVED_ACCOUNTS_LOCKED", "True")
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "agencies.backends.PortalBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_AGE_HOURS after sign-in in any case
# (cchc_portal.security). A password-reset link works once, for PASSWORD_RESET_TIMEOUT seconds.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = env_int("SESSION_MAX_AGE_HOURS", 10) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 2 * 3600)
if env_bool("FAST_PASSWORD_HASHER", "False"):  # tests only: MD5 keeps the suite fast
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Locale: Vietnamese first, English available; dd/mm/yyyy everywhere.
LANGUAGE_CODE = env("LANGUAGE_CODE", "vi")
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["cchc_portal.formats"]
TIME_ZONE = env("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files. Evidence lives in MEDIA_ROOT, outside the static files,
# and is served only through a view that checks permissions.
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly; see tasks.views.evidence_download
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Django refuses a request body above this (413), whatever is in front of it: the largest upload and its form.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", max(UPLOAD_MAX_BYTES, IMPORT_MAX_BYTES) + 2 * 1024 * 1024)
# Uploaded files and their folders are readable by the portal's user and group only, never by everyone.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# --- E-mail: console in development, SMTP from the environment in production.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", "False")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Cổng CCHC <cchc@localhost>")

# --- Celery: Redis when REDIS_URL is set, otherwise a broker on the file system (no server).
REDIS_URL = env("REDIS_URL")
CELERY_TIMEZONE = TIME_ZONE  # django-celery-beat crontabs would otherwise run in UTC (7 h off)
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", "False")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _broker_dir = DATA_DIR / "broker"
    for _folder in (
        "queue",
        "processed",
    ):  # kombu's file-system transport does not create them; the worker dies without
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # else kombu writes ./control in the working directory
        "store_processed": False,
    }

# --- Reminders (issue 5 reads these). The sweep runs daily at 07:00 (a django-celery-beat crontab created
# by cchc_portal/migrations/0002, editable in the admin).
REMINDER_DAYS_BEFORE = [int(d) for d in env_list("REMINDER_DAYS_BEFORE", "7,3,1")]
ESCALATE_AFTER_DAYS = env_int("ESCALATE_AFTER_DAYS", 14)
# Cooperating agencies get only these of the reminders before the due date (lead agencies get all).
REMINDER_COOPERATING_DAYS_BEFORE = [int(d) for d in env_list("REMINDER_COOPERATING_DAYS_BEFORE", "3")]
REPORT_REMINDER_DAYS_BEFORE = [int(d) for d in env_list("REPORT_REMINDER_DAYS_BEFORE", "7,1")]
REMINDER_DIGEST_WEEKDAY = 0  # Monday
REMINDER_DIGEST_HORIZON_DAYS = 14
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5)
# Backoff 60 s x 2^n, capped below the broker's visibility_timeout (3600 s) so a waiting retry is never redelivered.
REMINDER_RETRY_BASE_SECONDS = env_int("REMINDER_RETRY_BASE_SECONDS", 60)
REMINDER_RETRY_MAX_SECONDS = min(env_int("REMINDER_RETRY_MAX_SECONDS", 1800), 3000)
REMINDER_STUCK_MINUTES = env_int("REMINDER_STUCK_MINUTES", 60)
REMINDER_LEASE_SECONDS = 600  # a send job holds its row this long; SMTP gives up after EMAIL_TIMEOUT
REMINDER_FANOUT_CHUNK = 500  # above this many claimed reminders the sweep queues them through fan-out jobs

# --- Security. With DEBUG=False every default is the production one (HTTPS only, HSTS for a year), so
# `manage.py check --deploy` passes with nothing more than a SECRET_KEY; development and the tests keep plain http.
# Each value can still be set in the environment.
_PRODUCTION = "False" if DEBUG else "True"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", "False")
if not SECURE_HSTS_PRELOAD:
    # Only the owner of a whole registrable domain can put it on the browsers' preload list; a portal on a
    # subdomain such as cchc.<tỉnh>.gov.vn cannot, so the warning that asks for it is noise.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Permissions-Policy (django-permissions-policy): the portal uses no camera, microphone, location, payment…
PERMISSIONS_POLICY = {
    feature: []
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
        "usb",
        "xr-spatial-tracking",
    )
}
# Behind a reverse proxy (nginx) that terminates TLS, sets X-Forwarded-Proto and appends the client's address to
# X-Forwarded-For. PROXY_COUNT is the number of such proxies in front of gunicorn.
BEHIND_PROXY = env_bool("BEHIND_PROXY", "False")
PROXY_COUNT = env_int("PROXY_COUNT", 1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp): scripts and styles only from our own static files, never inline, so an
# injected <script> or onclick= does not run. Templates put behaviour in static/js and looks in static/css.
# The one exception: django-import-export's admin export page has an inline onchange handler (its "select all"
# box); 'unsafe-hashes' with that handler's exact hash allows that attribute and nothing else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_HASHES, "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    }
}

# Login throttling (django-axes): after 5 wrong passwords a username is locked for 15 minutes, but only from the
# address that tried, so a whole office behind one public address is never locked out by one person's typos.
AXES_ENABLED = env_bool("AXES_ENABLED", "True")
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)  # templates/axes/lockout.html says "15 phút"
# …and an address that tries many user names is locked after AXES_IP_FAILURE_LIMIT failures (cchc_portal.security).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 30)
AXES_HANDLER = "cchc_portal.security.OfficeFriendlyAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_COOLOFF_MESSAGE = _("Tài khoản tạm thời bị khoá vì nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau 15 phút.")
if BEHIND_PROXY:
    # The client's address is the entry of X-Forwarded-For that our own proxies appended: django-ipware counts the
    # proxies listed in that header after the client (the nearest proxy is only the connection's address), and
    # without strict checking a forged entry a client put at the left is skipped rather than trusted.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
    IPWARE_STRICT = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Importing and exporting flat tables are permissions of their own (app.import_model / app.export_model).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
from import_export.formats.base_formats import CSV, XLSX  # noqa: E402 - format classes, no Django needed

IMPORT_FORMATS = [XLSX, CSV]
EXPORT_FORMATS = [XLSX, CSV]
