"""Earshot settings: one module, driven by the environment.

Every value a deployment changes comes from an environment variable (see the README's table).
A variable with a value we cannot use stops the process at import time with an error that names
it, rather than running with a surprising default. Settings only *read* service URLs: starting
PostgreSQL or Redis is the launcher's job (``organizing/launcher.py``), never this module's.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_rate(name: str, default: str) -> str:
    """A request rate as DRF reads it: a number, a slash and s, m, h or d (e.g. 600/min)."""
    value = env_str(name, default).strip()
    count, _, period = value.partition("/")
    if not count.isdigit() or not period or period[0] not in "smhd":
        raise ImproperlyConfigured(f"{name} must look like 600/min or 20/s, not {value!r}.")
    return value


def env_database(name: str) -> dict:
    url = env_str(name)
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name} must be a PostgreSQL URL such as postgres://user:password@host:5432/earshot, "
            f"not {url!r}."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a usable database URL: {error}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database, e.g. …/earshot, not {url!r}.")
    return config


def env_redis(name: str) -> str:
    url = env_str(name)
    if urlsplit(url).scheme not in {"redis", "rediss", "redis+socket"}:
        raise ImproperlyConfigured(
            f"{name} must be a Redis URL such as redis://127.0.0.1:6379/0, not {url!r}."
        )
    return url


def env_email(name: str, default: str) -> dict:
    """Turn EMAIL_URL into Django email settings.

    ``console:`` prints mail, ``file:///path`` writes one file per message into a folder,
    ``smtp://user:password@host:587`` (STARTTLS) or ``smtps://…:465`` (TLS) sends it.
    """
    url = env_str(name, default)
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"{name} must give a folder, as in file:///srv/mail.")
        return {
            "EMAIL_BACKEND": "organizing.private_files.PrivateFileEmailBackend",
            "EMAIL_FILE_PATH": unquote(parts.path),
        }
    if parts.scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} must name a host, as in smtp://mail.example.org.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has a port that is not a number.") from None
        options = parse_qs(parts.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port or (465 if parts.scheme == "smtps" else 587),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_USE_TLS": parts.scheme == "smtp" and options.get("tls", ["1"])[0] != "0",
            "EMAIL_TIMEOUT": 20,
        }
    raise ImproperlyConfigured(
        f"{name} must start with console:, file://, smtp:// or smtps://, not {url!r}."
    )


# --- Core -----------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-only-for-DJANGO_DEBUG")
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be at least 50 characters long outside DJANGO_DEBUG."
        )

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname:
    raise ImproperlyConfigured(
        f"SITE_URL must look like https://earshot.example.org, not {SITE_URL!r}."
    )
IS_HTTPS = _site.scheme == "https"

ALLOWED_HOSTS = [_site.hostname, *filter(None, env_str("ALLOWED_HOSTS", " ").split(","))]
ALLOWED_HOSTS = [host.strip() for host in ALLOWED_HOSTS if host.strip()]
if DEBUG:
    ALLOWED_HOSTS += ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "django_filters",
    "drf_spectacular_sidecar",
    "organizing",
    "supporters",
    "conversations",
    "metrics",
    "calling",
    "canvass",
    "demo",
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
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # After authentication, before anything that writes a message: a signed-in user's chosen
    # language (User.language) wins over the browser's.
    "organizing.middleware.UserLanguageMiddleware",
    # After authentication and messages: an idle session is signed out first, then a signed-in
    # user whose role needs a second factor and has none is sent to set one up.
    "organizing.middleware.SessionIdleTimeoutMiddleware",
    "organizing.middleware.MfaRequiredMiddleware",
    # A day volunteer's session (a guest link) reaches its packet's pages only.
    "canvass.middleware.GuestScopeMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "organizing.urls"
WSGI_APPLICATION = "organizing.wsgi.application"

# Fields keep their length limits; the browser is not told them, so text past a limit is
# refused with the limit instead of cut short unseen (organizing/form_renderer.py).
FORM_RENDERER = "organizing.form_renderer.FormRenderer"
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
                "organizing.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organizing.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
# English is the source language; Spanish is complete (locale/es/, README "Translations").
# Each user picks theirs on Your account (User.language); otherwise the browser's is used.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Pages name a format (|date:"SHORT_DATE_FORMAT"); each language's module says what it is.
FORMAT_MODULE_PATH = ["organizing.formats"]
# The language chosen on Your account is kept in this cookie too, for the sign-in page.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = env_str("TIME_ZONE", "America/Chicago")
# The organization's own time zone: the daily digest goes out at DIGEST_HOUR there, and a
# supporter whose ZIP is unknown is read in it. Beat's crontabs use it too (CELERY_TIMEZONE).
ORGANIZATION_TIME_ZONE = TIME_ZONE
DIGEST_HOUR = env_int("DIGEST_HOUR", 8, minimum=0)
if DIGEST_HOUR > 23:
    raise ImproperlyConfigured(f"DIGEST_HOUR must be an hour from 0 to 23, not {DIGEST_HOUR}.")
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself (WhiteNoise), never from a CDN -------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# --- Security: on by default whenever the site is served over HTTPS ------------------------

SESSION_COOKIE_SECURE = IS_HTTPS
CSRF_COOKIE_SECURE = IS_HTTPS
SECURE_SSL_REDIRECT = IS_HTTPS and env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000 if IS_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
# Behind a TLS-terminating proxy (the usual deployment) the proxy tells us the scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if IS_HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # health checks speak plain HTTP inside the network
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Mail -------------------------------------------------------------------------------------

globals().update(env_email("EMAIL_URL", "console:"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Earshot <earshot@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts (django-allauth): invitation only, email login, login by emailed code ---------

ACCOUNT_ADAPTER = "organizing.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "organizing.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 900
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = True
# Failed sign-ins count per account *and* client address (organizing.adapters): five in five
# minutes, then that pair gets 429 with Retry-After. The real user on another network, and the
# rest of an office behind the same NAT, still sign in.
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Earshot] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = _site.scheme
INVITATION_MAX_AGE_DAYS = 14

# --- Second factor (allauth.mfa) and signed-in devices (allauth.usersessions) ---------------

_ROLES = ("volunteer", "organizer", "data_staff", "admin")  # organizing.models.Membership.Role


def env_roles(name: str, default: str) -> tuple[str, ...]:
    """Comma-separated role names; ``none`` for no role at all."""
    raw = env_str(name, default)
    if raw.strip().lower() == "none":
        return ()
    roles = tuple(role.strip() for role in raw.split(",") if role.strip())
    unknown = [role for role in roles if role not in _ROLES]
    if unknown:
        raise ImproperlyConfigured(
            f"{name} must list roles from {', '.join(_ROLES)} (comma-separated), not {unknown}."
        )
    return roles


# Roles that must sign in with a second factor (organizing.roles.user_must_have_mfa); "none"
# turns the requirement off. Superusers and Django staff count as admins.
MFA_REQUIRED_ROLES = env_roles("MFA_REQUIRED_ROLES", "organizer,data_staff,admin")
MFA_ADAPTER = "organizing.adapters.MFAAdapter"
# The second step's failed codes count per account and address (organizing.forms_mfa).
MFA_FORMS = {"authenticate": "organizing.forms_mfa.AccountAndAddressLimitedAuthenticateForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Earshot"
# Browsers allow WebAuthn on http://localhost and 127.0.0.1 only when this is on (make run).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Making an API key needs a second factor given this recently (organizing.mfa).
MFA_RECENT_MINUTES = env_int("MFA_RECENT_MINUTES", 5, minimum=1)
# A session unused this long is signed out: organizers and above on laptops, volunteers in the
# field on phones (organizing.middleware.SessionIdleTimeoutMiddleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_IDLE_MINUTES_VOLUNTEER = env_int("SESSION_IDLE_MINUTES_VOLUNTEER", 12 * 60, minimum=1)

# --- Cache: Redis, so rate limits hold across gunicorn workers; PostgreSQL when Redis is down -
# API throttles and login limits count in "default": Redis, or, while Redis is unreachable,
# the database cache (its table comes from migration organizing.0004_cache_table), so an
# outage never turns every API call and login into a 500 (organizing/cache.py).

REDIS_URL = env_redis("REDIS_URL")
CACHE_TABLE = "earshot_cache"  # the table migration organizing.0004_cache_table creates
_CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "earshot")
CACHES = {
    "default": {
        "BACKEND": "organizing.cache.FailoverCache",
        "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database", "RETRY_SECONDS": 10},
    },
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": _CACHE_KEY_PREFIX,
        # Fail fast when Redis is down, so the request falls back instead of waiting.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    },
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": CACHE_TABLE,
        "KEY_PREFIX": _CACHE_KEY_PREFIX,
        # Room for every key's and every address's counters; expired rows are culled.
        "OPTIONS": {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 4},
    },
}

# --- Celery: JSON only, late acks, a lost worker's task goes back on the queue --------------

CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A late-acked task whose worker died becomes visible again after this many seconds
    # (longer than any task runs, or a slow task would be delivered twice).
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    "unacked_restore_interval": min(10, _VISIBILITY_TIMEOUT),
    "unacked_restore_throttle": 10 if _VISIBILITY_TIMEOUT >= 60 else 1,
    "socket_connect_timeout": 5,
    "socket_timeout": 10,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = max(1, CELERY_TASK_TIME_LIMIT - 30)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
CELERY_TASK_ALWAYS_EAGER = False
# Two queues, two worker pools: bulk work (imports, sweeps, exports) never delays field work
# (organizing/queues.py says which task goes where, by its name).
# A test's worker sets both to a queue of its own (environment), so that work a task enqueues
# (an import's next chunk) comes back to it.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "interactive")
CELERY_BULK_QUEUE = env_str("CELERY_BULK_QUEUE", "bulk")
CELERY_TASK_ROUTES = ("organizing.queues.route_task",)
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_LOG_FORMAT = "[%(asctime)s UTC: %(levelname)s/%(processName)s] %(message)s"
CELERY_WORKER_TASK_LOG_FORMAT = (
    "[%(asctime)s UTC: %(levelname)s/%(processName)s] %(task_name)s[%(task_id)s]: %(message)s"
)
# Bulk actions over the Supporters list: people handled per chunk (one transaction each).
BULK_ACTION_CHUNK = env_int("BULK_ACTION_CHUNK", 500, minimum=1)
CELERY_BEAT_SCHEDULE = {
    # The depth-of-listening rollups re-derived from the raw tables, under a lock.
    "metrics-rollup-rederive": {
        "task": "metrics.tasks.rollup_rederive_task",
        "schedule": crontab(hour=3, minute=17),
    },
    "invitations-send-pending": {
        "task": "organizing.tasks.invitation_send_pending_task",
        "schedule": crontab(minute="*"),
    },
    # Follow-ups: the times live in the database; these only look at what is due.
    "followups-notify-due": {
        "task": "conversations.tasks.followup_notify_due_task",
        "schedule": crontab(minute="*"),
    },
    # At DIGEST_HOUR:00, then every quarter hour for two hours: a digest that failed to send
    # goes out on a later run; one already sent today is never sent again (DigestSent).
    "followups-daily-digest": {
        "task": "conversations.tasks.followup_digest_task",
        "schedule": crontab(hour=f"{DIGEST_HOUR}-{min(DIGEST_HOUR + 2, 23)}", minute="*/15"),
    },
    "followups-escalate-overdue": {
        "task": "conversations.tasks.followup_escalate_overdue_task",
        "schedule": crontab(minute=5),
    },
    # Catch-up sweeps: what a Redis outage dropped (recent records, every two minutes), and
    # everything unenriched or enriched by an older version (nightly), in bounded batches.
    "supporters-enrich-catch-up": {
        "task": "supporters.tasks.supporter_enrich_sweep_task",
        "schedule": crontab(minute="*/2"),
        "kwargs": {"recent_only": True},
    },
    # Households for people enriched before households existed (bounded; idle once done).
    "supporters-household-backfill": {
        "task": "supporters.tasks.household_backfill_task",
        "schedule": crontab(minute="*/10"),
    },
    # Doors placed by ZIP only, to the configured geocoder (GEOCODER), a batch at a time.
    "supporters-household-geocode": {
        "task": "supporters.tasks.household_geocode_task",
        "schedule": crontab(minute="7-59/15"),
    },
    "conversations-listen-catch-up": {
        "task": "conversations.tasks.conversation_listen_sweep_task",
        "schedule": crontab(minute="*/2"),
        "kwargs": {"recent_only": True},
    },
    # Bulk actions over the Supporters list whose chunk a Redis outage or a dead worker lost.
    "supporters-bulk-actions-catch-up": {
        "task": "supporters.bulk_action_sweep",
        "schedule": crontab(minute="*/2"),
    },
    "supporters-enrich-nightly": {
        "task": "supporters.tasks.supporter_enrich_sweep_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "conversations-listen-nightly": {
        "task": "conversations.tasks.conversation_listen_sweep_task",
        "schedule": crontab(hour=2, minute=45),
    },
    "export-jobs-sweep": {
        "task": "supporters.tasks.export_jobs_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    "imports-sweep": {
        "task": "supporters.import_sweep",
        "schedule": crontab(minute="*"),
    },
    "retention-sweep": {
        "task": "organizing.tasks.retention_sweep_task",
        "schedule": crontab(minute=17),
    },
    "webhook-deliveries-sweep": {
        "task": "organizing.tasks.webhook_deliveries_sweep_task",
        "schedule": crontab(minute="*"),
    },
}

# --- Webhooks: short timeouts so a dead receiver costs one attempt, never the queue ---------

WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
# Receivers on loopback or private networks are refused unless this is true (e.g. make run).
WEBHOOK_ALLOW_PRIVATE_HOSTS = env_bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", DEBUG)
# People added through OSDI need an owning team: this team's slug, else the key owner's first.
OSDI_DEFAULT_TEAM = env_str("OSDI_DEFAULT_TEAM", "")

# --- REST API ----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organizing.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "organizing.api.pagination.ApiCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": ["organizing.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": [
        "organizing.api.throttling.ApiKeyRateThrottle",
        "organizing.api.throttling.SessionUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env_rate("API_KEY_RATE", "600/min"),
        "user": env_rate("API_SESSION_RATE", "600/min"),
    },
    "EXCEPTION_HANDLER": "organizing.api.errors.api_exception_handler",
    # ?format=csv|ndjson belongs to the segment export, not to DRF's renderer override.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Earshot API",
    "DESCRIPTION": (BASE_DIR / "organizing" / "api" / "DESCRIPTION.md").read_text(),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "organizing.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SupporterChannelEnum": "supporters.models.Channel",
        "ConversationChannelEnum": "conversations.models.Conversation.Channel",
        "RelationshipKindEnum": "supporters.models.Relationship.Kind",
        "NoteKindEnum": "conversations.models.Note.Kind",
        "SurveyQuestionKindEnum": "conversations.models.SurveyQuestion.Kind",
        "PhoneKindEnum": "supporters.models.SupporterPhone.Kind",
        "WebhookEventEnum": "organizing.models.Webhook.Event",
    },
}
# JSON bodies above this size get 413 (DRF reads bodies past Django's own check).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1_048_576, minimum=1024)
IDEMPOTENCY_KEY_TTL_HOURS = 24
# Export jobs' files; downloads work for EXPORT_LINK_HOURS, then the file is deleted.
EXPORT_DIR = Path(env_str("EXPORT_DIR", str(BASE_DIR / "var" / "exports")))
EXPORT_LINK_HOURS = env_int("EXPORT_LINK_HOURS", 24, minimum=1)

# --- Logging: to stderr, where gunicorn, Celery and docker collect it ------------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}."
    )
# Every log line's time is in UTC and says so, in the web server, the worker and beat alike:
# Django has just set the process's time zone to TIME_ZONE, which is for people, not for logs.
# (gunicorn formats its own lines: organizing.logs.GunicornLogger.)
logging.Formatter.converter = time.gmtime
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s UTC %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
}

# --- Hardening (issue 17): retention, Content-Security-Policy, input limits -------------------
# Kept together in one block; see organizing/retention.py, organizing/api/parsers.py.

# How long personal data is kept before the hourly retention sweep deletes it.
RETENTION_DAYS_WEBHOOK_DELIVERIES = env_int("RETENTION_DAYS_WEBHOOK_DELIVERIES", 30, minimum=1)
# Never shorter than the replay window IDEMPOTENCY_KEY_TTL_HOURS, whatever this says.
RETENTION_DAYS_IDEMPOTENCY_RECORDS = env_int("RETENTION_DAYS_IDEMPOTENCY_RECORDS", 1, minimum=1)
# A finished job's file goes at EXPORT_LINK_HOURS already; this catches anything left behind.
RETENTION_DAYS_EXPORT_FILES = env_int(
    "RETENTION_DAYS_EXPORT_FILES", max(1, -(-EXPORT_LINK_HOURS // 24)), minimum=1
)
if RETENTION_DAYS_EXPORT_FILES * 24 < EXPORT_LINK_HOURS:
    raise ImproperlyConfigured(
        "RETENTION_DAYS_EXPORT_FILES must cover EXPORT_LINK_HOURS, or links would die early."
    )
IMPORT_DIR = Path(env_str("IMPORT_DIR", str(BASE_DIR / "var" / "imports")))
RETENTION_DAYS_IMPORT_FILES = env_int("RETENTION_DAYS_IMPORT_FILES", 7, minimum=1)
# Imports (supporters/importing/): the largest file taken, rows per worker task (at most
# 5,000), and how old a running import's heartbeat may be before the sweep re-enqueues it.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1_048_576, minimum=1024)
IMPORT_CHUNK_ROWS = env_int("IMPORT_CHUNK_ROWS", 1000, minimum=1)
IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 120, minimum=10)

# Content-Security-Policy (django-csp): no inline script or style anywhere; everything from
# this origin, map tiles from MAP_TILE_URL's host, never framed. data: images are Swagger
# UI's and the admin's icons.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
_map_tiles = urlsplit(MAP_TILE_URL)
if _map_tiles.scheme not in {"http", "https"} or not _map_tiles.hostname:
    raise ImproperlyConfigured(
        "MAP_TILE_URL must be an http(s) URL, as in https://tile.example.org/{z}/{x}/{y}.png."
    )
MAP_TILE_ORIGIN = f"{_map_tiles.scheme}://{_map_tiles.netloc}"
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
# Geocoding households (supporters.enrichment.geocoder): "census" (the US Census batch
# geocoder through censusgeocode), "nominatim" (a Nominatim-style GEOCODER_URL), or "off"
# (doors keep their ZIP centre, flagged as such). GEOCODER_URL overrides the service's address.
GEOCODER = env_str("GEOCODER", "census")
GEOCODER_URL = env_str("GEOCODER_URL", "")
GEOCODER_TIMEOUT_SECONDS = env_int("GEOCODER_TIMEOUT_SECONDS", 120, minimum=1)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
# ?q=%00 and the like: a 400 naming the parameter, before any view puts it in a query.
MIDDLEWARE.insert(
    MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1,
    "organizing.text_safety.QueryStringTextMiddleware",
)
INSTALLED_APPS.append("csp")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", MAP_TILE_ORIGIN],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Guarding people (issue 17): erasure, the audit trail, encryption at rest, backups --------
# Erasure is for admins; data staff too when this is on (organizing.roles.user_may_erase).
ERASURE_BY_DATA_STAFF = env_bool("ERASURE_BY_DATA_STAFF", False)
# The key of the suppression list's hashes (an erased person's emails and phones), so the list
# alone says nothing about who was on it. Defaults to one derived from DJANGO_SECRET_KEY.
SUPPRESSION_KEY = env_str("SUPPRESSION_KEY", "") or f"earshot-suppression:{SECRET_KEY}"
# Sensitive text encrypted at rest (organizing.sealed): Fernet keys, comma-separated; the first
# encrypts, all decrypt. Rotate by putting a new key first, running
# `make manage ARGS=field_keys_rotate`, then dropping the old key once it has finished.
# Unset, one key is derived from DJANGO_SECRET_KEY (check --deploy says so).
FIELD_ENCRYPTION_KEYS = [
    key.strip() for key in env_str("FIELD_ENCRYPTION_KEYS", "").split(",") if key.strip()
]
FIELD_ENCRYPTION_KEYS_DERIVED = not FIELD_ENCRYPTION_KEYS
import base64 as _base64  # noqa: E402
import binascii as _binascii  # noqa: E402
import hashlib as _hashlib  # noqa: E402

for _key in FIELD_ENCRYPTION_KEYS:
    try:
        _key_ok = len(_base64.urlsafe_b64decode(_key.encode())) == 32
    except (_binascii.Error, ValueError):
        _key_ok = False
    if not _key_ok:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (32 bytes, url-safe base64), "
            'comma-separated; make one with `make manage ARGS="field_keys_rotate --new-key"`.'
        )
if FIELD_ENCRYPTION_KEYS_DERIVED:
    FIELD_ENCRYPTION_KEYS = [
        _base64.urlsafe_b64encode(
            _hashlib.sha256(f"earshot-field-encryption:{SECRET_KEY}".encode()).digest()
        ).decode()
    ]
# Backups (organizing.backups): `make manage ARGS="backup"` writes here, 0600.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))
# Where pg_dump and pg_restore are, when not the embedded PostgreSQL's nor on the PATH.
PG_BIN_DIR = env_str("PG_BIN_DIR", "")
