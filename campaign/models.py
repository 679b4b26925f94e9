"""The campaign and its catalogues (SPEC §3–§6), loaded from ``seeds/`` by ``manage.py load_seed``.

Nothing here is hard-coded per year or league: a 2022 campaign, or another league's, is a new seed file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.stamps import ClockStamp
from hospitals.models import Hospital, OrgUnit


class Campaign(models.Model):
    code = models.SlugField("编码", max_length=50, unique=True)
    name = models.CharField("活动名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    league = models.ForeignKey(
        OrgUnit, verbose_name="组织单位", on_delete=models.PROTECT, related_name="campaigns"
    )
    document_number = models.CharField("文号", max_length=100, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    bulletin_from_month = models.PositiveSmallIntegerField("月度通报起始月", default=7)
    report_due_day = models.PositiveSmallIntegerField(
        "月报截止日", default=5, help_text="次月几日前提交上月自查报告"
    )
    lock_day = models.PositiveSmallIntegerField("月报锁定日", default=20, help_text="次月几日后月报只读")
    soft_change_bound_pct = models.DecimalField(
        "同比变化提示阈值(%)", max_digits=6, decimal_places=2, default=50, help_text="超过即需填写说明"
    )
    evaluation_rules = models.JSONField("年终评估规则", default=dict, blank=True)
    reminder_offsets = models.JSONField("提醒节点", default=list, blank=True)
    settings = models.JSONField("其他参数", default=dict, blank=True)

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        ordering = ["-year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="campaign_dates_ordered",
                violation_error_message="结束日期不能早于开始日期。",
            ),
            models.CheckConstraint(
                condition=Q(report_due_day__gte=1, report_due_day__lte=28, lock_day__gte=1, lock_day__lte=28),
                name="campaign_days_in_month",
                violation_error_message="截止日和锁定日须在1–28日之间。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A dated step of the timeline (SPEC §3); ``rule`` names the check the system runs for it."""

    class Rule(models.TextChoices):
        LAUNCH = "launch", "启动活动"
        LECTURE_PLAN = "lecture_plan", "确定宣讲题目、制作课件"
        CENTRALISED_LECTURE = "centralised_lecture", "旗(区)集中宣讲"
        LEADERS_IN_HOSPITAL = "leaders_in_hospital", "书记、院长分别全院宣讲"
        EXTERNAL_LECTURE = "external_lecture", "院外互讲/串讲"
        REGION_TOUR = "region_tour", "选拔全区巡讲讲师并完成巡讲"
        MONTHLY_REPORT = "monthly_report", "按月自查"
        EVALUATION = "evaluation", "年终评估"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    code = models.CharField("编码", max_length=30)
    name = models.CharField("名称", max_length=200)
    due_on = models.DateField("截止日期")
    rule = models.CharField("检查规则", max_length=30, choices=Rule.choices)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "时间节点"
        verbose_name_plural = "时间节点"
        ordering = ["campaign", "due_on", "code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="milestone_code_unique")]

    def __str__(self) -> str:
        return f"{self.due_on:%m-%d} {self.name}"


class KeyDocument(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="key_documents")
    code = models.CharField("编码", max_length=30)
    number = models.PositiveSmallIntegerField("序号")
    title = models.CharField("文件名称", max_length=200)
    theme = models.CharField("专题", max_length=100, blank=True)

    class Meta:
        verbose_name = "重点宣讲文件"
        verbose_name_plural = "重点宣讲文件"
        ordering = ["campaign", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="key_document_code_unique")]

    def __str__(self) -> str:
        return self.title


class Layer(models.Model):
    """One of the four layers 讲授/讲解/讲评/讲述 in which a key document is covered."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="layers")
    code = models.CharField("编码", max_length=30)
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("名称", max_length=20)
    description = models.CharField("内容", max_length=200, blank=True)

    class Meta:
        verbose_name = "宣讲层次"
        verbose_name_plural = "宣讲层次"
        ordering = ["campaign", "order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="layer_code_unique")]

    def __str__(self) -> str:
        return self.name


class LectureKind(models.Model):
    """A kind of lecture with the rule for who may speak (SPEC §4)."""

    class SpeakerRule(models.TextChoices):
        HOSPITAL_LEADER = "hospital_leader", "本院书记或院长"
        DEPARTMENT_HEAD = "department_head", "科室主任"
        LEADER_IN_PERSON = "leader_in_person", "书记或院长本人(不得替代)"
        TOUR_LECTURER = "tour_lecturer", "入选巡讲的书记或院长"
        COMMISSION_LEADER = "commission_leader", "旗(区)卫生健康委主要负责人或分管领导"

    class Venue(models.TextChoices):
        OWN_HOSPITAL = "own_hospital", "本院"
        HOST_HOSPITAL = "host_hospital", "他院(受讲医院)"
        ALLIANCE = "alliance", "医联体内"
        REGION = "region", "全区"
        BANNER = "banner", "旗(区)"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="lecture_kinds")
    code = models.CharField("编码", max_length=30)
    name = models.CharField("名称", max_length=30)
    speaker_rule = models.CharField("宣讲人要求", max_length=30, choices=SpeakerRule.choices)
    venue = models.CharField("宣讲场所", max_length=20, choices=Venue.choices)
    audience = models.CharField("宣讲对象", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "宣讲形式"
        verbose_name_plural = "宣讲形式"
        ordering = ["campaign", "order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="lecture_kind_code_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_external(self) -> bool:
        """Held outside the speaker's own hospital, where party history may not be lectured (§四(二))."""
        return self.venue in (self.Venue.HOST_HOSPITAL, self.Venue.ALLIANCE, self.Venue.REGION)


class ActionArea(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="action_areas")
    code = models.CharField("编码", max_length=10)
    name = models.CharField("方面", max_length=100)

    class Meta:
        verbose_name = "见行动方面"
        verbose_name_plural = "见行动方面"
        ordering = ["campaign", "code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="action_area_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Applicability(models.TextChoices):
    ALL = "all", "全部二级及以上公立医院"
    TERTIARY = "tertiary", "三级医院"
    SECONDARY = "secondary", "二级医院"
    CITY_TERTIARY = "city_tertiary", "城市三级医院"
    # 下转患者 (O4.2-b): "城市三级医院向医共体、医共体向基层" names the city tertiary hospitals and the
    # hospitals of a 医共体 (its lead and its members), no one else.
    REFERRAL_DOWN = "referral_down", "城市三级医院及医共体医院"


def applies_to_hospital(applies_to: str, hospital: Hospital) -> bool:
    if applies_to == Applicability.TERTIARY:
        return hospital.level == Hospital.Level.TERTIARY
    if applies_to == Applicability.SECONDARY:
        return hospital.level == Hospital.Level.SECONDARY
    if applies_to == Applicability.CITY_TERTIARY:
        return hospital.is_city_tertiary
    if applies_to == Applicability.REFERRAL_DOWN:
        # The 医共体 first: a page asks it whatever the hospital, so its queries do not depend on which.
        return hospital.in_county_community or hospital.is_city_tertiary
    return True


class ActionTask(models.Model):
    """One of the 11 见行动 tasks (SPEC §5). ``parts`` lists sub-tasks with their own applicability."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="action_tasks")
    area = models.ForeignKey(ActionArea, verbose_name="方面", on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField("编码", max_length=10)
    name = models.CharField("任务", max_length=200)
    description = models.TextField("内容", blank=True)
    applies_to = models.CharField(
        "适用范围", max_length=20, choices=Applicability.choices, default=Applicability.ALL
    )
    parts = models.JSONField(
        "子任务", default=list, blank=True, help_text='[{"name": …, "applies_to": "tertiary"}]'
    )

    class Meta:
        verbose_name = "见行动任务"
        verbose_name_plural = "见行动任务"
        ordering = ["campaign", "code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="action_task_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def applies_to_hospital(self, hospital: Hospital) -> bool:
        return applies_to_hospital(self.applies_to, hospital)

    def parts_for(self, hospital: Hospital) -> list[str]:
        return [p["name"] for p in self.parts if applies_to_hospital(p.get("applies_to", "all"), hospital)]


class Indicator(models.Model):
    """An 出成效 indicator (SPEC §6): what is entered, by whom, and how its target is judged."""

    class ValueType(models.TextChoices):
        COUNT = "count", "数量"
        RATIO = "ratio", "比例(分子/分母)"
        BOOLEAN = "boolean", "是/否"
        BOOLEAN_SET = "boolean_set", "多项是/否"

    class ReportingLevel(models.TextChoices):
        HOSPITAL = "hospital", "医院"
        BANNER = "banner", "旗(区)"

    class TargetKind(models.TextChoices):
        INCREASE = "increase", "较上年提高"
        DECREASE = "decrease", "较上年下降"
        INCREASE_PP = "increase_pp", "较上年提高N个百分点"
        INCREASE_PCT = "increase_pct", "较上年提高N%"
        MIN_BY_LEVEL = "min_by_level", "按医院等级不低于"
        ALL_YES = "all_yes", "全部为是"
        HOSPITAL_COUNT_INCREASE = "hospital_count_increase", "达标医院数较上年增加"

    class Display(models.TextChoices):
        PERCENT = "percent", "百分比"
        RATIO = "ratio", "比值"
        NUMBER = "number", "数值"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField("编码", max_length=20)
    item_code = models.CharField("项目", max_length=10)
    area = models.CharField("方面", max_length=100)
    item = models.CharField("工作", max_length=100, blank=True)
    name = models.CharField("指标名称", max_length=200)
    unit = models.CharField("单位", max_length=20, blank=True)
    value_type = models.CharField("值类型", max_length=20, choices=ValueType.choices)
    display = models.CharField("显示方式", max_length=10, choices=Display.choices, default=Display.NUMBER)
    reporting_level = models.CharField("填报层级", max_length=10, choices=ReportingLevel.choices)
    applies_to = models.CharField(
        "适用范围", max_length=20, choices=Applicability.choices, default=Applicability.ALL
    )
    numerator_label = models.CharField("分子", max_length=200, blank=True)
    denominator_label = models.CharField("分母", max_length=200, blank=True)
    numerator_may_exceed = models.BooleanField("分子可大于分母", default=False, help_text="如医护比")
    parts = models.JSONField("多项是/否的各项", default=list, blank=True)
    target_kind = models.CharField("目标规则", max_length=30, choices=TargetKind.choices)
    target_params = models.JSONField("目标参数", default=dict, blank=True)
    plausible_range = models.JSONField(
        "合理范围", default=dict, blank=True, help_text='按等级的合理区间，如 {"secondary": [0, 1]}'
    )
    also_reported_under = models.CharField(
        "同时计入项目",
        max_length=10,
        blank=True,
        help_text="通知中同一指标列于两个项目时填写另一项目编码（如O5.1）：填报一次，两处同时显示、评价",
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "出成效指标"
        verbose_name_plural = "出成效指标"
        ordering = ["campaign", "order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def reported_under(self) -> list[str]:
        """The items (项目) the indicator is reported under: its own, and the other one the notice lists
        it under (O5.1's 医疗服务收入占比 is O2.1-a's figure)."""
        return [self.item_code, *([self.also_reported_under] if self.also_reported_under else [])]

    @property
    def code_label(self) -> str:
        """The code as pages and workbooks print it: "O2.1-a（同时计入O5.1）" for an indicator reported
        under two items, the plain code otherwise."""
        if not self.also_reported_under:
            return self.code
        return f"{self.code}（同时计入{self.also_reported_under}）"

    def _number_text(self, number: object) -> str:
        """A target parameter as people read it: 0.6 of a percent indicator is "60%"."""
        value = Decimal(str(number))
        if self.value_type == self.ValueType.RATIO and self.display == self.Display.PERCENT:
            return f"{(value * 100).normalize():f}%"
        return f"{value.normalize():f}{self.unit}"

    @property
    def target_text(self) -> str:
        """The target in words with its numbers (较上年提高10个百分点), never the rule's template label."""
        params = self.target_params or {}
        kind = self.target_kind
        if kind == self.TargetKind.INCREASE_PP:
            return f"较上年提高{Decimal(str(params.get('pp', 0))).normalize():f}个百分点"
        if kind == self.TargetKind.INCREASE_PCT:
            return f"较上年提高{Decimal(str(params.get('pct', 0))).normalize():f}%"
        if kind == self.TargetKind.MIN_BY_LEVEL:
            levels = [
                f"{label}医院不低于{self._number_text(params[level])}"
                for level, label in Hospital.Level.choices
                if level in params
            ]
            return "；".join(levels) or self.get_target_kind_display()
        if kind == self.TargetKind.ALL_YES:
            return "全部为“是”"
        if kind == self.TargetKind.HOSPITAL_COUNT_INCREASE:
            threshold = params.get("threshold")
            setting = params.get("threshold_setting")
            if threshold is None and setting:
                threshold = (self.campaign.settings or {}).get(setting)
            if threshold is None or self.value_type != self.ValueType.RATIO:
                return "达标医院数较上年增加"
            return f"达到{self._number_text(threshold)}的医院数较上年增加"
        return self.get_target_kind_display()

    def applies_to_hospital(self, hospital: Hospital) -> bool:
        return self.reporting_level == self.ReportingLevel.HOSPITAL and applies_to_hospital(
            self.applies_to, hospital
        )


# ---------------------------------------------------------------------------------------------------
# 讲: lecture sessions and what belongs to them (SPEC §4). Every write goes through campaign.services.
# ---------------------------------------------------------------------------------------------------


class SpeakerRole(models.TextChoices):
    """The capacity in which a person spoke, derived from their posts on the lecture date."""

    SECRETARY = "secretary", "党委书记"
    PRESIDENT = "president", "院长"
    DEPARTMENT_HEAD = "department_head", "科室主任"
    COMMISSION_HEAD = "commission_head", "卫生健康委主要负责人"
    COMMISSION_DEPUTY = "commission_deputy", "卫生健康委分管领导"


class LectureSession(models.Model):
    """One lecture (宣讲活动). Organised by a hospital, or for 集中宣讲 by a banner's commission."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.PROTECT, related_name="lectures"
    )
    kind = models.ForeignKey(
        LectureKind, verbose_name="宣讲形式", on_delete=models.PROTECT, related_name="lectures"
    )
    hospital = models.ForeignKey(
        Hospital,
        verbose_name="组织医院",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lectures",
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name="组织单位(集中宣讲)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lectures",
    )
    held_on = models.DateField("宣讲日期", db_index=True)
    title = models.CharField("宣讲题目", max_length=200)
    speaker = models.ForeignKey(
        "hospitals.Person", verbose_name="宣讲人", on_delete=models.PROTECT, related_name="lectures"
    )
    speaker_role = models.CharField("宣讲人身份", max_length=20, choices=SpeakerRole.choices)
    department = models.ForeignKey(
        "hospitals.Department",
        verbose_name="科室(科室宣讲)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lectures",
    )
    party_history = models.BooleanField("宣讲百年党史", default=False)
    documents = models.ManyToManyField(
        KeyDocument,
        verbose_name="宣讲的重点文件",
        through="LectureCoverage",
        related_name="lectures",
        blank=True,
    )
    attendance_expected = models.PositiveIntegerField("应到人数", default=0)
    attendance_present = models.PositiveIntegerField("实到人数", default=0)
    on_duty_exempt = models.PositiveIntegerField(
        "正常值班人数", default=0, help_text="保留正常值班人员，不计缺席"
    )
    is_online = models.BooleanField("线上宣讲", default=False)
    online_link = models.URLField("线上链接", blank=True)
    supervising_officials = models.ManyToManyField(
        "hospitals.Person",
        verbose_name="出席指导的卫生健康委领导",
        related_name="supervised_lectures",
        blank=True,
    )
    supervision_note = models.CharField("出席指导情况(文字)", max_length=300, blank=True)
    host_hospital = models.ForeignKey(
        Hospital,
        verbose_name="受讲医院(院外互讲)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_lectures",
    )
    alliance = models.ForeignKey(
        "hospitals.MedicalAlliance",
        verbose_name="医联体(串讲)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lectures",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = ClockStamp("录入时间", auto_now_add=True)
    updated_at = ClockStamp("更新时间", auto_now=True)

    class Meta:
        verbose_name = "宣讲活动"
        verbose_name_plural = "宣讲活动"
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hospital__isnull=False, org_unit__isnull=True)
                | Q(hospital__isnull=True, org_unit__isnull=False),
                name="lecture_one_organiser",
                violation_error_message="宣讲活动须由一家医院或一个旗(区)卫生健康委组织。",
            ),
            models.CheckConstraint(
                condition=Q(attendance_present__lte=models.F("attendance_expected")),
                name="lecture_present_le_expected",
                violation_error_message="实到人数不能超过应到人数。",
            ),
            models.CheckConstraint(
                condition=Q(host_hospital__isnull=True) | ~Q(host_hospital=models.F("hospital")),
                name="lecture_host_not_own_hospital",
                violation_error_message="受讲医院不能是本院。",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "hospital", "held_on"], name="lecture_hospital_date_idx"),
            # The lists' order (newest first), for everyone, per hospital and per banner: page 1 and the
            # keyset pages of the API (?cursor=) read the index in order instead of sorting the table.
            models.Index(fields=["-held_on", "-id"], name="lecture_held_idx"),
            models.Index(fields=["hospital", "-held_on", "-id"], name="lecture_hospital_held_idx"),
            models.Index(fields=["org_unit", "-held_on", "-id"], name="lecture_unit_held_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"

    @property
    def organiser(self) -> Hospital | OrgUnit | None:
        return self.hospital or self.org_unit

    @property
    def attendance_rate(self) -> float | None:
        """Present over those who had to attend (expected minus on-duty staff)."""
        due = self.attendance_expected - self.on_duty_exempt
        return None if due <= 0 else min(1.0, self.attendance_present / due)


class LectureCoverage(models.Model):
    """A key document covered in one of the four layers at a lecture."""

    lecture = models.ForeignKey(LectureSession, on_delete=models.CASCADE, related_name="coverage")
    document = models.ForeignKey(KeyDocument, verbose_name="重点文件", on_delete=models.PROTECT)
    layer = models.ForeignKey(Layer, verbose_name="层次", on_delete=models.PROTECT)

    class Meta:
        verbose_name = "宣讲内容"
        verbose_name_plural = "宣讲内容"
        ordering = ["document__number", "layer__order"]
        constraints = [
            models.UniqueConstraint(fields=["lecture", "document", "layer"], name="lecture_coverage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.layer}"


def material_upload_to(instance: models.Model, filename: str) -> str:
    # The service names the file (a random name with the extension of the detected type), so nothing
    # the uploader typed ends up in a path.
    return f"materials/{filename}"


class MaterialKind(models.TextChoices):
    COURSEWARE = "courseware", "课件"
    VIDEO = "video", "视频"
    PHOTO = "photo", "照片"
    TEXT = "text", "文字材料"


class LectureMaterial(models.Model):
    """Courseware, video, photos or text of a lecture, reported to the league (§四(三)).

    Stored through Django's storage API under MEDIA_ROOT/materials/, which no URL serves: files are
    only downloaded through the scoped API endpoint.
    """

    lecture = models.ForeignKey(
        LectureSession, verbose_name="宣讲活动", on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField("材料类型", max_length=20, choices=MaterialKind.choices)
    title = models.CharField("说明", max_length=200, blank=True)
    file = models.FileField("文件", upload_to=material_upload_to, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("内容类型", max_length=100)
    size = models.PositiveBigIntegerField("大小(字节)")
    recommended_for_publicity = models.BooleanField("推荐宣传", default=False)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="推荐人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recommended_at = models.DateTimeField("推荐时间", null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = ClockStamp("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "宣讲材料"
        verbose_name_plural = "宣讲材料"
        ordering = ["lecture", "id"]

    def __str__(self) -> str:
        return self.title or self.original_name


class TourLecturer(models.Model):
    """A secretary or president selected as a 全区巡讲 lecturer (§三(二): 择优选拔出全区宣讲讲师)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.CASCADE, related_name="tour_lecturers"
    )
    person = models.ForeignKey(
        "hospitals.Person", verbose_name="讲师", on_delete=models.PROTECT, related_name="tour_selections"
    )
    selected_on = models.DateField("入选日期")
    note = models.CharField("说明", max_length=200, blank=True)
    # The 全区巡讲 milestone judges a selection on when it was entered as well as its typed date.
    created_at = ClockStamp("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "巡讲人选"
        verbose_name_plural = "巡讲人选"
        ordering = ["campaign", "selected_on", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="tour_lecturer_unique")]

    def __str__(self) -> str:
        return str(self.person)


class LaunchRecord(models.Model):
    """How a hospital or a banner/league launched the campaign (milestone 06-25)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.CASCADE, related_name="launch_records"
    )
    hospital = models.ForeignKey(
        Hospital, verbose_name="医院", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    launched_on = models.DateField("启动日期")
    meeting = models.CharField("启动会议", max_length=200)
    minutes = models.TextField("会议纪要", blank=True)
    attachment = models.FileField("纪要或照片", upload_to=material_upload_to, max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = ClockStamp("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "启动记录"
        verbose_name_plural = "启动记录"
        ordering = ["campaign", "launched_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hospital__isnull=False, org_unit__isnull=True)
                | Q(hospital__isnull=True, org_unit__isnull=False),
                name="launch_one_organiser",
                violation_error_message="启动记录属于一家医院或一个单位。",
            ),
            models.UniqueConstraint(
                fields=["campaign", "hospital"],
                condition=Q(hospital__isnull=False),
                name="launch_once_per_hospital",
                violation_error_message="该医院已有启动记录。",
            ),
            models.UniqueConstraint(
                fields=["campaign", "org_unit"],
                condition=Q(org_unit__isnull=False),
                name="launch_once_per_unit",
                violation_error_message="该单位已有启动记录。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital or self.org_unit} {self.launched_on}"


class LecturePlan(models.Model):
    """A hospital's fixed lecture titles and courseware, per key document (milestone 06-30)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.CASCADE, related_name="lecture_plans"
    )
    hospital = models.ForeignKey(
        Hospital, verbose_name="医院", on_delete=models.PROTECT, related_name="lecture_plans"
    )
    fixed_on = models.DateField("定稿日期", help_text="题目确定、课件制作完成的日期")
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = ClockStamp("录入时间", auto_now_add=True)
    updated_at = ClockStamp("更新时间", auto_now=True)

    class Meta:
        verbose_name = "宣讲计划"
        verbose_name_plural = "宣讲计划"
        ordering = ["campaign", "hospital"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "hospital"], name="lecture_plan_once_per_hospital")
        ]

    def __str__(self) -> str:
        return f"{self.hospital} 宣讲计划"


class LecturePlanItem(models.Model):
    plan = models.ForeignKey(LecturePlan, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey(KeyDocument, verbose_name="重点文件", on_delete=models.PROTECT)
    title = models.CharField("宣讲题目", max_length=200)
    courseware = models.FileField("课件", upload_to=material_upload_to, max_length=300, blank=True)
    # When the item first had both its title and its courseware (set by ``lecture_plan_item_set`` on the
    # clock): the 06-30 milestone asks when the plan was complete, not only its typed 定稿日期. A later
    # edit of a ready item (a new courseware file, a reworded title) keeps it.
    ready_at = models.DateTimeField("题目和课件齐备时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "宣讲计划题目"
        verbose_name_plural = "宣讲计划题目"
        ordering = ["plan", "document__number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "document"], name="lecture_plan_item_per_document")
        ]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------------------------------------------
# 见: action items (SPEC §5): 具体责任人、时间表和路线图, with monthly progress.
# ---------------------------------------------------------------------------------------------------


class ProgressStatus(models.TextChoices):
    """What a hospital may type. "Overdue" is not here: it is computed from the due date."""

    NOT_STARTED = "not_started", "未开始"
    ON_TRACK = "on_track", "按计划推进"
    AT_RISK = "at_risk", "存在风险"
    DONE = "done", "已完成"


OVERDUE = "overdue"  # the computed status: due date passed and not done
# Every status a reader sees: the typed ones and the computed 已逾期 (lists, filters, workbooks).
SEEN_STATUS_CHOICES = [*ProgressStatus.choices, (OVERDUE, "已逾期")]
SEEN_STATUS_LABELS = dict(SEEN_STATUS_CHOICES)


class ActionItem(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.PROTECT, related_name="action_items"
    )
    hospital = models.ForeignKey(
        Hospital, verbose_name="医院", on_delete=models.PROTECT, related_name="action_items"
    )
    task = models.ForeignKey(
        ActionTask, verbose_name="见行动任务", on_delete=models.PROTECT, related_name="items"
    )
    part = models.CharField(
        "子任务", max_length=200, blank=True, help_text="任务分项，如“全面推行总会计师制度”"
    )
    title = models.CharField("行动项", max_length=200)
    description = models.TextField("具体措施", blank=True)
    responsible = models.ForeignKey(
        "hospitals.Person", verbose_name="责任人", on_delete=models.PROTECT, related_name="action_items"
    )
    starts_on = models.DateField("开始日期")
    due_on = models.DateField("完成时限")
    # The last status typed in a progress entry; kept here so lists filter on it without a subquery.
    current_status = models.CharField(
        "最新进展状态", max_length=20, choices=ProgressStatus.choices, default=ProgressStatus.NOT_STARTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = ClockStamp("录入时间", auto_now_add=True)
    updated_at = ClockStamp("更新时间", auto_now=True)

    class Meta:
        verbose_name = "行动项"
        verbose_name_plural = "行动项"
        ordering = ["hospital", "task__code", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("starts_on")),
                name="action_item_dates_ordered",
                violation_error_message="完成时限不能早于开始日期。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task.code} {self.title}" if self.task_id else self.title

    def is_overdue(self, on: dt.date) -> bool:
        return self.due_on < on and self.current_status != ProgressStatus.DONE

    def status_on(self, on: dt.date) -> str:
        return OVERDUE if self.is_overdue(on) else self.current_status

    def status_label_on(self, on: dt.date) -> str:
        """The status a reader sees on ``on``, in words: 已逾期 once due and not done, else the typed one."""
        return str(SEEN_STATUS_LABELS[self.status_on(on)])


class RoadmapMilestone(models.Model):
    """A dated step of an action item's roadmap (路线图)."""

    action_item = models.ForeignKey(
        ActionItem, verbose_name="行动项", on_delete=models.CASCADE, related_name="roadmap"
    )
    title = models.CharField("节点", max_length=200)
    due_on = models.DateField("计划日期")
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = "路线图节点"
        verbose_name_plural = "路线图节点"
        ordering = ["action_item", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.due_on} {self.title}"


class ProgressEntry(models.Model):
    """The month's progress of an action item; one per item per month."""

    action_item = models.ForeignKey(
        ActionItem, verbose_name="行动项", on_delete=models.CASCADE, related_name="progress"
    )
    month = models.DateField("月份", help_text="当月1日")
    status = models.CharField("状态", max_length=20, choices=ProgressStatus.choices)
    note = models.TextField("进展说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = ClockStamp("填报时间", auto_now=True)

    class Meta:
        verbose_name = "月度进展"
        verbose_name_plural = "月度进展"
        ordering = ["action_item", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["action_item", "month"], name="progress_once_per_month"),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="progress_month_first_day",
                violation_error_message="月份须为当月1日。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_status_display()}"


class ProgressEvidence(models.Model):
    entry = models.ForeignKey(
        ProgressEntry, verbose_name="月度进展", on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField("佐证材料", upload_to=material_upload_to, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("内容类型", max_length=100)
    size = models.PositiveBigIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = ClockStamp("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["entry", "id"]

    def __str__(self) -> str:
        return self.original_name
