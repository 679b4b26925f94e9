"""The campaign and its catalogues (SPEC §3–§6), loaded from ``seeds/`` by ``manage.py load_seed``.

Nothing here is hard-coded per year or league: a 2022 campaign, or another league's, is a new seed file.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

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


def applies_to_hospital(applies_to: str, hospital: Hospital) -> bool:
    if applies_to == Applicability.TERTIARY:
        return hospital.level == Hospital.Level.TERTIARY
    if applies_to == Applicability.SECONDARY:
        return hospital.level == Hospital.Level.SECONDARY
    if applies_to == Applicability.CITY_TERTIARY:
        return hospital.is_city_tertiary
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
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "出成效指标"
        verbose_name_plural = "出成效指标"
        ordering = ["campaign", "order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def applies_to_hospital(self, hospital: Hospital) -> bool:
        return self.reporting_level == self.ReportingLevel.HOSPITAL and applies_to_hospital(
            self.applies_to, hospital
        )
