from django.apps import AppConfig


class HospitalsConfig(AppConfig):
    name = "hospitals"
    verbose_name = "机构与用户"

    def ready(self) -> None:
        # The hospital roster registers itself with the export registry.
        from hospitals import workbooks  # noqa: F401
