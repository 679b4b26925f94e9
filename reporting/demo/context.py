from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core import clock

SAMPLE_DATA_NOTICE = "示例数据：本系统中的医院、人员、宣讲、指标和报告均为演示用的虚构数据，仅供试用。"


def sample_data(request: HttpRequest) -> dict[str, Any]:
    """The "示例数据" notice on every page while the demo runs (``JJX_SAMPLE_DATA``, set by ``make run``),
    with the demo's date when the clock is fixed. Read from the settings, not the database: a page
    costs no query for it."""
    if not settings.SAMPLE_DATA:
        return {"sample_data_notice": ""}
    notice = SAMPLE_DATA_NOTICE
    if settings.REPORTING_CLOCK:
        notice += f"系统日期设定为{clock.now():%Y年%m月%d日}。"
    return {"sample_data_notice": notice}
