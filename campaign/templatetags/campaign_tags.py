"""Template helpers of 讲 and 见 pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist

from campaign.models import OVERDUE, SEEN_STATUS_LABELS, KeyDocument, ProgressStatus
from hospitals.models import ChangeRecord

register = template.Library()

# The colour of each status a reader sees: done and on track are fine, at risk warns, overdue alarms.
STATUS_BADGES = {
    ProgressStatus.DONE: "ok",
    ProgressStatus.ON_TRACK: "ok",
    ProgressStatus.AT_RISK: "warn",
    OVERDUE: "bad",
}


@register.inclusion_tag("campaign/_status.html")
def action_status(status: str) -> dict[str, str]:
    """An action item's status as a badge: ``{% action_status status %}``."""
    return {"label": str(SEEN_STATUS_LABELS.get(status, status)), "badge": STATUS_BADGES.get(status, "")}


# What each history action of 讲 and 见 records says, in the words of the page.
ACTION_LABELS = {
    "create": "新增",
    "update": "修改",
    "delete": "删除",
    "recommend": "推荐宣传",
    "unrecommend": "取消推荐",
}
# What a record of each model is called in a history line.
TARGET_LABELS = {
    "lecturesession": "宣讲",
    "lecturematerial": "材料",
    "actionitem": "行动项",
    "roadmapmilestone": "路线图节点",
    "progressentry": "月度进展",
    "launchrecord": "启动记录",
    "tourlecturer": "巡讲人选",
    "lectureplan": "宣讲计划",
    "dispatchreport": "调度报告",
    "leaguevisit": "出席记录",
}
# Stored files are shown as uploaded or not: their storage names are random and mean nothing to a reader.
FILE_FIELDS = ("courseware", "attachment", "file")
# A lecture plan's history names each key document's title and courseware as "<document code>.<field>".
PLAN_ITEM_FIELDS = {"title": "宣讲题目", "courseware": "课件"}


def _field_label(record: ChangeRecord, name: str) -> str:
    if record.content_type.model == "lectureplan" and "." in name:
        code, field_name = name.split(".", 1)
        number = KeyDocument.objects.filter(code=code).values_list("number", flat=True).first()
        return f"文件{number or code}{PLAN_ITEM_FIELDS.get(field_name, field_name)}"
    model = record.content_type.model_class()
    try:
        field = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        field = None
    if field is None or not hasattr(field, "verbose_name"):
        return {
            "coverage": "重点文件及层次",
            "supervising_officials": "出席指导的领导",
            "evidence": "佐证材料",
            "files": "附件",
        }.get(name, name)
    return str(field.verbose_name)


def _choice_labels(record: ChangeRecord, name: str) -> dict[Any, str]:
    """A choice field's labels (a progress status is shown as 按计划推进, not on_track)."""
    model = record.content_type.model_class()
    try:
        field = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        return {}
    return {value: str(label) for value, label in getattr(field, "choices", None) or []}


def _shown(value: Any, labels: dict[Any, str] | None = None) -> str:
    if labels and isinstance(value, str) and value in labels:
        return labels[value]
    if value in (None, "", []):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_shown(v) for v in value)
    return str(value)


def _change(record: ChangeRecord, name: str, old: Any, new: Any) -> tuple[str, str]:
    """One field's old and new value as a reader sees them; a replaced file is 原文件 → 新文件."""
    if name.endswith(FILE_FIELDS):
        if old and new:
            return "原文件", "新文件"
        return ("已上传" if old else "—"), ("已上传" if new else "—")
    labels = _choice_labels(record, name)
    return _shown(old, labels), _shown(new, labels)


@register.inclusion_tag("campaign/_history.html")
def history(records: Iterable[ChangeRecord]) -> dict[str, Any]:
    """History rows as lines a person reads: when, who, what, and each field's old → new."""
    lines = []
    for record in records:
        actor = record.actor
        lines.append(
            {
                "at": record.at,
                "who": (actor.get_full_name() or actor.username) if actor is not None else "系统",
                "what": TARGET_LABELS.get(record.content_type.model, ""),
                # A workflow's own steps (提交, 退回, 标记已阅…) are named by ChangeRecord.ACTION_LABELS.
                "action": ACTION_LABELS.get(record.action, record.action_label),
                "channel": record.get_channel_display(),
                "reason": record.reason,
                "changes": [
                    (_field_label(record, name), *_change(record, name, old, new))
                    for name, (old, new) in sorted(record.changes.items())
                    if record.action == "update" and name != "action_item"
                ],
            }
        )
    return {"lines": lines}
