from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Excel exports (SPEC §9): its own app label so that its migrations never collide with reporting's."""

    name = "reporting.exports"
    label = "exports"
    verbose_name = "Excel导出"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The workbooks register themselves with the registry when imported.
        from reporting.exports import workbooks  # noqa: F401
