"""The admin side of exports: the job list, and ``xlsx_export_action`` for any scoped changelist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.functional import lazy

from exports.models import ExportJob
from exports.registry import IDS_PARAM, export_kind_get
from exports.selectors import export_jobs_for
from exports.services import export_start
from exports.writer import XLSX_MIME


def xlsx_export_action(kind_code: str) -> Callable[..., HttpResponseBase | None]:
    """An admin action exporting the selected rows (or all filtered rows with "select all") as ``kind_code``.

    The changelist's queryset is already limited to the user's scope by the ModelAdmin; the export limits
    again by scope and by the selected ids, so a forged id cannot reach outside it.
    """

    def export_selected(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponseBase | None:
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        try:
            outcome = export_start(actor=request.user, kind=kind_code, params={IDS_PARAM: ids})
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            modeladmin.message_user(request, text, messages.ERROR)
            return None
        if outcome.job is not None:
            modeladmin.message_user(
                request,
                f"共{outcome.rows}行，已转为后台导出（任务#{outcome.job.pk}），完成后在“导出任务”中下载。",
                messages.INFO,
            )
            return None
        return FileResponse(
            outcome.file, as_attachment=True, filename=outcome.filename, content_type=XLSX_MIME
        )

    # Lazy: admin modules are imported before this app's ready() registers the workbooks.
    export_selected.short_description = lazy(  # type: ignore[attr-defined]
        lambda: f"导出Excel：{export_kind_get(kind_code).title}", str
    )()
    export_selected.__name__ = f"export_{kind_code}"
    return export_selected


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "requested_by", "scope", "status", "rows_done", "rows_total", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExportJob]:
        return export_jobs_for(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ExportJob | None = None) -> bool:
        return False
