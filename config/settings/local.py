"""Development: SQLite and inline Celery unless DATABASE_URL / CELERY_BROKER_URL say otherwise."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
