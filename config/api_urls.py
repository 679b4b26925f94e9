"""/api/v1/: each app registers its viewsets on the one router."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from campaign.api import register as register_campaign
from exports.api import register as register_exports
from hospitals.api import AuthTokenView
from hospitals.api import register as register_hospitals
from hospitals.onboarding_api import register as register_onboarding
from reporting.api import register as register_reporting

router = DefaultRouter()
router.include_root_view = True
register_hospitals(router)
register_onboarding(router)
register_campaign(router)
register_exports(router)
register_reporting(router)

urlpatterns = [path("auth/token/", AuthTokenView.as_view(), name="auth-token"), *router.urls]
