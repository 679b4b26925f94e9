"""Monthly outcome-indicator values (SPEC §6) and their Excel imports (SPEC §9).

An ``IndicatorValue`` is one unit's raw figures for one indicator and one calendar month: numerator and
denominator for a ratio, a count, or yes/no answers. Percentages are never stored; periods are
aggregated from the raw numbers (``reporting.indicator_selectors``). Last year's baseline is the same
model with months of the year before the campaign's year.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from campaign.models import Campaign, Indicator
from core.stamps import ClockStamp
from hospitals.models import Hospital, OrgUnit

# Money (医疗收入 of a tertiary hospital, in yuan) needs 12 integer digits; 2 decimals keep the fen.
AMOUNT_DIGITS = 16
AMOUNT_DECIMALS = 2


class IndicatorValue(models.Model):
    """One unit's raw figures for one indicator and month; which fields are filled follows the value type.

    The owner is a hospital or a banner (``unit``), never both, as the indicator's reporting level says.
    ``answers`` holds one yes/no per part for ``boolean_set`` and a single one for ``boolean``.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="values"
    )
    hospital = models.ForeignKey(
        Hospital,
        verbose_name="医院",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicator_values",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name="旗(区)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicator_values",
        limit_choices_to={"kind": OrgUnit.Kind.BANNER},
    )
    month = models.DateField("月份", help_text="当月1日")
    numerator = models.DecimalField(
        "分子", max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_DECIMALS, null=True, blank=True
    )
    denominator = models.DecimalField(
        "分母", max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_DECIMALS, null=True, blank=True
    )
    count = models.BigIntegerField("数量", null=True, blank=True)
    answers = models.JSONField("是/否", default=list, blank=True, help_text="每项一个 true/false")
    explanation = models.TextField("情况说明", blank=True, help_text="同比变化过大或超出合理范围时须填写")
    created_at = ClockStamp("创建时间", auto_now_add=True)
    updated_at = ClockStamp("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "指标值"
        verbose_name_plural = "指标值"
        ordering = ["month", "indicator__order", "hospital__code", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "hospital", "month"],
                condition=Q(hospital__isnull=False),
                name="indicator_value_unique_per_hospital_month",
                violation_error_message="该医院本月已填报此指标。",
            ),
            models.UniqueConstraint(
                fields=["indicator", "unit", "month"],
                condition=Q(unit__isnull=False),
                name="indicator_value_unique_per_unit_month",
                violation_error_message="该旗(区)本月已填报此指标。",
            ),
            models.CheckConstraint(
                condition=Q(hospital__isnull=False, unit__isnull=True)
                | Q(hospital__isnull=True, unit__isnull=False),
                name="indicator_value_one_owner",
                violation_error_message="指标值须属于一家医院或一个旗(区)，且只属于其一。",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="indicator_value_month_first_day",
                violation_error_message="月份须为当月1日。",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(numerator__isnull=True) | Q(numerator__gte=0))
                    & (Q(denominator__isnull=True) | Q(denominator__gt=0))
                    & (Q(count__isnull=True) | Q(count__gte=0))
                ),
                name="indicator_value_numbers_valid",
                violation_error_message="数值不能为负，分母须大于0。",
            ),
        ]
        indexes = [models.Index(fields=["month", "indicator"], name="indicator_value_month_idx")]

    def __str__(self) -> str:
        owner = self.hospital or self.unit
        return f"{owner} {self.month:%Y-%m} {self.indicator.code}"

    @property
    def owner(self) -> Hospital | OrgUnit:
        owner = self.hospital or self.unit
        assert owner is not None  # guaranteed by indicator_value_one_owner
        return owner

    @property
    def is_baseline(self) -> bool:
        """A month of the year before the campaign's: last year's figure the campaign is judged against."""
        return self.month.year < self.indicator.campaign.year


class IndicatorImport(models.Model):
    """One uploaded indicator workbook: its dry run, kept so that confirming never re-trusts the client.

    ``rows`` holds the parsed, normalised values (one entry per indicator), ``errors`` every error by
    sheet and A1 cell, ``changes`` every field that would change as old → new.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        INVALID = "invalid", "有错误"
        CONFIRMED = "confirmed", "已导入"

    class Kind(models.TextChoices):
        MONTH = "month", "单月模板"
        BASELINE = "baseline", "上年基线(12个月)"

    campaign = models.ForeignKey(Campaign, verbose_name="活动", on_delete=models.CASCADE, related_name="+")
    hospital = models.ForeignKey(
        Hospital,
        verbose_name="医院",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicator_imports",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name="旗(区)",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicator_imports",
    )
    month = models.DateField("月份", help_text="基线导入为上年1月；各行另记其月份")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.MONTH)
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
        verbose_name = "指标导入"
        verbose_name_plural = "指标导入"
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hospital__isnull=False, unit__isnull=True)
                | Q(hospital__isnull=True, unit__isnull=False),
                name="indicator_import_one_owner",
                violation_error_message="导入须属于一家医院或一个旗(区)，且只属于其一。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital or self.unit} {self.month:%Y-%m} {self.get_status_display()}"


# --- Monthly reports, review, bulletin, evaluation, notifications, send log (issue 5) ---------------
# Defined in reporting/report_models.py; imported here so that Django registers them.
