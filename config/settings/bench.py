"""``make bench``: the local settings plus the ``bench`` app (the region generator and the export
benchmark's commands), which no shipped setting installs."""

from config.settings.local import *  # noqa: F403
from config.settings.local import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
