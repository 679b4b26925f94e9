from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared machinery that knows no domain: months, the clock, the API error format, page helpers,
    security middleware and the beat scheduler. An app so that ``sync_beat_schedule`` is a command and
    the table versions (``core.versions``) have their table."""

    name = "core"
    verbose_name = "基础设施"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core import admin_filters, versions

        admin_filters.register()
        # Once per migrate (sent for this app after every app has migrated): the table versions' triggers.
        post_migrate.connect(versions.install_triggers, sender=self, dispatch_uid="core.install_triggers")
