"""One settings module, driven by the environment.

SQLite under var/ unless DATABASE_URL is set; SECRET_KEY from the environment or a key file
generated under var/ for local runs; DEBUG only with CHUANGYOU_DEBUG=1.
"""

import secrets
from pathlib import Path

import environ
from csp.constants import NONCE, SELF

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
env = environ.Env()

VAR_DIR = Path(env.str("CHUANGYOU_VAR_DIR", default=str(PROJECT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := env.str("SECRET_KEY", default=""):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("CHUANGYOU_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies in front of the server (nginx: 1). The client's address is then taken from
# X-Forwarded-For, for the audit trail and the public objection limits; 0 trusts REMOTE_ADDR only.
PROXY_COUNT = env.int("CHUANGYOU_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_htmx",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "chuangyou.core",
    "chuangyou.audit",
    "chuangyou.orgs",
    "chuangyou.accounts",
    "chuangyou.rubrics",
    "chuangyou.campaigns",
    "chuangyou.assessments",
    "chuangyou.evaluations",
    "chuangyou.reviews",
    "chuangyou.grading",
    "chuangyou.workcalendar",
    "chuangyou.notices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "chuangyou.core.middleware.RequestContextMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
    "chuangyou.core.middleware.BadBytesMiddleware",
    "chuangyou.accounts.expiry.PasswordExpiryMiddleware",
]

ROOT_URLCONF = "chuangyou.urls"
WSGI_APPLICATION = "chuangyou.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "chuangyou.core.context_processors.navigation",
            ],
            "builtins": ["chuangyou.core.templatetags.chuangyou_tags"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'chuangyou.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Each server thread keeps its connection between requests instead of starting a PostgreSQL backend
# for every request (≈ 10 ms and a process fork each); a kept connection is checked before a
# request's first query, so one dropped by a database restart is replaced instead of failing it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CHUANGYOU_CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs: a database queue worked by `chuangyou worker` (started by `chuangyou serve`).
TASKS = {
    "default": {"BACKEND": env.str("CHUANGYOU_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}
}
# Grading runs over at most this many branches run inside the request; larger ones go to the worker.
GRADING_INLINE_MAX = env.int("CHUANGYOU_GRADING_INLINE_MAX", default=3000)
# A run still queued this long after it started is taken as dead when the next one starts.
GRADING_STALE_MINUTES = env.int("CHUANGYOU_GRADING_STALE_MINUTES", default=30)
# A running run records a heartbeat this often; one silent for GRADING_DEAD_SECONDS has lost its
# process (killed, crashed) and is stopped by the worker's check, the run page or the next start.
GRADING_HEARTBEAT_SECONDS = env.float("CHUANGYOU_GRADING_HEARTBEAT_SECONDS", default=15)
GRADING_DEAD_SECONDS = env.float("CHUANGYOU_GRADING_DEAD_SECONDS", default=60)
# Organization-tree imports of at most this many rows are written inside the request; larger files
# are checked in the request and written by the worker. An import job silent this long is taken as dead.
ORG_IMPORT_INLINE_MAX = env.int("CHUANGYOU_ORG_IMPORT_INLINE_MAX", default=5000)
ORG_IMPORT_STALE_MINUTES = env.int("CHUANGYOU_ORG_IMPORT_STALE_MINUTES", default=30)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "chuangyou.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "chuangyou.accounts.validators.CharacterKindsValidator", "OPTIONS": {"min_kinds": 3}},
    {"NAME": "chuangyou.accounts.validators.UsernameValidator"},
    {"NAME": "chuangyou.accounts.validators.HistoryValidator", "OPTIONS": {"keep": 5}},
]
# Passwords older than this many days must be changed at the next request (0: they do not expire).
PASSWORD_MAX_AGE_DAYS = env.int("CHUANGYOU_PASSWORD_MAX_AGE_DAYS", default=0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the session expires 30 minutes after the last request (up to a minute sooner).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ENGINE = "chuangyou.accounts.sessions"  # the timeout's row rewritten at most once a minute
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env.bool("CHUANGYOU_SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# Served over HTTPS (secure cookies on): browsers are told to keep to HTTPS for a year.
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SECURE_COOKIES else 0
# Features no page uses are off for every page (the camera for evidence goes through a file input).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Lockout: 5 failed logins lock the account for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
# An account by (username, address), so nobody elsewhere can keep it locked; an address across all
# usernames (password spraying) at a higher limit, as a township office shares one NAT address
# (`accounts/lockout.py`). Attempts during a lockout do not extend it.
AXES_HANDLER = "chuangyou.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
ADDRESS_FAILURE_LIMIT = 20
AXES_CLIENT_IP_CALLABLE = "chuangyou.core.middleware.client_ip"  # behind PROXY_COUNT trusted proxies
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Public code look-ups (民主测评码, 异议查询码) per client address, against guessing
# (`chuangyou/lib/throttle.py`): past either limit in the window, all look-ups are refused.
PUBLIC_LOOKUP_WINDOW_MINUTES = 15
PUBLIC_LOOKUP_FAILURE_LIMIT = 10
PUBLIC_LOOKUP_LIMIT = 300  # high: a meeting room's phones share one address

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    },
}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # `chuangyou serve` collects static files and turns the hashed manifest on; tests and
    # development read the files where they lie.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("CHUANGYOU_STATIC_MANIFEST", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

# Uploads: spreadsheets are checked again by content in chuangyou.lib.excel.
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
