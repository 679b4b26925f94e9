"""In-app notifications, and the send log that makes every reminder go out once."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.stamps import ClockStamp
from hospitals.models import Hospital


class Notification(models.Model):
    """An in-app message to one user (SPEC §8), read in the admin, the API and the pages."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("类型", max_length=30)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = ClockStamp("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_read_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class SendLog(models.Model):
    """One send of one reminder step through one channel. The unique key is what makes a retried task
    or a second beat run send nothing new: the row is claimed in the same transaction as the send."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", "站内通知"
        EMAIL = "email", "电子邮件"

    # "report:<hospital id>:<YYYY-MM>", "milestone:<id>:hospital:<id>", "action_item:<id>",
    # "digest:banner:<id>:<YYYY-MM>": a report is keyed by hospital and month because a reminder about a
    # report that was never started has no report row yet.
    target = models.CharField("对象", max_length=100)
    step = models.CharField("提醒节点", max_length=60)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    hospital = models.ForeignKey(
        Hospital, verbose_name="医院", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipients = models.TextField("接收人", blank=True)
    subject = models.CharField("标题", max_length=200, blank=True)
    sent_at = ClockStamp("发送时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "发送记录"
        verbose_name_plural = "发送记录"
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "step", "channel"], name="send_once_per_target_step_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.step} {self.channel}"
