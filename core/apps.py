from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared machinery that knows no domain: months, the clock, the API error format, page helpers,
    security middleware and the beat scheduler. An app only so that ``sync_beat_schedule`` is a command."""

    name = "core"
    verbose_name = "基础设施"

    def ready(self) -> None:
        from core import admin_filters

        admin_filters.register()
