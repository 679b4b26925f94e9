"""The monthly bulletin (月度通报, SPEC §7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from campaign.models import Campaign


class Bulletin(models.Model):
    """The league's monthly bulletin (月度通报), one per campaign and month; rebuilding replaces it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.PROTECT, related_name="bulletins"
    )
    month = models.DateField("月份", help_text="当月1日")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField("内容", default=dict)
    workbook = models.FileField("Excel文件", upload_to="bulletins/", blank=True)
    built_at = models.DateTimeField("生成时间")
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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
        verbose_name = "月度通报"
        verbose_name_plural = "月度通报"
        ordering = ["-month", "campaign"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "month"],
                name="bulletin_unique_per_campaign_month",
                violation_error_message="该月通报已存在。",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="bulletin_month_is_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}通报"
