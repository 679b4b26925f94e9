"""The dashboard without a browser: first page after login, scoped figures, the chart library local."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from campaign.models import Campaign
from hospitals.models import User
from reporting.dashboard.selectors import Chart, dashboard_charts
from tests.conftest import Alxa
from tests.reporting.conftest import SetClock

pytestmark = pytest.mark.django_db


def test_login_redirects_to_the_dashboard(alxa: Alxa) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "h004", "password": "jjx-demo-2021"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").content.decode()
    assert "仪表盘" in page


def test_anonymous_visitor_is_sent_to_login() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def test_chart_library_is_served_from_our_static_files(alxa: Alxa) -> None:
    client = Client()
    client.force_login(alxa.league_reviewer)
    page = client.get("/").content.decode()
    assert '<script src="/static/vendor/chartjs/chart.umd.min.js">' in page
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page
    assert (settings.BASE_DIR / "static/vendor/chartjs/chart.umd.min.js").stat().st_size > 100_000
    assert (settings.BASE_DIR / "static/vendor/chartjs/LICENSE.md").exists()


def _chart(user: User, campaign: Campaign, key: str) -> Chart:
    (chart,) = [c for c in dashboard_charts(user, campaign) if c.key == key]
    return chart


def test_hospital_chart_is_limited_to_the_viewers_scope(alxa: Alxa) -> None:
    league_chart = _chart(alxa.league_reviewer, alxa.campaign, "hospitals")
    banner_chart = _chart(alxa.banner_reviewer, alxa.campaign, "hospitals")
    own_chart = _chart(alxa.reporter, alxa.campaign, "hospitals")
    assert "阿拉善右旗" in league_chart.labels
    assert banner_chart.labels == ["阿拉善左旗"]
    assert own_chart.labels == ["阿拉善左旗"]
    assert sum(sum(s.values) for s in own_chart.series) == 1
    assert sum(sum(s.values) for s in league_chart.series) == 10


def test_lecture_charts_count_the_scoped_lectures(alxa: Alxa) -> None:
    import datetime as dt

    from campaign.services import lecture_create
    from hospitals.models import ChangeRecord
    from tests.campaign.conftest import lecture_data, person

    web = ChangeRecord.Channel.WEB
    lecture_create(actor=alxa.admin, channel=web, data=lecture_data(alxa))
    lecture_create(
        actor=alxa.admin, channel=web, data=lecture_data(alxa, held_on=dt.date(2021, 8, 3), title="第二讲")
    )
    lecture_create(
        actor=alxa.admin,
        channel=web,
        data=lecture_data(alxa, hospital=alxa.h006, speaker=person("H006-P01")),
    )
    league = _chart(alxa.league_reviewer, alxa.campaign, "lectures-banner")
    in_hospital = league.series[[s.label for s in league.series].index("院内宣讲")]
    assert dict(zip(league.labels, in_hospital.values, strict=True))["阿拉善左旗"] == 2
    assert dict(zip(league.labels, in_hospital.values, strict=True))["阿拉善右旗"] == 1
    by_month = _chart(alxa.banner_reviewer, alxa.campaign, "lectures-month")
    in_hospital = by_month.series[[s.label for s in by_month.series].index("院内宣讲")]
    assert dict(zip(by_month.labels, in_hospital.values, strict=True)) == {
        "2021年6月": 0,
        "2021年7月": 1,
        "2021年8月": 1,
        "2021年9月": 0,
        "2021年10月": 0,
        "2021年11月": 0,
        "2021年12月": 0,
    }
    filtered = dashboard_charts(alxa.league_reviewer, alxa.campaign, banner="阿拉善右旗")
    (month_chart,) = [c for c in filtered if c.key == "lectures-month"]
    assert sum(sum(s.values) for s in month_chart.series) == 1


def test_milestone_chart_counts_hospitals_per_state(alxa: Alxa) -> None:
    import datetime as dt

    chart = dashboard_charts(alxa.banner_reviewer, alxa.campaign, on=dt.date(2021, 7, 15))
    (milestones,) = [c for c in chart if c.key == "milestones"]
    states = {s.label: s.values for s in milestones.series}
    # 5 hospitals in 左旗; on 07-15 the 06-25 launch is past and unmet everywhere, 07-31 not yet due.
    assert states["未完成"][0] == 5
    assert states["未到期"][-1] == 5


def test_indicator_chart_counts_verdicts_per_hospital_level(alxa: Alxa) -> None:
    import datetime as dt

    from tests.factories import indicator_value

    indicator_value("O1.1-a", alxa.h004, dt.date(2020, 7, 1), count=10)
    indicator_value("O1.1-a", alxa.h004, dt.date(2021, 7, 1), count=12)
    indicator_value("O1.1-b", alxa.h004, dt.date(2020, 7, 1), count=5)
    indicator_value("O1.1-b", alxa.h004, dt.date(2021, 7, 1), count=3)
    chart = _chart(alxa.banner_reviewer, alxa.campaign, "indicators")
    assert chart.labels == ["二级", "三级"]
    verdicts = {s.label: s.values for s in chart.series}
    assert verdicts["达标"] == [1, 0]
    assert verdicts["未达标"] == [1, 0]
    own = _chart(alxa.reporter, alxa.campaign, "indicators")
    assert own.labels == ["二级"]


def test_submission_chart_uses_the_bulletins_categories(alxa: Alxa, set_clock: SetClock) -> None:
    import datetime as dt

    from tests.reporting.conftest import make_report

    make_report(alxa, state="submitted")  # on 2021-08-03: on time
    chart = dashboard_charts(alxa.banner_reviewer, alxa.campaign, on=dt.date(2021, 8, 3))
    (reports,) = [c for c in chart if c.key == "reports"]
    assert reports.labels == ["2021年7月"]
    counts = {s.label: s.values for s in reports.series}
    assert counts == {"按时提交": [1], "逾期提交": [0], "未提交": [4]}


def test_supervision_chart_counts_lectures_with_a_commission_official(alxa: Alxa) -> None:
    """Issue 15, §四(一): per banner, the lectures held and those a commission official attended; a lecture
    with two officials counts once. The page prints the figure too."""
    from campaign.services import lecture_create
    from tests.campaign.conftest import lecture_data, person

    officials = (person("B152921-P01"), person("L152900-P01"))
    lecture_create(actor=alxa.admin, channel="web", data=lecture_data(alxa, supervising_officials=officials))
    lecture_create(actor=alxa.admin, channel="web", data=lecture_data(alxa, title="第二讲"))
    lecture_create(
        actor=alxa.admin,
        channel="web",
        data=lecture_data(alxa, hospital=alxa.h006, speaker=person("H006-P01")),
    )
    chart = _chart(alxa.league_reviewer, alxa.campaign, "supervision")
    rows = dict(chart.rows)
    assert rows["阿拉善左旗"] == [2, 1]
    assert rows["阿拉善右旗"] == [1, 0]
    assert chart.note == "共3场，其中1场有卫生健康委领导出席指导"
    assert _chart(alxa.reporter, alxa.campaign, "supervision").rows == [("阿拉善左旗", [2, 1])]
    client = Client()
    client.force_login(alxa.league_reviewer)
    assert "共3场，其中1场有卫生健康委领导出席指导" in client.get("/").content.decode()
