"""Read-only organisation endpoints; organisations are maintained by seed files and the admin."""

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.routers import DefaultRouter

from .models import Department, Hospital, MedicalAlliance, OrgUnit, Person, Post
from .selectors import hospitals_visible_to, org_units_visible_to, scope_queryset
from .serializers import (
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


class HospitalViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = HospitalSerializer
    filterset_fields = ["banner", "level", "type", "is_city_tertiary", "alliances"]
    search_fields = ["name", "code"]

    def get_queryset(self) -> QuerySet[Hospital]:
        return hospitals_visible_to(self.request.user).order_by("code")


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonSerializer
    filterset_fields = ["hospital", "org_unit"]

    def get_queryset(self) -> QuerySet[Person]:
        qs = Person.objects.order_by("code")
        return scope_queryset(qs, self.request.user, unit_field="org_unit")


class PostViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PostSerializer
    filterset_fields = ["hospital", "org_unit", "role"]

    def get_queryset(self) -> QuerySet[Post]:
        qs = Post.objects.select_related("person").order_by("id")
        return scope_queryset(qs, self.request.user, unit_field="org_unit")


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    filterset_fields = ["hospital"]

    def get_queryset(self) -> QuerySet[Department]:
        return scope_queryset(Department.objects.order_by("id"), self.request.user)


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


def register(router: DefaultRouter) -> None:
    router.register("org-units", OrgUnitViewSet, basename="org-unit")
    router.register("hospitals", HospitalViewSet, basename="hospital")
    router.register("people", PersonViewSet, basename="person")
    router.register("posts", PostViewSet, basename="post")
    router.register("departments", DepartmentViewSet, basename="department")
    router.register("alliances", MedicalAllianceViewSet, basename="alliance")
