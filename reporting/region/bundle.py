"""The publicity bundle: a zip of the lecture materials the leagues recommended for publicity (推荐宣传),
with a manifest workbook listing each file, its league, banner, hospital, lecture and title — what the
region collects from the leagues (§四(三): 盟医改办统一报送自治区卫生健康委).

Only the materials of each league's current campaign that the requester may read (``material_list``);
the files are copied into the zip in chunks from storage, so memory does not grow with their size.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from typing import IO, Any

from campaign.models import LectureMaterial, MaterialKind
from campaign.selectors import material_list
from core import clock
from exports.writer import DATETIME, INT, Column, Sheet, write_workbook
from hospitals.models import OrgUnit
from hospitals.selectors import AnyUser, org_units_visible_to
from reporting.region.selectors import current_campaigns

MANIFEST = "清单.xlsx"
MANIFEST_COLUMNS = [
    Column("文件", width=46),
    Column("盟(市)", width=12),
    Column("旗(区)", width=14),
    Column("医院", width=24),
    Column("宣讲日期", width=12),
    Column("宣讲主题", width=30),
    Column("材料类型", width=10),
    Column("说明", width=30),
    Column("大小(字节)", type=INT, width=12),
    Column("推荐时间", type=DATETIME),
]
KIND_LABELS = dict(MaterialKind.choices)


def publicity_materials(user: AnyUser) -> list[LectureMaterial]:
    leagues = list(org_units_visible_to(user).filter(kind=OrgUnit.Kind.LEAGUE))
    campaigns = {c.pk for c in current_campaigns(user, clock.today(), leagues).values()}
    qs = (
        material_list(user=user)
        .filter(recommended_for_publicity=True, lecture__campaign_id__in=campaigns)
        .select_related("lecture__hospital__banner__parent", "lecture__org_unit__parent")
        .order_by(
            "lecture__hospital__banner__parent__code", "lecture__hospital__code", "lecture__held_on", "id"
        )
    )
    return list(qs)


def _league(material: LectureMaterial) -> str:
    """The league of the hospital (or banner) that held the lecture."""
    lecture = material.lecture
    unit = lecture.hospital.banner if lecture.hospital is not None else lecture.org_unit
    league = unit.parent if unit is not None else None
    return league.name if league is not None else ""


def _safe(text: str) -> str:
    return "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in text).strip() or "_"


def _entry_name(material: LectureMaterial) -> str:
    lecture = material.lecture
    owner = lecture.hospital.name if lecture.hospital is not None else str(lecture.org_unit or "")
    return (
        f"{_safe(lecture.campaign.league.name)}/{_safe(owner)}/{material.pk}-{_safe(material.original_name)}"
    )


def _manifest_row(material: LectureMaterial, name: str) -> list[Any]:
    lecture = material.lecture
    hospital = lecture.hospital
    banner = (
        hospital.banner.name if hospital is not None else (lecture.org_unit.name if lecture.org_unit else "")
    )
    return [
        name,
        _league(material),
        banner,
        hospital.name if hospital is not None else "",
        f"{lecture.held_on:%Y-%m-%d}",
        lecture.title,
        KIND_LABELS.get(material.kind, material.kind),
        material.title,
        material.size,
        material.recommended_at,
    ]


def publicity_bundle(*, user: AnyUser) -> tuple[IO[bytes], int]:
    """The zip (a temporary file, at its start) and the number of materials in it."""
    import zipfile

    materials = publicity_materials(user)
    handle = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115 - handed to the response, which closes it
    rows = []
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for material in materials:
            name = _entry_name(material)
            with material.file.open("rb") as source, archive.open(name, "w") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
            rows.append(_manifest_row(material, name))
        manifest = io.BytesIO()
        write_workbook(manifest, [Sheet("推荐宣传材料清单", MANIFEST_COLUMNS, rows)])
        archive.writestr(MANIFEST, manifest.getvalue())
    handle.seek(0)
    return handle, len(materials)
