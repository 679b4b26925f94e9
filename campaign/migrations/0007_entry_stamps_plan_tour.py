"""Entry stamps for lecture plans, their items and tour selections (issue 15: milestones judge when a
record was entered). Rows made before the stamps get the best time the history knows: the record's
"create" change (a plan item: the last change of the plan naming its document), else the time the
record itself last carried (a plan's 更新时间; a tour selection's 入选日期 at noon in Shanghai)."""

import datetime as dt
from zoneinfo import ZoneInfo

import django.utils.timezone
from django.db import migrations, models

import core.stamps

SHANGHAI = ZoneInfo("Asia/Shanghai")


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    ChangeRecord = apps.get_model("hospitals", "ChangeRecord")
    LecturePlan = apps.get_model("campaign", "LecturePlan")
    TourLecturer = apps.get_model("campaign", "TourLecturer")

    def history(model):  # type: ignore[no-untyped-def]
        ct = ContentType.objects.filter(app_label="campaign", model=model._meta.model_name).first()
        if ct is None:
            return {}
        out: dict[str, list] = {}
        for record in ChangeRecord.objects.filter(content_type=ct).order_by("at", "id"):
            out.setdefault(record.object_id, []).append(record)
        return out

    plan_history = history(LecturePlan)
    for plan in LecturePlan.objects.all():
        records = plan_history.get(str(plan.pk), [])
        created = next((r.at for r in records if r.action == "create"), plan.updated_at)
        LecturePlan.objects.filter(pk=plan.pk).update(created_at=created)
        for item in plan.items.select_related("document"):
            if not (item.title and item.courseware):
                continue
            prefix = f"{item.document.code}."
            touched = [r.at for r in records if any(k.startswith(prefix) for k in (r.changes or {}))]
            item.ready_at = touched[-1] if touched else created
            item.save(update_fields=["ready_at"])
    tour_history = history(TourLecturer)
    for selection in TourLecturer.objects.all():
        records = tour_history.get(str(selection.pk), [])
        created = next(
            (r.at for r in records if r.action == "create"),
            dt.datetime.combine(selection.selected_on, dt.time(12), tzinfo=SHANGHAI),
        )
        TourLecturer.objects.filter(pk=selection.pk).update(created_at=created)


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0006_lecture_list_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("hospitals", "0004_stamps_on_the_clock"),
    ]

    operations = [
        migrations.AddField(
            model_name="lectureplan",
            name="created_at",
            field=core.stamps.ClockStamp(
                auto_now_add=True, default=django.utils.timezone.now, verbose_name="录入时间"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="lectureplanitem",
            name="ready_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="题目和课件齐备时间"),
        ),
        migrations.AddField(
            model_name="tourlecturer",
            name="created_at",
            field=core.stamps.ClockStamp(
                auto_now_add=True, default=django.utils.timezone.now, verbose_name="录入时间"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
