"""Settings shared by every environment.

The environment is read here and only here (and in the environment modules beside it): application
code reads ``django.conf.settings``. See https://docs.djangoproject.com/en/5.2/topics/settings/
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [h for h in env("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "core",
    "exports",
    "hospitals",
    "campaign",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body: an oversized request is refused unread.
    "core.security.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, so that a page's refusal is the usual error page (and the log names the user).
    "core.security.UrlLengthLimitMiddleware",
    "core.security.RefusedAccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A one-time password is changed before any other page (core.accounts; the API: PasswordChanged).
    "core.accounts.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it must see the outcome of authentication.
    "axes.middleware.AxesMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reporting.navigation.navigation",
                "reporting.demo.context.sample_data",
            ],
        },
    },
]

# SQLite is the embedded default so that a new user needs nothing installed; production and CI set
# DATABASE_URL to PostgreSQL 15.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "hospitals.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's hashers, plus the one for one-time passwords (core.accounts.OneTimePasswordHasher: random
# 12-character passwords need no key stretching; the first login re-hashes with the first hasher here).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "core.accounts.OneTimePasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Upload caps. Materials are courseware, photos and short videos; 50 MiB covers a 10-minute clip.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MATERIAL_MAX_BYTES = env_int("MATERIAL_MAX_BYTES", 50 * 1024 * 1024)
# An indicator workbook of one unit and month is a few dozen kilobytes; anything near these caps is
# not a template we issued.
XLSX_UPLOAD_MAX_BYTES = env_int("XLSX_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
XLSX_MAX_UNCOMPRESSED_BYTES = env_int("XLSX_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
XLSX_MAX_ZIP_ENTRIES = env_int("XLSX_MAX_ZIP_ENTRIES", 200)
# The whole request: the largest material plus room for the form fields and multipart framing.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", MATERIAL_MAX_BYTES + 1024 * 1024)
# A longer URL (path and query string) is refused with 414 (core.security.UrlLengthLimitMiddleware).
# Below gunicorn's request line limit (deploy/gunicorn.conf.py, 8190 bytes) so that it answers first.
MAX_URL_BYTES = env_int("MAX_URL_BYTES", 4096)
# Exported files are kept this long, then removed by the cleanup task.
EXPORT_FILE_TTL_HOURS = env_int("EXPORT_FILE_TTL_HOURS", 24)
# Exports with more rows than this run as a Celery task with progress instead of in the request.
EXPORT_ASYNC_ROW_THRESHOLD = env_int("EXPORT_ASYNC_ROW_THRESHOLD", 5000)
# A fixed "now" for the reporting workflow (core.clock), in Asia/Shanghai, e.g. 2021-12-03T10:00:
# `make run` sets it so the 2021 demo campaign is in its last month. Empty: the real time. Never in
# production (refused there).
REPORTING_CLOCK = env("JJX_REPORTING_CLOCK", "")
# Show the "示例数据" notice on every page (`make run` sets it with the demo data of `manage.py load_demo`).
SAMPLE_DATA = env_bool("JJX_SAMPLE_DATA", False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.accounts.PasswordChanged",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageOrCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.AutoSchema",
    # Only the token endpoint is throttled by rate; django-axes adds the per-account cool-off.
    "DEFAULT_THROTTLE_RATES": {"token": env("API_TOKEN_THROTTLE_RATE", "30/minute")},
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # The client address throttles and login lockouts count (core.security.client_address): the
    # NUM_PROXIES-th address from the right of X-Forwarded-For, or REMOTE_ADDR with 0. Entries further
    # left were written by the client and are never trusted.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}
# Throttle counts (DRF keeps them in the default cache) must be shared by every web process and host:
# Redis in production (CACHE_URL, else the broker's Redis), local memory for one process otherwise.
CACHE_URL = env("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
API_DESCRIPTION = """阿拉善盟卫生健康委员会公立医院“讲见效”活动管理系统。

- 认证：`Authorization: Token <key>`（POST `/api/v1/auth/token/` 以用户名和密码换取）或已登录的会话
  （会话方式的写操作须带 CSRF 令牌）。登录连续失败将暂停一段时间（HTTP 429）。
- 范围：每个用户只看到、只能修改其所属医院 / 旗(区) / 盟范围内的数据；范围外的记录一律 404。
- 分页：列表返回 `{"count", "next", "previous", "results"}`，每页 50 条，以 `?page=N` 翻页。
- 过滤与排序：列表接受各自文档列出的字段过滤（如 `?hospital=3&month=2021-07-01`），
  以及 `?ordering=字段` / `?ordering=-字段`。
- 错误：一律为 `{"code": 机器可读代码, "message": 中文说明, "errors": {字段: [说明]}}`；
  400 数据有误、401 未登录、403 无权限、404 不存在或无权查看、413 请求体过大、
  414 请求地址过长（路径加查询参数超过 4096 字节，`url_too_long`）、429 请求过多。
"""
SPECTACULAR_SETTINGS = {
    "TITLE": "讲医改、见行动、出成效 API",
    "DESCRIPTION": API_DESCRIPTION,
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar's static files: the machines have no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies get their own components, so read-only fields (id, computed names) are not
    # offered as inputs.
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a choice field called "kind"; each set of choices gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "MaterialKindEnum": "campaign.models.MaterialKind",
        # The onboarding, indicator and 绩效考核 imports share their statuses (pending, invalid, confirmed).
        "ImportStatusEnum": "hospitals.models.OnboardingImport.Status",
    },
}

# Celery: with no broker configured the same code runs inline (eagerly), so a new user needs no Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_ENABLE_UTC = True
# A task is acknowledged after it ran and re-queued if its worker dies: tasks are idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken by a worker that died (kill -9, a lost host) stays unacknowledged in Redis until the
# visibility timeout passes; then any worker puts it back on the queue. Redis's default is an hour, which
# left a dead worker's export `running` and holding one of its user's slots that long. 300 s is 25× the
# longest export measured (README "Benchmark": the 100,000-row ledger in 12 s), and the export task's
# time limit (exports.tasks.EXPORT_TIME_LIMIT_S) keeps a live one below it, so no task still running is
# handed out twice. Every worker looks for such tasks every 10 s (interval 10 s, every sweep scans).
BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 300)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
# django-celery-beat's DatabaseScheduler, except that it only creates missing rows from the schedule
# below instead of overwriting them at each start (reporting/beat.py): clerks edit it in the admin.
CELERY_BEAT_SCHEDULER = "core.beat:SeedOnceScheduler"
# Times are Asia/Shanghai (CELERY_TIMEZONE): "day 1, 09:00" fires at 01:00 UTC.
CELERY_BEAT_SCHEDULE = {
    "daily-reminders": {
        "task": "reporting.tasks.send_due_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "monthly-rollup": {
        "task": "reporting.tasks.build_previous_month_rollup",
        "schedule": crontab(day_of_month=1, hour=9, minute=0),
    },
    # Hourly, so an expired export file is gone within the hour after its EXPORT_FILE_TTL_HOURS.
    "delete-expired-exports": {
        "task": "exports.tasks.delete_expired_exports",
        "schedule": crontab(minute=17),
    },
}

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "jjx@alswjw.local")

# django-axes: a cool-off, never a permanent lock (clerks share offices and forget passwords).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
# 429 with the API's error format under /api/, a short page elsewhere.
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The same client address as the API's throttles (behind NUM_PROXIES proxies).
AXES_CLIENT_IP_CALLABLE = "core.security.client_address"
# The cool-off runs from the lock, not from the latest try: a clerk who keeps trying is still let in
# after AXES_COOLOFF_MINUTES (tries during the lock are refused and logged, but do not extend it).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"jjx.access": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
