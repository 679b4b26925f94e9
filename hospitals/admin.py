from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from exports.admin import xlsx_export_action
from hospitals.models import (
    ChangeRecord,
    Department,
    Hospital,
    MedicalAlliance,
    OnboardingImport,
    OrgUnit,
    Person,
    Post,
    User,
)
from hospitals.onboarding import onboarding_imports_visible_to
from hospitals.selectors import hospitals_visible_to, org_units_visible_to, scope_queryset

admin.site.site_header = "讲医改、见行动、出成效 活动管理"
admin.site.site_title = "讲见效活动管理"
admin.site.index_title = "阿拉善盟卫生健康委员会"


class ScopedAdminMixin:
    """Limits changelists to the signed-in user's scope through the one scope selector."""

    scope_hospital_field: str | None = "hospital"
    scope_unit_field: str | None = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)  # type: ignore[misc]
        return scope_queryset(
            qs, request.user, hospital_field=self.scope_hospital_field, unit_field=self.scope_unit_field
        )


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "commission_name"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrgUnit]:
        return org_units_visible_to(request.user).select_related("parent")


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "role", "start_on", "end_on"]


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0
    autocomplete_fields = ["head"]


@admin.register(Hospital)
class HospitalAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "banner", "level", "type", "is_city_tertiary", "staff_count", "is_sample"]
    list_filter = ["banner", "level", "type", "is_city_tertiary", "alliances", "is_sample"]
    search_fields = ["name", "code"]
    list_select_related = ["banner"]
    inlines = [PostInline, DepartmentInline]
    actions = [xlsx_export_action("hospital_roster")]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Hospital]:
        return hospitals_visible_to(request.user)


@admin.register(Person)
class PersonAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = "org_unit"
    list_display = ["name", "code", "hospital", "org_unit", "title"]
    list_filter = ["hospital__banner", "hospital__level", "org_unit"]
    search_fields = ["name", "code", "title", "hospital__name"]
    list_select_related = ["hospital", "org_unit"]


@admin.register(Post)
class PostAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = "org_unit"
    list_display = ["person", "role", "hospital", "org_unit", "start_on", "end_on"]
    list_filter = ["role", "hospital__banner", "hospital__level"]
    search_fields = ["person__name", "hospital__name"]
    autocomplete_fields = ["person", "hospital"]
    list_select_related = ["person", "hospital", "org_unit"]


@admin.register(Department)
class DepartmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "hospital", "head"]
    list_filter = ["hospital__banner", "hospital__level", "hospital__type"]
    search_fields = ["name", "hospital__name", "head__name"]
    autocomplete_fields = ["hospital", "head"]
    list_select_related = ["hospital", "head"]


@admin.register(MedicalAlliance)
class MedicalAllianceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_hospital_field = "lead_hospital"
    scope_unit_field = "assessed_by"
    list_display = ["name", "code", "kind", "assessed_by", "lead_hospital"]
    list_filter = ["kind", "assessed_by"]
    search_fields = ["name", "code", "members__name"]
    filter_horizontal = ["members"]
    list_select_related = ["assessed_by", "lead_hospital"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "first_name",
        "role",
        "hospital",
        "org_unit",
        "is_active",
        "must_change_password",
        "last_login",
    ]
    list_filter = ["role", "is_active", "must_change_password", "hospital__banner", "org_unit"]
    search_fields = ["username", "first_name", "email", "hospital__name"]
    list_select_related = ["hospital", "org_unit"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("角色与范围", {"fields": ("role", "hospital", "org_unit")}),
        ("初始密码", {"fields": ("must_change_password",)}),
    )
    # The password typed here is a one-time password: the new user must change it at first login
    # (hospitals.accounts; the `create_account` command does the same with a generated one).
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("角色与范围", {"fields": ("role", "hospital", "org_unit", "email")}),
        ("初始密码", {"fields": ("must_change_password",)}),
    )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"must_change_password": True, **super().get_changeform_initial_data(request)}


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "content_type", "object_id", "actor", "channel"]
    list_filter = ["channel", "action", "content_type"]
    search_fields = ["object_id", "actor__username", "reason"]
    list_select_related = ["actor", "content_type"]
    readonly_fields = [f.name for f in ChangeRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OnboardingImport)
class OnboardingImportAdmin(admin.ModelAdmin):
    """The uploads of the onboarding workbook, read only: uploading and confirming are the 入驻导入 page's
    (``hospitals.onboarding``), where the dry run is shown and the one-time passwords are given out."""

    list_display = [
        "league",
        "file_name",
        "status",
        "uploaded_by",
        "uploaded_at",
        "confirmed_at",
        "page_link",
    ]
    list_filter = ["status", "league"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OnboardingImport]:
        return onboarding_imports_visible_to(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="入驻导入页")
    def page_link(self, obj: OnboardingImport) -> str:
        return format_html(
            '<a href="{}">预览与确认</a>', reverse("hospitals:onboarding_import", args=[obj.pk])
        )
