"""Settings of the key-project portfolio service.

Everything that differs between deployments is read from the environment; see README.md.
"""

import os
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # Only good for local runs and tests; every production process sets the same SECRET_KEY.
    SECRET_KEY = "insecure-local-key-set-SECRET_KEY-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS only, by default whenever DEBUG is off. TLS ends at the reverse proxy, which must send
# `X-Forwarded-Proto: https` (and overwrite any such header from the client). PORTFOLIO_HTTPS=0
# serves plain HTTP: a closed network without TLS, a local trial, the test suite (pytest.ini).
PORTFOLIO_HTTPS = env_bool("PORTFOLIO_HTTPS", not DEBUG)
if PORTFOLIO_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)

# Largest request body accepted (bytes): larger ones are answered 413 before anything reads them.
# Big enough for an annual project list uploaded to the admin's import.
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
# An uploaded file is written to a temporary file as it arrives (FILE_UPLOAD_TEMP_DIR, default the
# system's), never held in memory past this size: a 20 MiB photo does not grow a worker by 20 MiB.
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_MEMORY_SIZE", str(256 * 1024)))
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None

INSTALLED_APPS = [
    # The admin theme (django-unfold) and its integrations come before django.contrib.admin.
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    "projects.apps.PortfolioAdminConfig",  # django.contrib.admin with projects.admin.site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "projects",
]

MIDDLEWARE = [
    "portfolio.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "projects.models.history.WriteChannelMiddleware",
]

ROOT_URLCONF = "portfolio.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portfolio" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "projects.admin.context.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "portfolio.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL, a busy timeout and IMMEDIATE transactions keep concurrent writers from
    # failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, so psycopg prepares a statement from its second run on a
    # connection and PostgreSQL plans it once: planning the flag query took longer than running it.
    # A pooler in transaction mode cannot keep prepared statements: PG_PREPARE=0 there.
    if env_bool("PG_PREPARE", True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
    # No JIT compilation: PostgreSQL compiles a statement it estimates expensive, and it estimates the
    # flags' CASE expressions over the whole portfolio so: at 100,000 projects the weekly bulletin's
    # statements took 58 s with JIT and 18 s without (docs/performance.md). PG_JIT=1 leaves the
    # server's setting; behind a pooler that refuses startup options, set `jit = off` on the database.
    if not env_bool("PG_JIT", False):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# Django's backends with a hook just before COMMIT, where the change feed's outbox appends the
# transaction's events (projects/fast/commit.py).
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.sqlite3": "projects.fast.db.sqlite3",
    "django.db.backends.postgresql": "projects.fast.db.postgresql",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
if DATABASES["default"]["ENGINE"] == "projects.fast.db.sqlite3":
    # Tests on SQLite use an in-memory database, as Django does by default; said explicitly because
    # tools that read the ENGINE (pytest-django's per-worker names) know only Django's own name.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Chinese whatever the browser asks for: the only language offered.
LANGUAGES = [("zh-hans", "简体中文")]
# Chinese for the admin theme's own strings.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The admin and the API docs (Swagger UI, ReDoc from the sidecar) are served by the app itself,
# so they work on closed networks behind any proxy; `collectstatic` fills STATIC_ROOT on deploy.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# The admin theme; its CSS, scripts (Alpine, htmx, Chart.js) and fonts are served from static files.
UNFOLD = {
    "SITE_TITLE": "二七区重点项目管理",
    "SITE_HEADER": "二七区重点项目管理",
    "SITE_SYMBOL": "apartment",
    "SHOW_VIEW_ON_SITE": False,
}

# `loaddata erqi_2023` finds the seed's portfolio here.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Several deployments (or test runs) may share one Redis: give each its own prefix.
            "KEY_PREFIX": os.environ.get("REDIS_KEY_PREFIX", "portfolio"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The background worker's task queue (huey): Redis when REDIS_URL is set (any number of workers on
# any number of hosts), else a SQLite file on this host. `manage.py worker` consumes it.
TASK_QUEUE_FILE = os.environ.get("TASK_QUEUE_FILE") or str(BASE_DIR / "var" / "queue.sqlite3")
HUEY = {
    "name": os.environ.get("REDIS_KEY_PREFIX", "portfolio"),
    # TASK_IMMEDIATE=1 runs each task in the process that enqueues it (the test suite does).
    "immediate": env_bool("TASK_IMMEDIATE", False),
    "results": False,
    "consumer": {"workers": int(os.environ.get("TASK_WORKERS", "2")), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update(huey_class="huey.RedisHuey", url=REDIS_URL)
else:
    HUEY.update(huey_class="huey.SqliteHuey", filename=TASK_QUEUE_FILE)
    if not HUEY["immediate"]:
        Path(TASK_QUEUE_FILE).parent.mkdir(parents=True, exist_ok=True)

REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "projects.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "projects.fast.json.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["projects.api.filtering.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "projects.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "projects.api.exceptions.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "projects.api.content.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "projects.api.content.FormatNegotiation",
    # Counted per token (per user for browser sessions) in the cache, atomically: with REDIS_URL
    # the limit holds across every process.
    "DEFAULT_THROTTLE_CLASSES": [
        "projects.api.throttling.TokenRateThrottle",
        "projects.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("THROTTLE_USER_RATE", "1200/min"),
        "anon": os.environ.get("THROTTLE_ANON_RATE", "60/min"),
    },
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

_TOKEN_TTL_DAYS = int(os.environ.get("TOKEN_TTL_DAYS", "365"))
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    # TOKEN_TTL_DAYS=0 issues tokens that never expire.
    "TOKEN_TTL": timedelta(days=_TOKEN_TTL_DAYS) if _TOKEN_TTL_DAYS else None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "二七区重点项目管理 API",
    "DESCRIPTION": "Key-project portfolio service: projects, milestones, status updates, visits, "
    "approvals and the figures read at meetings. Money in 万元, dates ISO 8601, Asia/Shanghai.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "projects.domain.choices.ProjectStatus",
        "ProjectCategoryEnum": "projects.domain.choices.ProjectCategory",
        "ProjectLevelEnum": "projects.domain.choices.ProjectLevel",
        "SectorEnum": "projects.domain.choices.Sector",
        "BatchKindEnum": "projects.domain.choices.BatchKind",
        "MilestoneKindEnum": "projects.domain.choices.MilestoneKind",
        "MilestoneStateEnum": "projects.domain.choices.MilestoneState",
        "VisitKindEnum": "projects.domain.choices.VisitKind",
        "ApprovalModeEnum": "projects.domain.choices.ApprovalMode",
        "WarningLevelEnum": "projects.domain.choices.WarningLevel",
        "RoleEnum": "projects.domain.choices.Role",
        "LeadStageEnum": "projects.domain.choices.LeadStage",
        "NotificationKindEnum": "projects.domain.choices.NotificationKind",
        "ProblemCategoryEnum": "projects.domain.choices.ProblemCategory",
        "ProblemSourceEnum": "projects.domain.choices.ProblemSource",
        "ProblemStateEnum": "projects.domain.choices.ProblemState",
        "EscalationLevelEnum": "projects.domain.choices.EscalationLevel",
        "PhotoCheckEnum": "projects.domain.choices.PhotoCheck",
    },
}


def _as_of_setting(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"PORTFOLIO_AS_OF must be YYYY-MM-DD, got {value!r}") from exc


# Pins the default `as_of` of reads (demos, training). Unset: today in Asia/Shanghai.
PORTFOLIO_AS_OF = _as_of_setting(os.environ.get("PORTFOLIO_AS_OF", ""))

# Warning-level (亮灯) rules; see docs/domain.md.
PORTFOLIO_WARNING = {
    "RED_OVERDUE_DAYS": int(os.environ.get("WARNING_RED_OVERDUE_DAYS", "90")),
    "RED_INVESTMENT_LAG": int(os.environ.get("WARNING_RED_INVESTMENT_LAG", "30")),
    "YELLOW_INVESTMENT_LAG": int(os.environ.get("WARNING_YELLOW_INVESTMENT_LAG", "10")),
    "VISIT_INTERVAL_DAYS": int(os.environ.get("VISIT_INTERVAL_DAYS", "31")),
    "DUE_SOON_DAYS": int(os.environ.get("DUE_SOON_DAYS", "15")),
    # 督办: a problem overdue more than this many days is at escalation level 2 (督办), and at level
    # 3 (通报, a red light) beyond the second; 1–N days is level 1 (催办).
    "PROBLEM_LEVEL2_AFTER_DAYS": int(os.environ.get("PROBLEM_ESCALATION_LEVEL2_DAYS", "7")),
    "PROBLEM_LEVEL3_AFTER_DAYS": int(os.environ.get("PROBLEM_ESCALATION_LEVEL3_DAYS", "30")),
}

def _weekday_setting(name: str, default: int) -> int:
    value = os.environ.get(name, "") or str(default)
    if not value.isdigit() or not 1 <= int(value) <= 7:
        raise ImproperlyConfigured(f"{name} must be an ISO weekday, 1 (Monday) to 7 (Sunday), got {value!r}")
    return int(value)


def _weights_setting(defaults: dict[str, str]) -> dict[str, Decimal]:
    weights = {}
    for term, default in defaults.items():
        name = f"SCORE_WEIGHT_{term.upper()}"
        raw = os.environ.get(name, "") or default
        try:
            weights[term] = Decimal(raw)
        except InvalidOperation:
            raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
        if not weights[term].is_finite() or weights[term] < 0:
            raise ImproperlyConfigured(f"{name} must be a number of zero or more, got {raw!r}")
    if not any(weights.values()):
        raise ImproperlyConfigured("At least one SCORE_WEIGHT_* must be above zero")
    return weights


# The day of the week a project's weekly report (进度填报) is due: an ISO weekday, 5 = Friday.
REPORT_DUE_WEEKDAY = _weekday_setting("REPORT_DUE_WEEKDAY", 5)

# 考核: the weight of each term of a department's weekly score (projects.domain.assessment,
# docs/reports.md). Relative: the score divides by their sum.
PORTFOLIO_SCORE_WEIGHTS = _weights_setting({
    "timeliness": "35",
    "milestones": "20",
    "red": "20",
    "visits": "15",
    "problems": "10",
})

# The CJK font the PDF bulletin embeds (a subset of it, the glyphs used). The repository ships
# Noto Sans SC (SIL Open Font License, projects/reports/fonts/OFL.txt).
REPORT_PDF_FONT = Path(os.environ.get("REPORT_PDF_FONT", "") or BASE_DIR / "projects" / "reports" / "fonts"
                       / "NotoSansSC-Regular.otf")

# Notifications and the schedules that make them (docs/notifications.md). Times are Asia/Shanghai.
SCHEDULES = {
    "reminders": os.environ.get("SCHEDULE_REMINDERS", "thu 09:00"),
    "bulletin": os.environ.get("SCHEDULE_BULLETIN", "mon 08:30"),
    "overdue": os.environ.get("SCHEDULE_OVERDUE", "daily 09:00"),
}
# The address links in mail and robot messages start with, e.g. https://xmb.erqi.example.cn; unset:
# the links are paths only.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
# Seconds between the attempts of a failed delivery (mail, robot); after the last, it is given up.
NOTIFY_RETRY_DELAYS = [int(s) for s in env_list("NOTIFY_RETRY_DELAYS", "60,300,1800,7200,21600")]
# Messages a group robot takes per minute (企业微信 and 钉钉 both allow 20).
# The change feed (/api/v1/events/) keeps every event at least this many days; the worker prunes
# older ones daily, and a client that resumes from a pruned id is told to copy the data again.
EVENTS_RETENTION_DAYS = int(os.environ.get("EVENTS_RETENTION_DAYS", "400"))
EVENTS_PRUNE_AT = os.environ.get("EVENTS_PRUNE_AT", "daily 03:30")

ROBOT_RATE_PER_MINUTE = int(os.environ.get("ROBOT_RATE_PER_MINUTE", "20"))

# Everything the server sends out over HTTP goes through one guard (projects/outbound/guard.py):
# https only, to these hosts (`*.example.cn` matches subdomains); plain http only to hosts also in
# OUTBOUND_HTTP_HOSTS. A host resolving to a loopback, private or link-local address is refused
# unless that address itself is listed.
OUTBOUND_ALLOWED_HOSTS = env_list("OUTBOUND_ALLOWED_HOSTS", "qyapi.weixin.qq.com,oapi.dingtalk.com")
OUTBOUND_HTTP_HOSTS = env_list("OUTBOUND_HTTP_HOSTS")
OUTBOUND_TIMEOUT = float(os.environ.get("OUTBOUND_TIMEOUT", "10"))
# Webhooks (docs/webhooks.md) go through the same guard with their own list: no host is allowed
# until the office lists its systems here; plain http only with WEBHOOK_ALLOW_HTTP=1. A receiver
# has WEBHOOK_TIMEOUT seconds to answer a whole delivery.
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS")
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "10"))
# A delivery still marked as being sent this many seconds after it started was being sent by a
# worker that stopped: it counts as failed and is tried again.
WEBHOOK_STALLED_AFTER = int(os.environ.get("WEBHOOK_STALLED_AFTER", "60"))

# Mail goes out only when EMAIL_HOST is set (Django's SMTP backend).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "二七区重点项目管理 <noreply@localhost>")

# Error reports (the DEBUG page, mail_admins if ever configured) hide the Authorization and
# Cookie headers, settings and POST fields whose names look secret.
DEFAULT_EXCEPTION_REPORTER_FILTER = "portfolio.log_filters.TokenSafeExceptionReporterFilter"

# Log records name the method, path and status only: never headers, query strings or bodies, so
# no token reaches a log. gunicorn's access log has the same rule (gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_secrets": {"()": "portfolio.log_filters.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The worker says what it runs (each task started, finished or failed; deliveries that failed).
    "loggers": {
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "projects.tasks": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}


def _area_setting(value: str) -> tuple[float, float, float, float]:
    try:
        lat_min, lon_min, lat_max, lon_max = (float(part) for part in value.split(","))
    except ValueError:
        raise ImproperlyConfigured(f"PHOTO_AREA must be lat_min,lon_min,lat_max,lon_max, got {value!r}") from None
    if not (-90 <= lat_min < lat_max <= 90 and -180 <= lon_min < lon_max <= 180):
        raise ImproperlyConfigured(f"PHOTO_AREA must be a box lat_min,lon_min,lat_max,lon_max, got {value!r}")
    return lat_min, lon_min, lat_max, lon_max


# Photos from the sites (形象进度照片, 现场督导留痕): docs/photos.md. The largest file accepted, and the
# box a photo's GPS position must fall in (default: around 二七区, 郑州).
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", str(20 * 1024 * 1024)))
PHOTO_AREA = _area_setting(os.environ.get("PHOTO_AREA", "") or "34.55,113.48,34.78,113.71")
# The photo files: a folder on this host (MEDIA_ROOT) unless STORAGE_BUCKET names an S3-compatible
# bucket. Neither is ever served by a public URL: files go out through the API's photo views only.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "") or BASE_DIR / "media")


def photo_storage(environ) -> dict:
    """The photo storage: an S3-compatible bucket when STORAGE_BUCKET is set, else MEDIA_ROOT/photos."""
    bucket = environ.get("STORAGE_BUCKET", "")
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT / "photos", "file_permissions_mode": 0o640,
                        "directory_permissions_mode": 0o750},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("STORAGE_ENDPOINT_URL") or None,
            "access_key": environ.get("STORAGE_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("STORAGE_SECRET_ACCESS_KEY") or None,
            "region_name": environ.get("STORAGE_REGION") or None,
            "location": environ.get("STORAGE_PREFIX", "photos"),
            # Private objects, never overwritten; the service never hands out their URLs.
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            # A photo read from the bucket spills to a temporary file past 1 MiB instead of being
            # held in memory whole (django-storages' default keeps all of it).
            "max_memory_size": 1024 * 1024,
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "photos": photo_storage(os.environ),
}

