from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Excel exports (SPEC §9): the registry, the streaming writer, jobs and their downloads. It knows no
    domain: each app registers its workbooks with ``exports.registry.register_export`` from its own
    ``AppConfig.ready``."""

    name = "exports"
    label = "exports"
    verbose_name = "Excel导出"
    default_auto_field = "django.db.models.BigAutoField"
