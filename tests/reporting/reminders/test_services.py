import datetime as dt
from typing import Any

import pytest
from django.core import mail

from hospitals.models import Person
from reporting.notices import services as reminder_sends
from reporting.notices.models import Notification, SendLog
from reporting.reminders.services import campaign_offsets, current_step, reminders_send_due
from reporting.reports.services import report_return
from reporting.tasks import send_due_reminders
from tests.conftest import Alxa
from tests.reporting.conftest import SetClock, make_report

pytestmark = pytest.mark.django_db

DUE = dt.date(2021, 8, 5)  # July's report, due day 5 of August


def _h004_report_or_digest(subject: object) -> bool:
    subject = str(subject)
    return "自查报告" in subject and ("阿拉善左旗人民医院" in subject or subject.startswith("【汇总】"))


def _give_leaders_emails() -> None:
    Person.objects.filter(code="H004-P01").update(email="secretary@h004.example.com")
    Person.objects.filter(code="H004-P02").update(email="president@h004.example.com")


@pytest.mark.parametrize(
    ("today", "step"),
    [
        ("2021-07-30", None),
        ("2021-07-31", "before_5"),
        ("2021-08-03", "before_5"),
        ("2021-08-04", "before_1"),
        ("2021-08-06", "after_1"),
        ("2021-08-08", "after_3"),
        ("2021-08-20", "after_3"),
        ("2021-08-21", None),  # past the lock day nobody can submit: no more reminders
    ],
)
def test_the_step_is_the_latest_offset_that_has_come(alxa: Alxa, today: str, step: str | None) -> None:
    found = current_step(
        campaign_offsets(alxa.campaign), DUE, dt.date.fromisoformat(today), dt.date(2021, 8, 20)
    )
    assert (found.step if found else None) == step


def test_the_reminder_task_run_twice_sends_each_reminder_once(alxa: Alxa) -> None:
    _give_leaders_emails()
    first = send_due_reminders.delay(today="2021-08-08").get()
    # 08-08 is also 3 days after the 07-31 milestone (secretary and president lectures): see below.
    # Every seeded leader has an address (seeds/alxa-demo.yaml): the escalations of the ten hospitals'
    # reports and of their 07-31 milestone reach their secretaries and presidents.
    assert first == {"in_app": 1, "email": 1, "escalation": 20, "digest": 2, "milestone": 2}
    subjects = sorted((m.subject, tuple(m.to)) for m in mail.outbox if _h004_report_or_digest(m.subject))
    assert subjects == [
        ("【提醒】阿拉善左旗人民医院2021年07月自查报告尚未提交（截止2021-08-05）", ("h004@example.com",)),
        (
            "【提醒】阿拉善左旗人民医院2021年07月自查报告尚未提交（截止2021-08-05）",
            ("president@h004.example.com", "secretary@h004.example.com"),
        ),
        ("【汇总】阿拉善左旗2021年07月自查报告尚有5家医院未提交或被退回", ("zuoqi@example.com",)),
    ]
    in_app = Notification.objects.filter(kind__in=["reminder", "digest"]).count()

    sent = len(mail.outbox)
    assert sent == 23  # 1 to the reporter, 20 escalations, 1 digest, 1 milestone reminder
    h006 = [m.to for m in mail.outbox if m.subject.startswith("【提醒】阿拉善右旗人民医院2021年07月")]
    assert h006 == [["h006-p01@example.org", "h006-p02@example.org"]]
    second = send_due_reminders.delay(today="2021-08-08").get()
    assert second == {}
    assert len(mail.outbox) == sent
    assert Notification.objects.filter(kind__in=["reminder", "digest"]).count() == in_app == 2
    assert SendLog.objects.filter(target=f"report:{alxa.h004.pk}:2021-07").count() == 3


def test_each_step_is_sent_once_across_the_days(alxa: Alxa) -> None:
    for day in ("2021-07-31", "2021-08-01", "2021-08-04", "2021-08-05"):
        send_due_reminders.delay(today=day).get()
    steps = sorted(
        SendLog.objects.filter(target__startswith="report:", channel="email").values_list("step", flat=True)
    )
    assert steps == ["before_1", "before_5"]
    assert len([m for m in mail.outbox if "自查报告" in m.subject]) == 2


def test_a_submitted_hospital_is_not_reminded_and_a_returned_one_is_again(
    alxa: Alxa, set_clock: SetClock
) -> None:
    report = make_report(alxa, state="submitted")
    send_due_reminders.delay(today="2021-08-04").get()
    assert not SendLog.objects.filter(hospital=alxa.h004, target__startswith="report:").exists()

    report_return(report_id=report.pk, actor=alxa.banner_reviewer, reason="数据不全")
    send_due_reminders.delay(today="2021-08-06").get()
    send_due_reminders.delay(today="2021-08-06").get()
    log = SendLog.objects.get(hospital=alxa.h004, channel="email", target__startswith="report:")
    assert log.step == "returned1:after_1"
    assert (
        log.subject
        == "【提醒】阿拉善左旗人民医院2021年07月自查报告已被退回，请修改后重新提交（截止2021-08-05）"
    )
    assert [m.to for m in mail.outbox if "自查报告" in m.subject] == [["h004@example.com"]]


def test_a_refused_email_is_given_back_and_the_others_still_go_out(
    alxa: Alxa, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All keys are claimed at once, so one refusal must not lose the e-mails queued after it: the
    refused key is freed for the next run, the others are sent, and the run fails so the task retries."""
    _give_leaders_emails()
    real_send_mail = reminder_sends.send_mail

    def refuse_h004(subject: str, body: str, sender: str, to: list[str], **kwargs: Any) -> int:
        if to == ["h004@example.com"]:
            raise ConnectionRefusedError("mail server down")
        return real_send_mail(subject, body, sender, to, **kwargs)

    monkeypatch.setattr(reminder_sends, "send_mail", refuse_h004)
    with pytest.raises(ConnectionRefusedError):
        reminders_send_due(today=dt.date(2021, 8, 8))
    refused = {"target": f"report:{alxa.h004.pk}:2021-07", "step": "after_3", "channel": "email"}
    assert not SendLog.objects.filter(**refused).exists()
    assert SendLog.objects.filter(target=refused["target"], step="after_3:escalation").exists()
    assert sorted(tuple(m.to) for m in mail.outbox if _h004_report_or_digest(m.subject)) == [
        ("president@h004.example.com", "secretary@h004.example.com"),
        ("zuoqi@example.com",),
    ]

    monkeypatch.setattr(reminder_sends, "send_mail", real_send_mail)
    # The milestone e-mail to the same address (07-31, three days late) was refused and given back too.
    assert reminders_send_due(today=dt.date(2021, 8, 8)) == {"email": 1, "milestone": 1}
    assert SendLog.objects.filter(**refused).exists()
    assert [m.to for m in mail.outbox if "自查报告" in m.subject][-1] == ["h004@example.com"]
