"""Tests. The suite runs on PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL set by the Makefile)."""

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "core.accounts.OneTimePasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests call tasks inline unless a test starts a real worker and opts out of eager mode.
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
AXES_ENABLED = False
# One process: local memory (tests that need Redis's cache override CACHES).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The token endpoint's rate limit has its own test; elsewhere (schemathesis) it would only add noise.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "100000/minute"}}  # noqa: F405
