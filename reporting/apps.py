from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "月度报告与指标"

    def ready(self) -> None:
        from core.monthlock import register_month_guard
        from core.versions import watch
        from reporting.bulletins import workbook as bulletin_workbook  # noqa: F401
        from reporting.bulletins.models import Bulletin
        from reporting.evaluation import workbook as evaluation_workbook  # noqa: F401
        from reporting.indicators import workbook as indicator_workbook  # noqa: F401
        from reporting.indicators.models import IndicatorValue
        from reporting.region import workbook as region_workbook  # noqa: F401
        from reporting.reports.models import MonthlyReport
        from reporting.reports.selectors import require_month_editable

        # The month lock is the reports' rule, but the writers that must respect it (campaign's services,
        # the indicator services) sit below reports: they call core.monthlock, which asks this guard.
        register_month_guard(require_month_editable)
        # The cached figures, verdicts, dashboard and bulletin page (core.versions).
        watch(IndicatorValue, MonthlyReport, Bulletin)
