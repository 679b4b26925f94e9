"""The region page (全区汇总): the rollup per league and the region's downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from core import clock
from reporting.region.api import REFUSED
from reporting.region.bundle import publicity_bundle
from reporting.region.selectors import region_rollup, region_rollup_allowed
from reporting.region.workbook import CODE


@login_required
def region_page(request: HttpRequest) -> HttpResponse:
    if not region_rollup_allowed(request.user):
        raise PermissionDenied(REFUSED)
    rollup = region_rollup(user=request.user)
    return render(request, "reporting/region.html", {"rollup": rollup, "export_kind": CODE})


@login_required
def region_publicity(request: HttpRequest) -> FileResponse:
    """The zip of every league's materials recommended for publicity, with its manifest (清单.xlsx)."""
    if not region_rollup_allowed(request.user):
        raise PermissionDenied(REFUSED)
    handle, _count = publicity_bundle(user=request.user)
    filename = f"推荐宣传材料_{clock.today():%Y%m%d}.zip"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/zip")
