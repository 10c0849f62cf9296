"""Settings for every deployment: the embedded default (SQLite, database task queue) and the scale
tier differ only in environment variables, documented in docs/configuration.md."""

from __future__ import annotations

import math
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url

from kechuang.env import (
    ConfigurationError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("KECHUANG_DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("KECHUANG_DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", required=not DEBUG) or "insecure-development-key-only-for-debug"
if not DEBUG and len(SECRET_KEY) < 32:
    raise ConfigurationError("SECRET_KEY must be at least 32 characters outside debug mode.")
ALLOWED_HOSTS = env_list("KECHUANG_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("KECHUANG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "kechuang",
    "core",
    "resources",
    "bridging",
    "integrity",
    "programs",
    "cultivation",
    "transfer",
    "brain",
    "sharing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.IdleSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kechuang.urls"
WSGI_APPLICATION = "kechuang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kechuang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'kechuang.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_db)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url,
            conn_max_age=env_int("KECHUANG_DB_CONN_MAX_AGE", 60, minimum=0),
            # A kept connection is checked before each request reuses it, so a database restart
            # costs the requests in flight, not every request until the process restarts.
            conn_health_checks=env_bool("KECHUANG_DB_CONN_HEALTH_CHECKS", True),
        )
    }
except ValueError as exc:
    raise ConfigurationError(f"DATABASE_URL={_database_url!r} is not usable: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web process read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ConfigurationError("DATABASE_URL must point at SQLite or PostgreSQL.")
else:
    # PostgreSQL's default random_page_cost (4) assumes spinning disks: it then reads every
    # row's text vector rather than use the catalog's GIN index, ten times slower here
    # (docs/decisions.md, "Scale tier"). Set per connection, so a shared server keeps its own.
    _page_cost = env_str("KECHUANG_PG_RANDOM_PAGE_COST", "1.1")
    try:
        if not (math.isfinite(float(_page_cost)) and float(_page_cost) > 0):
            raise ValueError
    except ValueError:
        raise ConfigurationError(
            f"KECHUANG_PG_RANDOM_PAGE_COST={_page_cost!r} must be a positive number."
        ) from None
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c random_page_cost={_page_cost}".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "core.auth.LockoutBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.validators.CharacterClassPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LOGIN_MAX_FAILURES = env_int("KECHUANG_LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCK_DURATION = timedelta(minutes=env_int("KECHUANG_LOGIN_LOCK_MINUTES", 15, minimum=1))
# One network address may fail this many sign-ins (any accounts) per window, then waits.
LOGIN_IP_MAX_FAILURES = env_int("KECHUANG_LOGIN_IP_MAX_FAILURES", 30, minimum=1)
LOGIN_IP_WINDOW = timedelta(minutes=env_int("KECHUANG_LOGIN_IP_WINDOW_MINUTES", 15, minimum=1))
# Reverse proxies in front of the platform that append to X-Forwarded-For (0: none, the
# address of the connection is the client's; 1: one nginx; …). Never more than there are.
PROXY_HOPS = env_int("KECHUANG_PROXY_HOPS", 0, minimum=0)
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("KECHUANG_SESSION_IDLE_MINUTES", 30, minimum=1))

# Instrument sharing: an approved booking may be cancelled online until this many hours before
# its slot; reminders go out this many hours before.
SHARING_CANCEL_HOURS = env_int("KECHUANG_SHARING_CANCEL_HOURS", 24, minimum=0)
SHARING_REMINDER_HOURS = env_int("KECHUANG_SHARING_REMINDER_HOURS", 24, minimum=1)
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

HTTPS = env_bool("KECHUANG_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
# Every subdomain of the platform's domain is HTTPS too, and the domain may be preloaded into
# browsers; a deployment whose subdomains are not all HTTPS turns these off explicitly, which
# also silences the matching deployment checks (a decision, not an oversight).
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and env_bool("KECHUANG_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = HTTPS and env_bool("KECHUANG_HSTS_PRELOAD", True)
SILENCED_SYSTEM_CHECKS = [
    check
    for check, on in (
        ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
        ("security.W021", SECURE_HSTS_PRELOAD),
    )
    if HTTPS and not on
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "kechuang" / "static",
    # Front-end packages are installed from npm at set-up and served from node_modules.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/noto-sans-sc", BASE_DIR / "node_modules" / "@fontsource" / "noto-sans-sc"),
    # ECharts and the 长春 district shapes, put there by scripts/chart-assets.py at set-up.
    ("vendor/charts", BASE_DIR / "node_modules" / ".kechuang-charts"),
]
STORAGES = {
    "default": {"BACKEND": "core.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
# Serve static files straight from their sources when they have not been collected (tests, debug).
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at")
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

CITY_PROFILE = env_str("KECHUANG_CITY_PROFILE", "changchun")
INDEX_DIR = Path(env_str("KECHUANG_INDEX_DIR", str(DATA_DIR / "index")))
EMBEDDER = env_str("KECHUANG_EMBEDDER", "kechuang.retrieval.USEEmbedder")
# Where the bridging engine keeps its words: in the index directory beside the vectors (BM25
# arrays every process memory-maps), or in PostgreSQL tables every process and machine shares
# (docs/deployment.md). Changing it needs `kechuang build_index`.
MATCH_LEXICAL = env_choice("KECHUANG_MATCH_LEXICAL", "index", ("index", "postgresql"))
if (
    MATCH_LEXICAL == "postgresql"
    and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
):
    raise ConfigurationError(
        "KECHUANG_MATCH_LEXICAL=postgresql keeps the matching engine's words in PostgreSQL: "
        "set DATABASE_URL to a PostgreSQL database, or leave KECHUANG_MATCH_LEXICAL unset."
    )
SHOW_DEMO_LOGINS = env_bool("KECHUANG_SHOW_DEMO_LOGINS", False)

# The task queue: the database (embedded default, `manage.py db_worker`), Redis through RQ (the
# scale tier, `manage.py rqworker --job-class django_tasks_rq.Job`; docs/decisions.md, Scale
# tier), or in-process (tests). The same @task code runs on all three.
TASKS_MODE = env_choice("KECHUANG_TASKS", "database", ("database", "redis", "immediate"))
REDIS_URL = env_str("KECHUANG_REDIS_URL", "redis://127.0.0.1:6379/0")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "redis": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[TASKS_MODE],
    }
}
if TASKS_MODE == "redis":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]
    # RQ stops a task running longer than this; the longest job is rebuilding the bridging
    # index of a large corpus (docs/benchmarks.md).
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 6 * 3600}}

# A shared cache (Redis) for every web process, or each process's own memory.
CACHE_URL = env_str("KECHUANG_CACHE_URL", "")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ConfigurationError(
        f"KECHUANG_CACHE_URL={CACHE_URL!r} is not a Redis URL (redis://host:port/db)."
    )
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# How long a catalog search's result list, facet counts and record count, and a record page's
# recommendation rankings, are kept (0: not at all); a new, changed or archived record of the
# kind makes the catalog's stale at once (resources/search.py), an index write the
# recommendations' (bridging/services/recommend.py).
SEARCH_CACHE_SECONDS = env_int("KECHUANG_SEARCH_CACHE_SECONDS", 300, minimum=0)

EMAIL_BACKEND = env_str("KECHUANG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("KECHUANG_FROM_EMAIL", "noreply@kechuang.local")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "kechuang.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kechuang.api.exception_handler",
    "PAGE_SIZE": 20,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "科创智服云平台 API",
    "DESCRIPTION": "长春市科创智服云平台的接口。所有错误均返回 {code, message, errors} 结构。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the platform's error shape (kechuang/api.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kechuang.api.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RecordStatusEnum": "resources.choices.RecordStatus",
        "JobStatusEnum": "core.choices.JobStatus",
        "PatentStatusEnum": "resources.choices.PatentStatus",
        "PlatformTypeEnum": "resources.choices.PlatformType",
        "PatentTypeEnum": "resources.choices.PatentType",
        "OrgTypeEnum": "core.choices.OrgType",
        "FeedbackEnum": "bridging.choices.Feedback",
        "ApplicationStatusEnum": "programs.choices.ApplicationStatus",
        "VoucherApplicationStatusEnum": "sharing.choices.ApplicationStatus",
        "CallKindEnum": "programs.choices.CallKind",
        "CallStatusEnum": "programs.choices.CallStatus",
        "AttachmentKindEnum": "programs.choices.AttachmentKind",
        "AssignmentStatusEnum": "programs.choices.AssignmentStatus",
        "PublicationStatusEnum": "transfer.choices.CatalogStatus",
        "ListingKindEnum": "transfer.choices.ListingKind",
        "ContractKindEnum": "transfer.choices.ContractKind",
        "ClaimStatusEnum": "sharing.choices.ClaimStatus",
        "RelationKindEnum": "sharing.choices.RelationKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("KECHUANG_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
