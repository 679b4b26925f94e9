"""An export that runs as a task: what was asked, by whom, how far it got, and where the file is."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.stamps import ClockStamp


class ExportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    kind = models.CharField("导出类型", max_length=50)
    params = models.JSONField("筛选条件", default=dict, blank=True, help_text='{"参数": ["值", …]}')
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    # The requester's scope when asked, in words (e.g. "阿拉善左旗"): the rows themselves are always
    # limited by the requester's scope when the file is built.
    scope = models.CharField("数据范围", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已完成行数", default=0)
    file = models.FileField("文件", upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField("下载文件名", max_length=200, blank=True)
    error = models.TextField("错误信息", blank=True)
    created_at = ClockStamp("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file=""),
                name="export_done_has_file",
                violation_error_message="已完成的导出必须有文件。",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(finished_at__gte=models.F("started_at")),
                name="export_times_ordered",
                violation_error_message="完成时间不能早于开始时间。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.get_status_display()}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
