"""Banners' written progress reports to the league (调度, notice §三(三)) and the league's visits to
banner lectures (出席宣讲活动).

§三(三): "7月上旬开始,各级卫生健康行政部门定期书面或现场调度活动推进情况。并将有关情况上报盟卫生健康委。
盟卫生健康委将根据活动进展情况,赴各旗区出席宣讲活动". A banner's commission writes one report a month
(a text and files) from July; the league reads it (marks it read) or returns it with a reason, and the
banner edits and resubmits it. The league records the banner lectures (集中宣讲) it attended.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from campaign.models import Campaign, LectureSession, material_upload_to
from core.stamps import ClockStamp
from hospitals.models import OrgUnit


class DispatchReport(models.Model):
    """One banner's 调度 report for one calendar month. Its state changes only through
    ``reporting.dispatch.services``, which locks the row while it changes it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送"
        RETURNED = "returned", "已退回"
        RESUBMITTED = "resubmitted", "已重新报送"
        READ = "read", "已阅"

    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.PROTECT, related_name="dispatch_reports"
    )
    banner = models.ForeignKey(
        OrgUnit, verbose_name="旗(区)", on_delete=models.PROTECT, related_name="dispatch_reports"
    )
    month = models.DateField("月份", help_text="当月1日")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    text = models.TextField("调度情况", blank=True)
    first_submitted_at = models.DateTimeField("首次报送时间", null=True, blank=True)
    submitted_at = models.DateTimeField("最近报送时间", null=True, blank=True)
    # Fixed at the first submission, as for a hospital's report: a resubmission does not make it late.
    late_days = models.PositiveSmallIntegerField("逾期天数", default=0)
    return_count = models.PositiveSmallIntegerField("退回次数", default=0)
    return_reason = models.TextField("最近退回原因", blank=True)
    returned_at = models.DateTimeField("最近退回时间", null=True, blank=True)
    read_at = models.DateTimeField("阅知时间", null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="阅知人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填写人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = ClockStamp("创建时间", auto_now_add=True)
    updated_at = ClockStamp("更新时间", auto_now=True)

    class Meta:
        verbose_name = "旗(区)调度报告"
        verbose_name_plural = "旗(区)调度报告"
        ordering = ["-month", "banner__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["banner", "month"],
                name="dispatch_report_unique_per_banner_month",
                violation_error_message="该旗(区)本月的调度报告已存在。",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="dispatch_report_month_is_first_day",
                violation_error_message="月份须为当月1日。",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "month"], name="dispatch_campaign_month_idx")]

    def __str__(self) -> str:
        return f"{self.banner} {self.month:%Y年%m月}调度报告"

    @property
    def is_late(self) -> bool:
        return self.late_days > 0


class DispatchReportFile(models.Model):
    """A file attached to a 调度 report (checked by its bytes like every upload, ``campaign.files``)."""

    report = models.ForeignKey(
        DispatchReport, verbose_name="调度报告", on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField("文件", upload_to=material_upload_to, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("内容类型", max_length=100)
    size = models.PositiveBigIntegerField("大小(字节)")
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
        verbose_name = "调度报告附件"
        verbose_name_plural = "调度报告附件"
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.original_name


class LeagueVisit(models.Model):
    """The league commission attended a banner's 集中宣讲 (§三(三) 赴各旗区出席宣讲活动): when and who."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.PROTECT, related_name="league_visits"
    )
    lecture = models.OneToOneField(
        LectureSession, verbose_name="出席的宣讲", on_delete=models.CASCADE, related_name="league_visit"
    )
    visited_on = models.DateField("出席日期")
    attendees = models.CharField(
        "出席人员", max_length=300, help_text="如：盟卫生健康委主任范明亮、医改办王某"
    )
    note = models.TextField("出席情况", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = ClockStamp("录入时间", auto_now_add=True)
    updated_at = ClockStamp("更新时间", auto_now=True)

    class Meta:
        verbose_name = "盟卫生健康委出席宣讲"
        verbose_name_plural = "盟卫生健康委出席宣讲"
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on} 出席{self.lecture.title}"
