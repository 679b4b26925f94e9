"""The December evaluation (SPEC §7, notice §三(四))."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from campaign.models import Campaign
from core.stamps import ClockStamp
from hospitals.models import Hospital, OrgUnit


class Evaluation(models.Model):
    """A hospital's December evaluation (年终评估) on 讲医改 / 见行动 / 出成效 and the 绩效考核 results,
    computed from recorded data with the campaign's ``evaluation_rules``; rebuilding replaces the
    campaign's rows. A draft until a league reviewer publishes it (``published_at``); hospitals and
    banners see only a published one."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.PROTECT, related_name="evaluations"
    )
    hospital = models.ForeignKey(
        Hospital, verbose_name="医院", on_delete=models.PROTECT, related_name="evaluations"
    )
    lecture_score = models.DecimalField("讲医改得分", max_digits=6, decimal_places=2)
    action_score = models.DecimalField("见行动得分", max_digits=6, decimal_places=2)
    outcome_score = models.DecimalField("出成效得分", max_digits=6, decimal_places=2)
    assessment_score = models.DecimalField(
        "绩效考核得分",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="未导入绩效考核结果时为空",
    )
    total_score = models.DecimalField("总分", max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField("排名")
    proposed_commendation = models.BooleanField("拟表彰", default=False)
    details = models.JSONField("评分依据", default=dict)
    built_at = models.DateTimeField("评估时间")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "年终评估"
        verbose_name_plural = "年终评估"
        ordering = ["campaign", "rank", "hospital__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "hospital"], name="evaluation_unique_per_hospital"),
            models.CheckConstraint(
                condition=Q(total_score__gte=0, total_score__lte=100), name="evaluation_total_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital} 年终评估"


class BannerEvaluation(models.Model):
    """A banner's December evaluation: its hospitals' mean total and its own banner-level work (its
    launch, its 集中宣讲, its banner-level indicators), ranked among the league's banners. Built,
    replaced and published with the hospitals' rows."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.PROTECT, related_name="banner_evaluations"
    )
    banner = models.ForeignKey(
        OrgUnit, verbose_name="旗(区)", on_delete=models.PROTECT, related_name="banner_evaluations"
    )
    hospitals_score = models.DecimalField("所属医院平均分", max_digits=6, decimal_places=2)
    work_score = models.DecimalField("旗(区)工作得分", max_digits=6, decimal_places=2)
    total_score = models.DecimalField("总分", max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField("排名")
    details = models.JSONField("评分依据", default=dict)
    built_at = models.DateTimeField("评估时间")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "旗(区)年终评估"
        verbose_name_plural = "旗(区)年终评估"
        ordering = ["campaign", "rank", "banner__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "banner"], name="banner_evaluation_unique"),
            models.CheckConstraint(
                condition=Q(total_score__gte=0, total_score__lte=100), name="banner_evaluation_total_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.banner} 年终评估"


class AssessmentResult(models.Model):
    """A hospital's public-hospital performance assessment results (全国和自治区公立医院绩效考核结果,
    notice §三(四)), as scores out of 100, imported from the league's workbook; either may be empty (a
    hospital the national or the regional assessment did not cover)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.CASCADE, related_name="assessment_results"
    )
    hospital = models.ForeignKey(
        Hospital, verbose_name="医院", on_delete=models.PROTECT, related_name="assessment_results"
    )
    national_score = models.DecimalField(
        "全国绩效考核得分", max_digits=5, decimal_places=2, null=True, blank=True
    )
    regional_score = models.DecimalField(
        "自治区绩效考核得分", max_digits=5, decimal_places=2, null=True, blank=True
    )
    updated_at = ClockStamp("更新时间", auto_now=True)

    class Meta:
        verbose_name = "绩效考核结果"
        verbose_name_plural = "绩效考核结果"
        ordering = ["campaign", "hospital__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "hospital"], name="assessment_unique_per_hospital"),
            models.CheckConstraint(
                condition=(Q(national_score__isnull=True) | Q(national_score__gte=0, national_score__lte=100))
                & (Q(regional_score__isnull=True) | Q(regional_score__gte=0, regional_score__lte=100)),
                name="assessment_scores_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital} 绩效考核结果"


class AssessmentImport(models.Model):
    """One uploaded 绩效考核 workbook: its dry run (rows, errors by sheet and cell, changes old → new),
    kept so that confirming writes the stored rows and never reads the file again."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        INVALID = "invalid", "有错误"
        CONFIRMED = "confirmed", "已导入"

    campaign = models.ForeignKey(Campaign, verbose_name="活动", on_delete=models.CASCADE, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    file_sha256 = models.CharField("文件摘要", max_length=64)
    rows = models.JSONField("解析结果", default=list)
    errors = models.JSONField("错误", default=list)
    changes = models.JSONField("变更", default=list)
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
        verbose_name = "绩效考核结果导入"
        verbose_name_plural = "绩效考核结果导入"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"绩效考核结果导入 #{self.pk}"
