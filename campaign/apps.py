from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "讲见效活动"

    def ready(self) -> None:
        # The lecture ledger and the action tracker register themselves with the export registry.
        from campaign import workbooks  # noqa: F401
