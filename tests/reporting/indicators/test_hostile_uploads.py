"""Workbook uploads whose zip lies or is broken: a 400 in Chinese, memory and work bounded."""

import tracemalloc

import pytest
from django.core.exceptions import ValidationError

from reporting.indicators.models import IndicatorImport
from reporting.indicators.template import indicator_template_build, inspect_xlsx
from tests.conftest import Alxa
from tests.core.hostile_zips import with_bomb, with_damaged_member
from tests.reporting.indicators.test_template import JULY, upload

# What "a few MB" means for inspecting a bomb: a handful of 64 kB chunks, not the inflated part.
PEAK_BYTES = 4 * 1024 * 1024


def _template(alxa: Alxa) -> bytes:
    return indicator_template_build(campaign=alxa.campaign, month=JULY, hospital=alxa.h004)


def _refused(alxa: Alxa, content: bytes) -> dict:
    response = upload(alxa, alxa.reporter, content)
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert list(body["errors"]) == ["file"]
    assert not IndicatorImport.objects.exists()
    return body


@pytest.mark.django_db
def test_a_zip_bomb_whose_headers_understate_its_size_is_refused_with_memory_bounded(alxa: Alxa) -> None:
    # 256 MiB of zeros (about 250 kB on the wire) whose local and central headers both say 1 kB: the
    # declared sizes pass every check, only inflating tells.
    bomb = with_bomb(_template(alxa))
    assert len(bomb) < 1024 * 1024
    body = _refused(alxa, bomb)
    assert body["code"] == "too_large_uncompressed"
    assert body["message"] == "工作簿解压后过大(疑似压缩炸弹)，不予读取。"

    tracemalloc.start()
    try:
        with pytest.raises(ValidationError):
            inspect_xlsx(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES, f"peak {peak / 1024 / 1024:.1f} MB"


@pytest.mark.django_db
def test_a_part_inflating_to_other_than_its_header_says_is_refused(alxa: Alxa) -> None:
    # Under the cap, but 2 MB where the headers say 1 kB: a reader trusting the headers would read
    # something else than what was checked.
    body = _refused(alxa, with_bomb(_template(alxa), real_bytes=2 * 1024 * 1024))
    assert body["code"] == "damaged_xlsx"
    assert body["message"] == "工作簿已损坏(压缩数据无法解开或与文件头不符)，请重新保存后上传。"


@pytest.mark.django_db
def test_damaged_compressed_bytes_are_a_400_not_a_zlib_error(alxa: Alxa) -> None:
    body = _refused(alxa, with_damaged_member(_template(alxa), "xl/worksheets/sheet1.xml"))
    assert body["code"] == "damaged_xlsx"
    assert "已损坏" in body["errors"]["file"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("keep", [0.5, 0.95])
def test_a_truncated_workbook_is_a_400(alxa: Alxa, keep: float) -> None:
    template = _template(alxa)
    body = _refused(alxa, template[: int(len(template) * keep)])
    assert body["code"] == "not_xlsx"
    assert body["message"] == "文件不是Excel工作簿(.xlsx)，或已损坏。"
