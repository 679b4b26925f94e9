"""/api/v1/ routes of the reporting app: each feature registers its own viewsets."""

from rest_framework.routers import DefaultRouter

from reporting.bulletins.api import register as register_bulletins
from reporting.dispatch.api import register as register_dispatch
from reporting.evaluation.api import register as register_evaluation
from reporting.indicators.api import register as register_indicators
from reporting.notices.api import register as register_notices
from reporting.region.api import register as register_region
from reporting.reports.api import register as register_reports


def register(router: DefaultRouter) -> None:
    register_reports(router)
    register_bulletins(router)
    register_evaluation(router)
    register_notices(router)
    register_indicators(router)
    register_dispatch(router)
    register_region(router)
