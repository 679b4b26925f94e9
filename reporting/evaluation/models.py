"""The December evaluation (SPEC §7, notice §三(四))."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from campaign.models import Campaign
from hospitals.models import Hospital


class Evaluation(models.Model):
    """A hospital's December evaluation (年终评估) on 讲医改 / 见行动 / 出成效, computed from recorded data
    with the campaign's ``evaluation_rules``; rebuilding replaces the campaign's rows."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="活动", on_delete=models.PROTECT, related_name="evaluations"
    )
    hospital = models.ForeignKey(
        Hospital, verbose_name="医院", on_delete=models.PROTECT, related_name="evaluations"
    )
    lecture_score = models.DecimalField("讲医改得分", max_digits=6, decimal_places=2)
    action_score = models.DecimalField("见行动得分", max_digits=6, decimal_places=2)
    outcome_score = models.DecimalField("出成效得分", max_digits=6, decimal_places=2)
    total_score = models.DecimalField("总分", max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField("排名")
    proposed_commendation = models.BooleanField("拟表彰", default=False)
    details = models.JSONField("评分依据", default=dict)
    built_at = models.DateTimeField("评估时间")

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
