"""The reviewer's report page shows each value as the clerk and the bulletin see it (percentage, last
year, change, target verdict, warnings and explanations), links to the month's lectures and courseware;
the overall return reason is on the report and the month page; the returned item is marked on the
clerk's month form with its reason beside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from campaign.models import LectureSession
from campaign.services import lecture_create, material_upload
from hospitals.models import User
from reporting.indicators.models import IndicatorValue
from reporting.reports.services import CommentInput, report_return
from tests.campaign.conftest import lecture_data, upload
from tests.conftest import Alxa, streamed
from tests.factories import indicator_value
from tests.reporting.conftest import JULY, SetClock, make_report
from tests.samples import PDF

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _returned_report(alxa: Alxa) -> int:
    report = make_report(alxa, state="submitted")
    report_return(
        report_id=report.pk,
        actor=alxa.banner_reviewer,
        reason="临床路径数据与病案系统不符，请核对。",
        comments=[
            CommentInput(
                text="分子应为入径出院患者数，请按病案系统重填。",
                item_kind="indicator",
                item_key="indicator:O3.1-a",
            )
        ],
    )
    return report.pk


def test_report_page_shows_values_as_the_clerk_sees_them(alxa: Alxa, set_clock: SetClock) -> None:
    report_id = _returned_report(alxa)
    IndicatorValue.objects.filter(indicator__code="O3.1-a", hospital=alxa.h004, month=JULY).update(
        numerator=Decimal(520), denominator=Decimal(1000), explanation="新增3个临床路径病种。"
    )
    indicator_value("O3.1-a", alxa.h004, dt.date(2020, 7, 1), numerator=250, denominator=1000)
    html = _client(alxa.league_reviewer).get(f"/reports/{report_id}/").content.decode()
    line = html[html.index('id="line-O3.1-a"') :]
    line = line[: line.index("</tr>")]
    assert '<td class="num">52.0%<br><small class="muted">520 / 1000</small></td>' in line
    assert '<td class="num">25.0%</td>' in line
    assert '<td class="num">+27.0个百分点</td>' in line
    assert "<td>二级医院不低于75%；三级医院不低于60%</td>" in line
    assert ">未达标</span>" in line
    notes = html[html.index('id="line-O3.1-a"') :]
    notes = notes[: notes.index("</td></tr>", notes.index("line-notes"))]
    assert "较上年同月(25.0%)变化+108.0%" in notes
    assert "情况说明：</strong>新增3个临床路径病种。" in notes
    assert "520.00/1000.00" not in html
    assert "52.0%（520/1000）" in html  # the change since the return, in the same terms
    # The overall reason, on the report and on the clerk's month page.
    assert "退回：临床路径数据与病案系统不符，请核对。" in html
    month = _client(alxa.reporter).get(f"/hospitals/{alxa.h004.pk}/months/2021-07/").content.decode()
    assert "左旗卫健委审核员于" in month
    assert "退回：临床路径数据与病案系统不符，请核对。" in month


def test_month_form_marks_the_returned_item(alxa: Alxa, set_clock: SetClock) -> None:
    _returned_report(alxa)
    html = _client(alxa.reporter).get(f"/hospitals/{alxa.h004.pk}/months/2021-07/").content.decode()
    row = html[html.index('id="indicator-O3.1-a"') :]
    row = row[: row.index("</tr>")]
    assert 'class="returned-item ' in row
    assert "退回原因：</strong>分子应为入径出院患者数，请按病案系统重填。" in row
    other = html[html.index('id="indicator-O1.1-a"') :]
    assert "returned-item" not in other[: other.index("</tr>")]
    assert 'href="#indicator-O3.1-a"' in html  # the reasons at the top lead to the row


def test_report_links_the_months_lectures_and_courseware(alxa: Alxa, set_clock: SetClock) -> None:
    lecture = lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa))
    material = material_upload(
        actor=alxa.reporter, channel="web", lecture=lecture, kind="courseware", file=upload("课件.pdf", PDF)
    )
    august = lecture_create(
        actor=alxa.reporter, channel="web", data=lecture_data(alxa, held_on=dt.date(2021, 8, 2), title="八月")
    )
    report_id = _returned_report(alxa)
    client = _client(alxa.banner_reviewer)
    html = client.get(f"/reports/{report_id}/").content.decode()
    section = html[html.index('id="report-lectures"') :]
    section = section[: section.index("</section>")]
    assert f'href="/lectures/{lecture.pk}/"' in section
    assert f'href="/materials/{material.pk}/download/"' in section
    assert "课件：课件.pdf" in section
    assert f"/lectures/{august.pk}/" not in section  # another month's lecture
    assert LectureSession.objects.count() == 2
    download = client.get(f"/materials/{material.pk}/download/")
    assert download.status_code == 200
    assert streamed(download) == PDF
