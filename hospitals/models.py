"""Organisations, people and accounts (SPEC §1, §2).

The hierarchy region → league → banner is data (``OrgUnit`` rows with a materialised path), so another
league or the whole region loads from a seed file without a code change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from core import clock
from core.stamps import ClockStamp


class OrgUnit(models.Model):
    """An administrative unit above the hospitals: 自治区, 盟(市), 旗(区) or a development zone."""

    class Kind(models.TextChoices):
        REGION = "region", "自治区"
        LEAGUE = "league", "盟(市)"
        BANNER = "banner", "旗(区)"

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("层级", max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # "/<root code>/<child code>/…/": descendants are a prefix match, so scope filters need no recursion.
    path = models.CharField(max_length=500, editable=False, db_index=True)
    commission_name = models.CharField("卫生健康委名称", max_length=100, blank=True)

    class Meta:
        verbose_name = "行政单位"
        verbose_name_plural = "行政单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        prefix = self.parent.path if self.parent_id and self.parent else "/"
        self.path = f"{prefix}{self.code}/"
        super().save(*args, **kwargs)

    def league(self) -> OrgUnit | None:
        unit: OrgUnit | None = self
        while unit is not None and unit.kind != self.Kind.LEAGUE:
            unit = unit.parent
        return unit


class Hospital(models.Model):
    class Level(models.TextChoices):
        SECONDARY = "secondary", "二级"
        TERTIARY = "tertiary", "三级"

    class Type(models.TextChoices):
        GENERAL = "general", "综合"
        TCM = "tcm", "中医/蒙医"
        MATERNAL_CHILD = "maternal_child", "妇幼"
        SPECIALTY = "specialty", "专科"

    code = models.CharField("机构编码", max_length=32, unique=True)
    name = models.CharField("医院名称", max_length=100)
    banner = models.ForeignKey(
        OrgUnit,
        verbose_name="所属旗(区)",
        on_delete=models.PROTECT,
        related_name="hospitals",
        limit_choices_to={"kind": OrgUnit.Kind.BANNER},
    )
    level = models.CharField("等级", max_length=10, choices=Level.choices)
    type = models.CharField("类别", max_length=20, choices=Type.choices, default=Type.GENERAL)
    is_city_tertiary = models.BooleanField("城市三级医院", default=False)
    staff_count = models.PositiveIntegerField("在职职工数", default=0)
    is_sample = models.BooleanField("示例数据", default=False, help_text="演示用的虚构医院")

    class Meta:
        verbose_name = "医院"
        verbose_name_plural = "医院"
        ordering = ["banner__path", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_city_tertiary=False) | Q(level="tertiary"),
                name="city_tertiary_is_tertiary",
                violation_error_message="城市三级医院必须是三级医院。",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_county_community(self) -> bool:
        """Whether the hospital leads or belongs to a 医共体. Read from the ``county_community``
        annotation when its queryset carries one (``hospitals.selectors.with_county_community``: lists
        judge it for all their rows in the same query), else asked once and kept on the instance."""
        known = self.__dict__.get("county_community")
        if known is None:
            known = MedicalAlliance.objects.filter(
                Q(lead_hospital=self) | Q(members=self), kind=MedicalAlliance.Kind.COUNTY_COMMUNITY
            ).exists()
            self.__dict__["county_community"] = known
        return bool(known)

    def leader_on(self, role: str, on: dt.date) -> Person | None:
        post = (
            self.posts.filter(role=role, start_on__lte=on)
            .filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
            .select_related("person")
            .order_by("-start_on")
            .first()
        )
        return post.person if post else None


class Person(models.Model):
    """Someone who can hold a post or speak at a lecture."""

    code = models.CharField("人员编码", max_length=32, unique=True)
    name = models.CharField("姓名", max_length=50)
    hospital = models.ForeignKey(
        Hospital,
        verbose_name="所在医院",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="所在卫生健康委",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    title = models.CharField("职务", max_length=100, blank=True)
    email = models.EmailField(
        "电子邮箱", blank=True, help_text="提醒、升级提醒（书记、院长）和行动项责任人提醒发往此地址。"
    )
    phone = models.CharField("联系电话", max_length=30, blank=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """A person holding a leading post for a period: 书记/院长 of a hospital, 主任/副主任 of a commission."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", "党委书记"
        PRESIDENT = "president", "院长"
        COMMISSION_HEAD = "commission_head", "卫生健康委主要负责人"
        COMMISSION_DEPUTY = "commission_deputy", "卫生健康委分管领导"

    HOSPITAL_ROLES = (Role.SECRETARY, Role.PRESIDENT)

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="posts")
    role = models.CharField("职务", max_length=20, choices=Role.choices)
    hospital = models.ForeignKey(
        Hospital, verbose_name="医院", null=True, blank=True, on_delete=models.CASCADE, related_name="posts"
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="卫生健康委",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="posts",
    )
    start_on = models.DateField("任职日期")
    end_on = models.DateField("离任日期", null=True, blank=True)

    class Meta:
        verbose_name = "领导职务"
        verbose_name_plural = "领导职务"
        ordering = ["-start_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="post_dates_ordered",
                violation_error_message="离任日期不能早于任职日期。",
            ),
            models.CheckConstraint(
                condition=(
                    Q(role__in=["secretary", "president"], hospital__isnull=False, org_unit__isnull=True)
                    | Q(
                        role__in=["commission_head", "commission_deputy"],
                        hospital__isnull=True,
                        org_unit__isnull=False,
                    )
                ),
                name="post_belongs_to_matching_organisation",
                violation_error_message="书记、院长属于医院；卫生健康委负责人属于旗(区)或盟。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital or self.org_unit} {self.get_role_display()} {self.person}"

    def held_on(self, on: dt.date) -> bool:
        return self.start_on <= on and (self.end_on is None or on <= self.end_on)


class Department(models.Model):
    hospital = models.ForeignKey(
        Hospital, verbose_name="医院", on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField("科室名称", max_length=50)
    head = models.ForeignKey(
        Person, verbose_name="科室主任", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "科室"
        verbose_name_plural = "科室"
        ordering = ["hospital", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "name"], name="department_unique_per_hospital")
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.name}"


class MedicalAlliance(models.Model):
    """医联体. 医疗集团 are assessed by the league, 医共体 by their banner (notice §二(二)4(2))."""

    class Kind(models.TextChoices):
        MEDICAL_GROUP = "medical_group", "医疗集团"
        COUNTY_COMMUNITY = "county_community", "医共体"

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    assessed_by = models.ForeignKey(
        OrgUnit, verbose_name="考核单位", on_delete=models.PROTECT, related_name="assessed_alliances"
    )
    lead_hospital = models.ForeignKey(
        Hospital, verbose_name="牵头医院", on_delete=models.PROTECT, related_name="led_alliances"
    )
    members = models.ManyToManyField(Hospital, verbose_name="成员医院", related_name="alliances", blank=True)

    class Meta:
        verbose_name = "医联体"
        verbose_name_plural = "医联体"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    HOSPITAL_REPORTER = "hospital_reporter", "医院填报员"
    BANNER_REVIEWER = "banner_reviewer", "旗(区)审核员"
    LEAGUE_REVIEWER = "league_reviewer", "盟审核员"
    # Attached to the region OrgUnit: reads every league, writes nothing (issue 16; docs/decisions.md).
    REGION_REVIEWER = "region_reviewer", "自治区审核员"
    ADMIN = "admin", "系统管理员"


class UserManager(DjangoUserManager["User"]):
    """Django's manager, except that a superuser is an admin-role account (SPEC §1).

    Django's own ``createsuperuser`` calls ``create_superuser``; without a role it would get the
    default one, a hospital reporter without a hospital, which ``user_scope_matches_role`` refuses.
    """

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("role", Role.ADMIN)
        if extra_fields["role"] != Role.ADMIN:
            raise ValueError("超级用户的角色必须是系统管理员。")
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """An account with one role and the organisation that bounds what it may see (SPEC §1).

    Only an admin-role account may be staff or superuser (``user_staff_is_admin``): the Django admin
    is shown to admins only; reviewers and hospitals work on the pages and the API (docs/decisions.md).
    """

    # Shown in the admin next to stamps on the clock (AbstractUser's default is the real time).
    date_joined = models.DateTimeField("注册时间", default=clock.now)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.HOSPITAL_REPORTER)
    hospital = models.ForeignKey(
        Hospital,
        verbose_name="所属医院",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    must_change_password = models.BooleanField(
        "须修改初始密码",
        default=False,
        help_text="账号使用管理员发放的一次性初始密码：登录后须先修改密码，才能使用网页和接口。",
    )

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="hospital_reporter", hospital__isnull=False, org_unit__isnull=True)
                    | Q(
                        role__in=["banner_reviewer", "league_reviewer", "region_reviewer"],
                        hospital__isnull=True,
                        org_unit__isnull=False,
                    )
                    | Q(role="admin", hospital__isnull=True)
                ),
                name="user_scope_matches_role",
                violation_error_message="医院填报员须指定医院；审核员须指定旗(区)或盟；管理员不属于医院。",
            ),
            models.CheckConstraint(
                condition=Q(role="admin") | Q(is_staff=False, is_superuser=False),
                name="user_staff_is_admin",
                violation_error_message="只有系统管理员可以进入后台管理（职员状态、超级用户）。",
            ),
        ]

    @property
    def is_reviewer(self) -> bool:
        return self.role in (Role.BANNER_REVIEWER, Role.LEAGUE_REVIEWER)

    @property
    def is_league_level(self) -> bool:
        return self.role in (Role.LEAGUE_REVIEWER, Role.ADMIN) or self.is_superuser

    @property
    def is_read_only(self) -> bool:
        """The region reviewer reads every league and writes nothing (``require_*_in_scope`` refuse it)."""
        return self.role == Role.REGION_REVIEWER

    @property
    def sees_everything(self) -> bool:
        """A system admin's scope has no bounds (SPEC §1); a league admin (an admin-role account of a
        league, ``hospitals.people.league_bound``) reads its own league only, like its reviewers."""
        return (self.is_superuser or self.role == Role.ADMIN) and self.org_unit_id is None

    @property
    def scope_name(self) -> str:
        """The organisation that bounds the account, in words ("阿拉善左旗"), "全部" for an admin."""
        if self.sees_everything:
            return "全部"
        if self.role == Role.HOSPITAL_REPORTER and self.hospital is not None:
            return self.hospital.name
        return self.org_unit.name if self.org_unit is not None else ""


class ChangeRecord(models.Model):
    """One change to a record: who, when, through which channel, and the old → new values.

    Written by ``hospitals.audit.record_change`` from the services, never by signals, so that each row
    says what the service meant to change.
    """

    class Channel(models.TextChoices):
        WEB = "web", "网页"
        API = "api", "API"
        ADMIN = "admin", "后台"
        EXCEL = "excel", "Excel导入"
        SYSTEM = "system", "系统"

    # What each ``action`` a service writes is called on a page; an action missing here shows as itself.
    ACTION_LABELS = {
        "create": "新建",
        "update": "修改",
        "delete": "删除",
        "submit": "提交",
        "resubmit": "重新提交",
        "banner_review": "初审通过",
        "approve": "审核通过",
        "return": "退回",
        "reopen": "解锁后退回修改",
        "unlock_request": "申请解锁",
        "unlock": "同意解锁",
        "unlock_refuse": "不同意解锁",
        "build": "生成",
        "publish": "发布",
        "recommend": "推荐宣传",
        "read": "标记已阅",
        "evaluation_build": "生成年终评估",
        "evaluation_publish": "发布年终评估",
        "assessment_import_confirm": "确认导入绩效考核结果",
        "assessment_result_import": "导入绩效考核结果",
        "indicator_import_confirm": "Excel导入确认",
        "onboarding_confirm": "入驻工作簿导入确认",
        "indicator_value_create": "填报指标",
        "indicator_value_update": "修改指标",
        "indicator_value_delete": "删除指标",
        "indicator_value_explain": "填写情况说明",
    }

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    action = models.CharField("操作", max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices, default=Channel.WEB)
    at = ClockStamp("时间", auto_now_add=True, db_index=True)
    changes = models.JSONField("变更内容", default=dict, help_text='{"字段": ["旧值", "新值"]}')
    reason = models.TextField("原因", blank=True)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="change_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.content_type.model}#{self.object_id}"

    @property
    def action_label(self) -> str:
        return self.ACTION_LABELS.get(self.action, self.action)

    @property
    def actor_name(self) -> str:
        """The person's name (else the account name); "系统" for a change no one made by hand."""
        if self.actor is None:
            return "系统"
        return self.actor.get_full_name() or self.actor.username


class OnboardingImport(models.Model):
    """One uploaded onboarding workbook of a league (SPEC §11): its dry run, kept so that confirming
    writes what the clerk saw and never reads the file again (``hospitals.onboarding``).

    ``rows`` holds the parsed rows sheet by sheet, ``errors`` every error by sheet and cell, ``changes``
    every row that would be created or changed with its fields as old → new, ``summary`` the counts per
    sheet. One-time passwords of the accounts it creates are never stored: the confirm shows them once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        INVALID = "invalid", "有错误"
        CONFIRMED = "confirmed", "已导入"

    league = models.ForeignKey(
        OrgUnit,
        verbose_name="盟(市)",
        on_delete=models.CASCADE,
        related_name="onboarding_imports",
        limit_choices_to={"kind": OrgUnit.Kind.LEAGUE},
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    file_sha256 = models.CharField("文件摘要", max_length=64)
    rows = models.JSONField("解析结果", default=dict)
    errors = models.JSONField("错误", default=list)
    changes = models.JSONField("变更", default=list)
    summary = models.JSONField("汇总", default=dict)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = ClockStamp("上传时间", auto_now_add=True)
    confirmed_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = "入驻工作簿导入"
        verbose_name_plural = "入驻工作簿导入"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.league} {self.file_name} {self.get_status_display()}"
