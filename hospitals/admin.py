from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from core.pages import add_service_error, error_text
from core.records import refuse_owner_change
from exports.admin import xlsx_export_action
from hospitals import people
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


class ReadOnlyInline(admin.TabularInline):
    """Shown on the hospital for reading; posts and departments change on their own admin pages (and the
    hospital's people page), which call the services of ``hospitals.people``."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PostInline(ReadOnlyInline):
    model = Post
    fields = ["person", "role", "start_on", "end_on"]
    readonly_fields = ["person", "role", "start_on", "end_on"]


class DepartmentInline(ReadOnlyInline):
    model = Department
    fields = ["name", "head"]
    readonly_fields = ["name", "head"]


ADMIN = ChangeRecord.Channel.ADMIN


class PeopleForm(forms.ModelForm):
    """A ModelForm whose clean() asks the service (``check``); ``actor`` is set by the admin's get_form,
    and the save goes through the service too (``PeopleAdmin``)."""

    actor: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            self.check(cleaned)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(self, exc)
        return cleaned

    def validate_unique(self) -> None:
        """Uniqueness is the service's refusal (with its Chinese message)."""

    def _post_clean(self) -> None:
        # The instance is built and checked by the service; the model's own constraints are its refusals.
        pass

    def check(self, cleaned: dict[str, Any]) -> None:
        raise NotImplementedError


class PeopleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            saved = self.update(request, self.model._default_manager.get(pk=obj.pk), form)
        else:
            saved = self.create(request, form)
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service wrote the row; the inlines are read-only."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._delete_or_say_why(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self._delete_or_say_why(request, obj)

    def _delete_or_say_why(self, request: HttpRequest, obj: Any) -> None:
        """A refused deletion (a person with posts, say) is shown as an error; the row stays."""
        try:
            self.delete(request, obj)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, f"{obj}：{error_text(exc)}", level=messages.ERROR)

    def create(self, request: HttpRequest, form: Any) -> Any:
        raise NotImplementedError

    def update(self, request: HttpRequest, obj: Any, form: Any) -> Any:
        raise NotImplementedError

    def delete(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError


def _person_data(cleaned: dict[str, Any]) -> people.PersonData:
    return people.PersonData(
        name=cleaned.get("name") or "",
        title=cleaned.get("title") or "",
        email=cleaned.get("email") or "",
        phone=cleaned.get("phone") or "",
    )


class PersonForm(PeopleForm):
    email = forms.CharField(label="电子邮箱", required=False, max_length=254)

    class Meta:
        model = Person
        fields = ["code", "name", "hospital", "org_unit", "title", "email", "phone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["code"].help_text = "留空则自动生成（如 H004-P10）"

    def check(self, cleaned: dict[str, Any]) -> None:
        if self.instance.pk:
            refuse_owner_change(
                self.instance,
                {
                    "code": cleaned.get("code") or self.instance.code,
                    "hospital": cleaned.get("hospital"),
                    "org_unit": cleaned.get("org_unit"),
                },
                what="人员",
            )
            people.person_check(actor=self.actor, data=_person_data(cleaned), person=self.instance)
        else:
            people.person_check(
                actor=self.actor,
                data=_person_data(cleaned),
                hospital=cleaned.get("hospital"),
                org_unit=cleaned.get("org_unit"),
                code=cleaned.get("code") or "",
            )


class PostForm(PeopleForm):
    class Meta:
        model = Post
        fields = ["person", "role", "hospital", "org_unit", "start_on", "end_on"]

    def check(self, cleaned: dict[str, Any]) -> None:
        if self.instance.pk:
            current = Post.objects.select_related("person", "hospital", "org_unit").get(pk=self.instance.pk)
            refuse_owner_change(
                current,
                {k: cleaned.get(k) for k in ("person", "role", "hospital", "org_unit")},
                what="职务",
            )
            post = people.post_with_dates(current, cleaned["start_on"], cleaned.get("end_on"))
            people.post_check(actor=self.actor, post=post, current=current)
            return
        hospital, org_unit = cleaned.get("hospital"), cleaned.get("org_unit")
        person = cleaned["person"]
        if hospital is None and org_unit is None:
            hospital, org_unit = people._default_owner(person, cleaned["role"])
        post = Post(
            person=person,
            role=cleaned["role"],
            hospital=hospital,
            org_unit=org_unit,
            start_on=cleaned["start_on"],
            end_on=cleaned.get("end_on"),
        )
        people.post_check(actor=self.actor, post=post)


class DepartmentForm(PeopleForm):
    class Meta:
        model = Department
        fields = ["hospital", "name", "head"]

    def check(self, cleaned: dict[str, Any]) -> None:
        if self.instance.pk:
            current = Department.objects.select_related("hospital").get(pk=self.instance.pk)
            refuse_owner_change(current, {"hospital": cleaned.get("hospital")}, what="科室")
            people.department_check(
                actor=self.actor,
                hospital=current.hospital,
                name=cleaned.get("name") or "",
                head=cleaned.get("head"),
                department=current,
            )
        else:
            people.department_check(
                actor=self.actor,
                hospital=cleaned["hospital"],
                name=cleaned.get("name") or "",
                head=cleaned.get("head"),
            )


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
class PersonAdmin(PeopleAdmin):
    form = PersonForm
    scope_unit_field = "org_unit"
    list_display = ["name", "code", "hospital", "org_unit", "title", "email", "phone"]
    list_filter = ["hospital__banner", "hospital__level", "org_unit"]
    search_fields = ["name", "code", "title", "email", "hospital__name"]
    list_select_related = ["hospital", "org_unit"]

    def create(self, request: HttpRequest, form: Any) -> Person:
        cleaned = form.cleaned_data
        return people.person_create(
            actor=request.user,
            channel=ADMIN,
            data=_person_data(cleaned),
            hospital=cleaned.get("hospital"),
            org_unit=cleaned.get("org_unit"),
            code=cleaned.get("code") or "",
        )

    def update(self, request: HttpRequest, obj: Person, form: Any) -> Person:
        return people.person_update(
            actor=request.user, channel=ADMIN, person=obj, data=_person_data(form.cleaned_data)
        )

    def delete(self, request: HttpRequest, obj: Person) -> None:
        people.person_delete(actor=request.user, channel=ADMIN, person=obj)


@admin.register(Post)
class PostAdmin(PeopleAdmin):
    form = PostForm
    scope_unit_field = "org_unit"
    list_display = ["person", "role", "hospital", "org_unit", "start_on", "end_on"]
    list_filter = ["role", "hospital__banner", "hospital__level"]
    search_fields = ["person__name", "hospital__name"]
    autocomplete_fields = ["person", "hospital"]
    list_select_related = ["person", "hospital", "org_unit"]

    def create(self, request: HttpRequest, form: Any) -> Post:
        cleaned = form.cleaned_data
        return people.post_create(
            actor=request.user,
            channel=ADMIN,
            person=cleaned["person"],
            role=cleaned["role"],
            start_on=cleaned["start_on"],
            end_on=cleaned.get("end_on"),
            hospital=cleaned.get("hospital"),
            org_unit=cleaned.get("org_unit"),
        )

    def update(self, request: HttpRequest, obj: Post, form: Any) -> Post:
        cleaned = form.cleaned_data
        return people.post_update(
            actor=request.user,
            channel=ADMIN,
            post=obj,
            start_on=cleaned["start_on"],
            end_on=cleaned.get("end_on"),
        )

    def delete(self, request: HttpRequest, obj: Post) -> None:
        people.post_delete(actor=request.user, channel=ADMIN, post=obj)


@admin.register(Department)
class DepartmentAdmin(PeopleAdmin):
    form = DepartmentForm
    list_display = ["name", "hospital", "head"]
    list_filter = ["hospital__banner", "hospital__level", "hospital__type"]
    search_fields = ["name", "hospital__name", "head__name"]
    autocomplete_fields = ["hospital", "head"]
    list_select_related = ["hospital", "head"]

    def create(self, request: HttpRequest, form: Any) -> Department:
        cleaned = form.cleaned_data
        return people.department_create(
            actor=request.user,
            channel=ADMIN,
            hospital=cleaned["hospital"],
            name=cleaned["name"],
            head=cleaned.get("head"),
        )

    def update(self, request: HttpRequest, obj: Department, form: Any) -> Department:
        cleaned = form.cleaned_data
        return people.department_update(
            actor=request.user, channel=ADMIN, department=obj, name=cleaned["name"], head=cleaned.get("head")
        )

    def delete(self, request: HttpRequest, obj: Department) -> None:
        people.department_delete(actor=request.user, channel=ADMIN, department=obj)


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        """A league admin sees its league's accounts only (``hospitals.people.league_bound``)."""
        qs = super().get_queryset(request)
        bound = people.league_bound(request.user) if isinstance(request.user, User) else None
        if bound is None:
            return qs
        return qs.filter(
            Q(hospital__banner__path__startswith=bound.path) | Q(org_unit__path__startswith=bound.path)
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The chosen hospital or unit must be one the admin manages (``account_manager_check``)."""
        form = super().get_form(request, obj, change=change, **kwargs)
        actor = request.user

        def clean(self: Any) -> dict[str, Any]:
            cleaned = form.clean(self) or {}
            try:
                people.account_manager_check(
                    actor, hospital=cleaned.get("hospital"), org_unit=cleaned.get("org_unit")
                )
            except PermissionDenied as exc:
                raise ValidationError(str(exc), code="permission_denied") from exc
            return cleaned

        return type(form.__name__, (form,), {"clean": clean})


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
