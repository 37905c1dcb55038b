"""Settings for Avhysning, read from the environment.

Every value has a safe development default so that `make run` works on a fresh
clone (SQLite and an embedded Celery broker under var/). In production set
DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL
(see README.md, "Configuration").
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# Required in production: a missing key there is a configuration error, not a default.
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "drf_spectacular",
    "django_celery_beat",
    "axes",
    "organisation",
    "cases",
    "bosam",
    "imports",
    # The landlords' channel (issue 14 §2): /hyresvard/, the queue "Inkomna underrättelser", /api/v1/submissions/.
    "submissions",
    "followup",
    # On top of every app (generate_data, seed_demo, rundemo); nothing imports it.
    "devdata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The idle limit below: the session saved again at most once a minute, not on every request (issue 16).
    "avhysning.middleware.SessionIdleRefreshMiddleware",
    "avhysning.middleware.SwedishFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a login unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A landlord's account (role hyresvard) reaches its own area and nothing else (issue 14 §2).
    "submissions.middleware.LandlordAreaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "avhysning.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so that it sees the user a DRF token authenticated too: nothing with case data is cached.
    "avhysning.middleware.NoStoreForAuthenticatedMiddleware",
]

ROOT_URLCONF = "avhysning.urls"
WSGI_APPLICATION = "avhysning.wsgi.application"

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
                "organisation.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'avhysning.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A kept connection that PostgreSQL dropped (restart, failover, idle reaping) is replaced at the start of the
        # next request instead of failing it with a 500.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs web, worker and beat on one SQLite file: wait for locks instead of failing.
    # WAL lets pages read while the worker holds a long write (an import's one transaction), so its progress bar moves.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisation.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that refuses the demo user names while DEMO_USERS_ENABLED is off (production).
    "organisation.auth.DemoRefusingBackend",
]
# Argon2id first (issue 16), tuned to < 100 ms of CPU per login (accounts/hashers.py); the others only to check
# older hashes, which are re-hashed with Argon2 at the next login.
PASSWORD_HASHERS = [
    "accounts.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The same client address as the audit log (the trusted proxy's header, see TRUSTED_PROXIES below).
AXES_CLIENT_IP_CALLABLE = "organisation.client_ip.client_address"

# Sessions end after 30 minutes without activity (OSL: unattended screens): the session's expiry is renewed by
# avhysning.middleware.SessionIdleRefreshMiddleware when it was last renewed more than a minute ago (so a session ends
# 29–30 minutes after the last request), instead of a session write on every request (issue 16).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Our own page for a refused form (an expired session, a form opened in another tab), with a way back.
CSRF_FAILURE_VIEW = "avhysning.views.csrf_failure"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client's address behind the reverse proxy (audit log, login throttling): TRUSTED_PROXY_HEADER is read
# only when the request comes from one of TRUSTED_PROXIES (addresses or networks), and then from the right,
# skipping trusted hops, so that a client cannot choose its address by sending the header itself.
# Empty (the default): REMOTE_ADDR, the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER", "X-Forwarded-For")

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("Engelska"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    # Uploaded scans are secret: they are served only through access-checked views, never MEDIA_URL.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The first handler stops storing an upload past the attachment limit (cases/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "cases.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "avhysning@localhost")
# Where the app is reached from outside, for the links in e-mails (an e-mail has no host to be relative to).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Celery. Default: kombu's filesystem transport under var/ (no server needed);
# production: CELERY_BROKER_URL=redis://…
# A request that hands work to the worker after its commit (avhysning.celery.queue_without_waiting) tries a Redis
# that is down once and goes on, instead of kombu's seconds of reconnecting (issue 16). The worker and beat keep
# reconnecting on their own (broker_connection_retry, broker_connection_max_retries).
BROKER_DOWN_FAILS_AT_ONCE = {"max_retries": 0}
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
_celery_queue_dir = VAR_DIR / "celery" / "queue"
_celery_results_dir = VAR_DIR / "celery" / "results"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in (_celery_queue_dir, _celery_results_dir, VAR_DIR / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_queue_dir),
        "data_folder_out": str(_celery_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", f"file://{_celery_results_dir}")
else:
    CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = BROKER_DOWN_FAILS_AT_ONCE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_RESULT_EXPIRES = 3600
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Every periodic job, in one place. The tasks are small and idempotent: each calls one service.
CELERY_BEAT_SCHEDULE = {
    "run-daily-checks": {"task": "cases.tasks.run_daily_checks_task", "schedule": crontab(hour=6, minute=0)},
    "plan-bosam-meetings": {"task": "bosam.tasks.plan_meetings_task", "schedule": crontab(hour=5, minute=30)},
    "prepare-bosam-agendas": {"task": "bosam.tasks.prepare_agendas_task", "schedule": crontab(hour=6, minute=30)},
    # Runs daily; acts only on the first working day of a month (last month's report for the steering group).
    "prepare-monthly-report": {"task": "followup.tasks.prepare_monthly_report_task", "schedule": crontab(hour=7, minute=0)},
    "aggregate-statistics": {"task": "followup.tasks.aggregate_days_task", "schedule": crontab(hour=2, minute=30)},
}
# `make run` sets this so that the demo shows beat at work within a minute instead of next morning.
if env_int("CELERY_BEAT_EVERY_SECONDS", 0):
    for _entry in CELERY_BEAT_SCHEDULE.values():
        _entry["schedule"] = float(env_int("CELERY_BEAT_EVERY_SECONDS", 0))
DJANGO_CELERY_BEAT_TZ_AWARE = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous caller gets 401 with WWW-Authenticate: Token.
        "organisation.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
# POST/GET /api/v1/submissions/ per token (or signed-in user): a landlord's integration, not a load test (issue 14 §2).
# Counted in Django's cache (per process with the default local-memory cache).
SUBMISSIONS_API_RATE = env_str("SUBMISSIONS_API_RATE", "60/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Avhysning API",
    "DESCRIPTION": "Underrättelser, ärenden och BOSAM-möten. Koderna följer codes.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema is for integrators with an account; nothing is open without a login.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Several models have a "status" or "role" field; name each enum after its codes (codes.md) so the schema is stable.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.CaseStatus",
        "TaskStatusEnum": "cases.models.TaskStatus",
        "AssignmentRoleEnum": "cases.models.AssignmentRole",
        "MemberRoleEnum": "cases.models.MemberRole",
        "MeetingStatusEnum": "bosam.models.MeetingStatus",
        "TaskKindEnum": "cases.models.TaskKind",
        "DeviationKindEnum": "cases.models.DeviationKind",
        "SubmissionStatusEnum": "submissions.models.SubmissionStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# The demo users (password "demo") exist only while DEBUG is on.
DEMO_USERS_ENABLED = DEBUG

# --- Sign-in: single sign-on (OpenID Connect), two-factor, break-glass (issue 15) -----------------
# Read at request time by accounts/ (not copied into module constants), so tests can switch it.
INSTALLED_APPS += [
    "health_check", "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static", "django_otp_webauthn",
    "accounts", "monitoring",
]
# The OTP middleware must come right after authentication; ours then enforces the second factor.
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, "django_otp.middleware.OTPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1, "accounts.middleware.SecondFactorMiddleware")
# Local passwords go through accounts' backend, which refuses them while SSO is on (except break-glass).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # organisation.auth.DemoRefusingBackend, also refusing local passwords while SSO is on (except break-glass).
    "accounts.backends.LocalPasswordBackend",
    "accounts.oidc.OIDCBackend",
]


def env_or(name: str, default: str) -> str:
    """Like env_str, but an empty value (compose passes unset variables as "") means the default."""
    return os.environ.get(name) or default


OIDC_ISSUER = env_str("OIDC_ISSUER").rstrip("/")
OIDC_ENABLED = env_bool("OIDC_ENABLED", bool(OIDC_ISSUER))
if OIDC_ENABLED and not OIDC_ISSUER:
    raise ImproperlyConfigured("OIDC_ENABLED needs OIDC_ISSUER.")
OIDC_PROVIDER_NAME = env_or("OIDC_PROVIDER_NAME", "stadens inloggning")
# mozilla-django-oidc's own setting names; the endpoints come from the issuer's discovery document.
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
if OIDC_ENABLED and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set when OIDC_ISSUER is.")
OIDC_RP_SCOPES = env_or("OIDC_SCOPES", "openid profile email")
OIDC_RP_SIGN_ALGO = env_or("OIDC_SIGN_ALGO", "RS256")
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_STORE_ID_TOKEN = True  # needed as id_token_hint when logging out at the provider
OIDC_DISCOVERY_CACHE_SECONDS = env_int("OIDC_DISCOVERY_CACHE_SECONDS", 3600)
# Claim names differ between identity providers (Azure AD, Keycloak, the city's own).
OIDC_CLAIM_SUBJECT = env_or("OIDC_CLAIM_SUBJECT", "sub")  # a stable id (sub, employeeNumber), never e-mail
OIDC_CLAIM_ORGANISATION = env_or("OIDC_CLAIM_ORGANISATION", "organisation")
OIDC_CLAIM_UNIT = env_or("OIDC_CLAIM_UNIT", "unit")
OIDC_CLAIM_GROUPS = env_or("OIDC_CLAIM_GROUPS", "groups")
# Create accounts on first sign-in, or only let in accounts an administrator has created (matched by subject).
OIDC_CREATE_USER = env_bool("OIDC_CREATE_USERS", False)
# With SSO on, local passwords work only for these break-glass administrator accounts (unless allowed for all).
SSO_BREAK_GLASS_USERS = env_list("SSO_BREAK_GLASS_USERS")
SSO_LOCAL_PASSWORDS = env_bool("SSO_LOCAL_PASSWORDS", False)
OIDC_AUTHENTICATE_CLASS = "accounts.oidc.AuthenticateView"
OIDC_CALLBACK_CLASS = "accounts.oidc.CallbackView"

# Two-factor (TOTP, backup codes) for local accounts that can read cases; off under DEBUG (the demo).
OTP_REQUIRED = env_bool("OTP_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = "Avhysning"
# Passkeys (WebAuthn, django-otp-webauthn) beside TOTP: a second factor only, never instead of the password.
# The relying party id is the host name the keys are bound to (changing it later invalidates every key); empty:
# the host of the request (one of ALLOWED_HOSTS). The origins the browser's signed data may name; empty: the
# request's own scheme and host (again one of ALLOWED_HOSTS). Sign counts, challenges and origin/rp checks are
# the library's (py_webauthn).
WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID")
WEBAUTHN_RP_NAME = env_or("WEBAUTHN_RP_NAME", "Avhysning")
WEBAUTHN_ORIGINS = env_list("WEBAUTHN_ORIGINS")
OTP_WEBAUTHN_HELPER_CLASS = "accounts.passkeys.PasskeyHelper"
OTP_WEBAUTHN_RP_ID_CALLABLE = "accounts.passkeys.relying_party_id"
OTP_WEBAUTHN_RP_NAME = WEBAUTHN_RP_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = WEBAUTHN_ORIGINS
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
if not WEBAUTHN_ORIGINS:
    # "No allowed origins configured": our helper then takes the request's own origin (see accounts/passkeys.py).
    SILENCED_SYSTEM_CHECKS = ["otp_webauthn.E030"]

# Health (/health/): the worker heartbeat written by beat every minute must be fresher than this.
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env_int("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", 300)
CELERY_BEAT_SCHEDULE["worker-heartbeat"] = {"task": "monitoring.tasks.heartbeat_task", "schedule": 60.0}
# A load balancer or compose probes over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# Statistics "för publicering" (and always at city level): counts from 1 to this minus one are suppressed.
STATISTICS_SUPPRESSION_THRESHOLD = env_int("STATISTICS_SUPPRESSION_THRESHOLD", 5)
# The nightly aggregation rewrites this many past days (late registrations still land on their day); older days freeze.
STATISTICS_AGGREGATE_REFRESH_DAYS = env_int("STATISTICS_AGGREGATE_REFRESH_DAYS", 7)

# Emergency access (break the glass, issue 15 §4): how long a granted access to one case lasts.
EMERGENCY_ACCESS_HOURS = env_int("EMERGENCY_ACCESS_HOURS", 4)
# Retention (gallring, issue 15 §6; SoL 12 kap., OSL): a closed case is deleted in the calendar year after its last
# entry became older than RETENTION_YEARS. Cases of a person born on one of RETENTION_RESEARCH_DAYS are kept (the
# research exception; comma-separated days of the month, empty for none). The nightly task deletes only with
# RETENTION_EXECUTE on; otherwise it is a dry run like `manage.py run_retention` without --execute.
RETENTION_YEARS = env_int("RETENTION_YEARS", 5)
RETENTION_RESEARCH_DAYS = tuple(int(d) for d in env_str("RETENTION_RESEARCH_DAYS", "5,15,25").split(",") if d.strip())
RETENTION_EXECUTE = env_bool("RETENTION_EXECUTE", False)
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 100)
# The audit log's own retention period (its rows of deleted cases are kept, severed, until then).
AUDIT_RETENTION_YEARS = env_int("AUDIT_RETENTION_YEARS", 10)
# The rows of an import that never became a case (errors, skipped duplicates) and imports that registered nothing
# (failed, an abandoned preview) are deleted this many days after the import; the rest go with their cases.
IMPORT_RETENTION_DAYS = env_int("IMPORT_RETENTION_DAYS", 90)
# A landlord's rejected submission (it never became a case) is deleted this many days after it was received.
SUBMISSION_RETENTION_DAYS = env_int("SUBMISSION_RETENTION_DAYS", 90)
CELERY_BEAT_SCHEDULE["run-retention"] = {"task": "cases.tasks.run_retention_task", "schedule": crontab(hour=3, minute=30)}
# Notifications (issue 15 §5): tasks due tomorrow and the daily e-mail digest, each morning.
CELERY_BEAT_SCHEDULE["notifications-morning"] = {"task": "cases.tasks.notifications_morning_task", "schedule": crontab(hour=7, minute=0)}
