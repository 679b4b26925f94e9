"""/api/v1/ routes of the reporting app; each feature module registers its own viewsets here."""

from rest_framework.routers import DefaultRouter

from reporting.indicator_api import register as register_indicators


def register(router: DefaultRouter) -> None:
    register_indicators(router)
