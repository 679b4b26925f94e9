"""Organisation endpoints: org units, hospitals and alliances read-only (seed files, the onboarding
workbook and the admin maintain them); people, posts and departments read-write through the services of
``hospitals.people``; and the token endpoint of the API's token authentication."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from exports.api import XlsxExportMixin
from hospitals import people
from hospitals.filters import HospitalFilter
from hospitals.models import ChangeRecord, Department, Hospital, MedicalAlliance, OrgUnit, Person, Post
from hospitals.selectors import hospitals_visible_to, org_units_visible_to, scope_queryset
from hospitals.serializers import (
    DepartmentSerializer,
    HospitalSerializer,
    MedicalAllianceSerializer,
    OrgUnitSerializer,
    PersonSerializer,
    PostSerializer,
)


class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrgUnitSerializer
    filterset_fields = ["kind", "parent"]

    def get_queryset(self) -> QuerySet[OrgUnit]:
        return org_units_visible_to(self.request.user)


class HospitalViewSet(XlsxExportMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = HospitalSerializer
    filterset_class = HospitalFilter
    export_kind = "hospital_roster"
    search_fields = ["name", "code"]

    def get_queryset(self) -> QuerySet[Hospital]:
        return hospitals_visible_to(self.request.user).order_by("code")


class PersonViewSet(viewsets.ModelViewSet):
    """People of the hospitals (and commissions) in scope; a hospital reporter keeps its own hospital's,
    a league admin its league's, reviewers read (``hospitals.people``)."""

    serializer_class = PersonSerializer
    filterset_fields = ["hospital", "org_unit"]

    def get_queryset(self) -> QuerySet[Person]:
        qs = Person.objects.order_by("code")
        return scope_queryset(qs, self.request.user, unit_field="org_unit")

    def perform_destroy(self, instance: Person) -> None:
        people.person_delete(actor=self.request.user, channel=ChangeRecord.Channel.API, person=instance)


class PostViewSet(viewsets.ModelViewSet):
    """Leader posts with dates; ending a post (``end_on``) and creating the successor's is a change of
    president or secretary, effective for the rules from those dates."""

    serializer_class = PostSerializer
    filterset_fields = ["hospital", "org_unit", "role"]

    def get_queryset(self) -> QuerySet[Post]:
        qs = Post.objects.select_related("person").order_by("id")
        return scope_queryset(qs, self.request.user, unit_field="org_unit")

    def perform_destroy(self, instance: Post) -> None:
        people.post_delete(actor=self.request.user, channel=ChangeRecord.Channel.API, post=instance)


class DepartmentViewSet(viewsets.ModelViewSet):
    serializer_class = DepartmentSerializer
    filterset_fields = ["hospital"]

    def get_queryset(self) -> QuerySet[Department]:
        return scope_queryset(Department.objects.select_related("head").order_by("id"), self.request.user)

    def perform_destroy(self, instance: Department) -> None:
        people.department_delete(
            actor=self.request.user, channel=ChangeRecord.Channel.API, department=instance
        )


class MedicalAllianceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MedicalAllianceSerializer
    filterset_fields = ["kind", "assessed_by"]

    def get_queryset(self) -> QuerySet[MedicalAlliance]:
        visible = hospitals_visible_to(self.request.user)
        return (
            MedicalAlliance.objects.filter(members__in=visible)
            .distinct()
            .prefetch_related("members")
            .order_by("code")
        )


class AuthTokenView(APIView):
    """Exchange a username and password for the account's API token.

    Throttled twice: by rate per client (``DEFAULT_THROTTLE_RATES["token"]``) and by django-axes per
    username and address, with a cool-off (``AXES_FAILURE_LIMIT`` failures → 429 for
    ``AXES_COOLOFF_MINUTES``).
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    serializer_class = AuthTokenSerializer

    @extend_schema(
        summary="以用户名和密码换取 API 令牌",
        request=AuthTokenSerializer,
        responses={200: inline_serializer("AuthToken", fields={"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        # django-axes reads and marks the Django request (not DRF's wrapper): its middleware turns a
        # lockout into the 429 of core.security.lockout_response.
        serializer = AuthTokenSerializer(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


def register(router: DefaultRouter) -> None:
    router.register("org-units", OrgUnitViewSet, basename="org-unit")
    router.register("hospitals", HospitalViewSet, basename="hospital")
    router.register("people", PersonViewSet, basename="person")
    router.register("posts", PostViewSet, basename="post")
    router.register("departments", DepartmentViewSet, basename="department")
    router.register("alliances", MedicalAllianceViewSet, basename="alliance")
