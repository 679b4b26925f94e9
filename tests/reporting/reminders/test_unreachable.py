"""Issue 16 point 4: reminders reach the addresses kept on the people page, and a secretary, president
or action-item owner without one is listed on the banner reviewers' 无法送达 digest, once per step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from campaign.models import ActionItem, ActionTask
from hospitals.models import Person
from hospitals.people import PersonData, person_update
from reporting.notices.models import Notification, SendLog
from reporting.reminders.services import reminders_send_due
from tests.conftest import Alxa

pytestmark = pytest.mark.django_db


def _digests() -> list[tuple[str, list[str], str]]:
    return [(str(m.subject), list(m.to), str(m.body)) for m in mail.outbox if "无法送达" in str(m.subject)]


def test_escalations_go_to_the_kept_addresses_and_a_missing_one_is_listed(alxa: Alxa) -> None:
    president = Person.objects.get(code="H004-P02")
    # The reporter changes the secretary's address on the page (the service); the president has none.
    person_update(
        actor=alxa.reporter,
        channel="web",
        person=Person.objects.get(code="H004-P01"),
        data=PersonData(name="郭玉梅", title="党委书记", email="guoyumei@example.org"),
    )
    Person.objects.filter(pk=president.pk).update(email="")
    sent = reminders_send_due(today=dt.date(2021, 8, 8))  # after_3: escalation of July's report and 07-31
    h004 = [
        list(m.to)
        for m in mail.outbox
        if str(m.subject).startswith("【提醒】阿拉善左旗人民医院2021年07月自查报告")
    ]
    assert ["guoyumei@example.org"] in h004  # the escalation, to the secretary alone
    assert sent["unreachable"] == 2  # the president missed two escalations: the report's and 07-31's
    digests = _digests()
    assert len(digests) == 1
    subject, to, body = digests[0]
    assert subject == "【无法送达】阿拉善左旗有2条提醒因收件人没有电子邮箱未能送达"
    assert to == ["zuoqi@example.com"]
    assert "阿拉善左旗人民医院 马斯琴（院长）：2021年07月自查报告尚未提交的升级提醒" in body
    assert "阿拉善左旗人民医院 马斯琴（院长）：时间节点" in body
    assert Notification.objects.filter(user=alxa.banner_reviewer, title=subject).count() == 1

    # A second run of the day lists nobody again, and sends nothing.
    outbox = len(mail.outbox)
    assert reminders_send_due(today=dt.date(2021, 8, 8)) == {}
    assert len(mail.outbox) == outbox
    assert SendLog.objects.filter(step__contains=f":unreachable:{president.pk}").count() == 2


def test_an_action_owner_gets_the_reminder_by_email_or_is_listed(alxa: Alxa) -> None:
    task = ActionTask.objects.get(campaign=alxa.campaign, code="A3.2")
    owner = Person.objects.get(code="H004-P03")
    item = ActionItem.objects.create(
        campaign=alxa.campaign,
        hospital=alxa.h004,
        task=task,
        title="处方点评全覆盖",
        responsible=owner,
        starts_on=dt.date(2021, 7, 1),
        due_on=dt.date(2021, 10, 31),
    )
    reminders_send_due(today=dt.date(2021, 10, 26))  # 5 days before
    assert [list(m.to) for m in mail.outbox if "处方点评全覆盖" in str(m.subject)] == [
        ["h004-p03@example.org"]
    ]
    assert _digests() == []

    Person.objects.filter(pk=owner.pk).update(email="")
    mail.outbox.clear()
    sent = reminders_send_due(today=dt.date(2021, 10, 30))  # 1 day before: a new step
    assert sent["unreachable"] == 1
    assert [m for m in mail.outbox if "处方点评全覆盖" in str(m.subject)] == []
    ((_subject, to, body),) = _digests()
    assert to == ["zuoqi@example.com"]
    assert (
        "阿拉善左旗人民医院 罗萨仁（内科主任）：行动项“处方点评全覆盖”将于2021-10-31到期的责任人提醒" in body
    )
    assert (
        SendLog.objects.filter(
            target=f"action_item:{item.pk}", step__endswith=f"unreachable:{owner.pk}"
        ).count()
        == 1
    )
