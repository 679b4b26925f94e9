"""A month with something in every banner section of the bulletin (issue 15 point 3)."""

from __future__ import annotations

import datetime as dt

from campaign.services import lecture_create
from tests.campaign.conftest import h004_action_item, hospital, lecture_data, person
from tests.conftest import Alxa
from tests.factories import indicator_value
from tests.reporting.conftest import JULY, SetClock, make_report

LAST_JULY = dt.date(2020, 7, 1)


def banner_month(alxa: Alxa, set_clock: SetClock) -> None:
    """July: H004's secretary and president each lecture in the hospital (07-31 met for H004 only);
    H005 (左旗) has three action items — one not started past its date (overdue), one at risk, one not
    started and not yet due —, H006 (右旗) one done; H004 submits its report; 左旗 reports 县域内就诊率
    up 10 points (met), 右旗 its 基层诊疗量占比 down (not met)."""
    set_clock("2021-07-20 10:00")
    for speaker, day in (("H004-P01", 10), ("H004-P02", 12)):
        lecture_create(
            actor=alxa.reporter,
            channel="web",
            data=lecture_data(alxa, speaker=person(speaker), held_on=dt.date(2021, 7, day)),
        )
    h005, president = hospital("H005"), person("H005-P02")
    h004_action_item(alxa, hospital=h005, responsible=president, title="逾期", due_on=dt.date(2021, 7, 20))
    h004_action_item(alxa, hospital=h005, responsible=president, title="风险", current_status="at_risk")
    h004_action_item(alxa, hospital=h005, responsible=president, title="未开始")
    h004_action_item(
        alxa, hospital=alxa.h006, responsible=person("H006-P02"), title="完成", current_status="done",
        due_on=dt.date(2021, 7, 20),
    )  # fmt: skip
    indicator_value("O1.2-b", alxa.zuoqi, JULY, numerator=65, denominator=100)
    indicator_value("O1.2-b", alxa.zuoqi, LAST_JULY, numerator=55, denominator=100)
    indicator_value("O4.1-a", alxa.youqi, JULY, numerator=30, denominator=100)
    indicator_value("O4.1-a", alxa.youqi, LAST_JULY, numerator=40, denominator=100)
    set_clock("2021-08-03 10:00")
    make_report(alxa, state="submitted")
    set_clock("2021-08-10 10:00")
