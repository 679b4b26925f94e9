"""The monthly self-check report, its reviews, return reasons and unlock requests (SPEC §7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from campaign.models import Campaign
from core.stamps import ClockStamp
from hospitals.models import Hospital


class MonthlyReport(models.Model):
    """One hospital's self-check for one calendar month (SPEC §7). Its state changes only through
    ``reporting.report_services``, which locks the row while it changes it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        BANNER_REVIEWED = "banner_reviewed", "旗(区)已初审"
        APPROVED = "approved", "已审核通过"
        RETURNED = "returned", "已退回"
        RESUBMITTED = "resubmitted", "已重新提交"

    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.PROTECT, related_name="monthly_reports"
    )
    hospital = models.ForeignKey(
        Hospital, verbose_name="医院", on_delete=models.PROTECT, related_name="monthly_reports"
    )
    month = models.DateField("月份", help_text="当月1日")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    problems = models.TextField("存在问题", blank=True)
    corrections = models.TextField("整改措施", blank=True)
    first_submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True)
    submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True)
    # Fixed at the first submission: a resubmission after a return does not make a report late.
    late_days = models.PositiveSmallIntegerField("逾期天数", default=0)
    banner_reviewed_at = models.DateTimeField("初审时间", null=True, blank=True)
    banner_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="初审人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_count = models.PositiveSmallIntegerField("退回次数", default=0)
    unlocked_until = models.DateField("解锁至", null=True, blank=True)
    created_at = ClockStamp("创建时间", auto_now_add=True)
    updated_at = ClockStamp("更新时间", auto_now=True)

    class Meta:
        verbose_name = "月度自查报告"
        verbose_name_plural = "月度自查报告"
        ordering = ["-month", "hospital__banner__path", "hospital__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "month"],
                name="monthly_report_unique_per_hospital_month",
                violation_error_message="该医院本月的自查报告已存在。",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="monthly_report_month_is_first_day",
                violation_error_message="月份须为当月1日。",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "month", "status"], name="report_campaign_month_idx")]

    def __str__(self) -> str:
        return f"{self.hospital} {self.month:%Y年%m月}自查报告"

    @property
    def is_late(self) -> bool:
        return self.late_days > 0


class ReportReview(models.Model):
    """One review of a report (banner first review, approval or return), with a snapshot of what the
    reviewer saw, so that a resubmission can show what changed since."""

    class Action(models.TextChoices):
        BANNER_REVIEW = "banner_review", "初审通过"
        APPROVE = "approve", "审核通过"
        RETURN = "return", "退回"

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField("审核结果", max_length=20, choices=Action.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = ClockStamp("时间", auto_now_add=True)
    reason = models.TextField("意见", blank=True)
    contents = models.JSONField("审核时的报告内容", default=dict)

    class Meta:
        verbose_name = "报告审核记录"
        verbose_name_plural = "报告审核记录"
        ordering = ["report", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.report} {self.get_action_display()}"


class ReviewComment(models.Model):
    """A reason for a return, attached to the item of the report it concerns."""

    class ItemKind(models.TextChoices):
        GENERAL = "general", "整体"
        NARRATIVE = "narrative", "问题与整改"
        LECTURE = "lecture", "宣讲"
        ACTION_ITEM = "action_item", "见行动任务"
        INDICATOR = "indicator", "出成效指标"

    review = models.ForeignKey(ReportReview, on_delete=models.CASCADE, related_name="comments")
    item_kind = models.CharField("所涉项目类型", max_length=20, choices=ItemKind.choices)
    # The item's key in the report contents ("indicator:O2.1-a", "lecture:12", "narrative:problems"):
    # the same key the change list of a resubmission uses, so a reviewer sees whether it was fixed.
    item_key = models.CharField("所涉项目", max_length=100, blank=True)
    item_label = models.CharField("项目名称", max_length=200, blank=True)
    text = models.TextField("退回原因")

    class Meta:
        verbose_name = "退回意见"
        verbose_name_plural = "退回意见"
        ordering = ["review", "id"]

    def __str__(self) -> str:
        return f"{self.item_label or self.get_item_kind_display()}: {self.text[:30]}"


class UnlockRequest(models.Model):
    """A hospital asks to edit a locked report; a league reviewer grants it until a date."""

    class Status(models.TextChoices):
        PENDING = "pending", "待处理"
        GRANTED = "granted", "已同意"
        REFUSED = "refused", "未同意"

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="unlock_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = ClockStamp("申请时间", auto_now_add=True)
    reason = models.TextField("申请理由")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    until = models.DateField("解锁至", null=True, blank=True)
    decision_note = models.TextField("处理意见", blank=True)

    class Meta:
        verbose_name = "解锁申请"
        verbose_name_plural = "解锁申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(status="pending"),
                name="one_pending_unlock_request_per_report",
                violation_error_message="该报告已有待处理的解锁申请。",
            ),
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(until__isnull=False),
                name="granted_unlock_has_until",
                violation_error_message="同意解锁须指定解锁截止日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} 解锁申请({self.get_status_display()})"
