"""Issue 16, done-when: in a real browser the H004 reporter changes the hospital's president on the
人员与科室 page (adds the successor, ends the old post on 07-15, starts the new one on 07-16). Then the
old president's external lecture after the change date is refused and the new one's accepted (the
service); the history shows who changed what; the banner reviewer reads the page without forms."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError

from campaign.models import SpeakerRole
from campaign.services import lecture_create
from core.refusals import refusal_codes
from hospitals.audit import history_of
from hospitals.models import Person, Post
from tests.campaign.conftest import lecture_data, person
from tests.conftest import Alxa
from tests.pages.conftest import Pages
from tests.reporting.conftest import SetClock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reporter_changes_the_president_on_the_page(
    alxa: Alxa, pages: Pages, set_clock: SetClock
) -> None:
    set_clock("2021-07-16 09:00")
    old_post = Post.objects.get(person__code="H004-P02", role="president")
    pages.login("h004")
    page = pages.page
    page.click("header nav >> text=人员与科室")
    page.wait_for_url(re.compile(r".*/hospitals/\d+/people/$"))
    assert page.locator(f"#post-{old_post.pk}").inner_text().split("\t")[:2] == ["院长", "马斯琴"]

    # A bad address is refused on its field, and nothing is added.
    page.fill("#id_person-name", "张新院")
    page.fill("#id_person-title", "院长")
    page.fill("#id_person-email", "zhangxinyuan@")
    page.click("#person-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "电子邮箱“zhangxinyuan@”格式不正确" in page.locator("#field-person-email").inner_text()
    assert not Person.objects.filter(name="张新院").exists()
    page.fill("#id_person-email", "zhangxinyuan@example.org")
    page.click("#person-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "已新增人员：张新院（H004-P10）" in page.locator(".messages").inner_text()
    successor = Person.objects.get(code="H004-P10")

    # The successor cannot start while the old post is open: the overlap is refused on the form.
    page.select_option("#id_post-role", "president")
    page.select_option("#id_post-person", str(successor.pk))
    page.fill("#id_post-start_on", "2021-07-16")
    page.click("#post-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "院长同一时间只能有一人" in page.locator("#post-form").inner_text()

    # End the old post on 07-15, then start the new one on 07-16.
    end_form = f"#end-form-{old_post.pk}"
    page.fill(f"{end_form} input[name=end{old_post.pk}-end_on]", "2021-07-15")
    page.fill(f"{end_form} input[name=end{old_post.pk}-reason]", "工作调动")
    page.click(f"{end_form} button[type=submit]")
    page.wait_for_load_state("load")
    assert "马斯琴的院长职务于2021-07-15结束" in page.locator(".messages").inner_text()
    page.select_option("#id_post-role", "president")
    page.select_option("#id_post-person", str(successor.pk))
    page.fill("#id_post-start_on", "2021-07-16")
    page.click("#post-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "张新院自2021-07-16任院长" in page.locator(".messages").inner_text()
    history = page.locator("#history").inner_text()
    assert "左旗人民医院填报员 修改职务（网页）：工作调动" in history
    assert "离任日期： — → 2021-07-15" in history.replace("：—", "： —")
    pages.shot("people-president-changed")

    old_post.refresh_from_db()
    assert old_post.end_on == dt.date(2021, 7, 15)
    assert history_of(old_post).get().actor == alxa.reporter

    # The rules read the posts on the lecture date.
    with pytest.raises(ValidationError) as info:
        lecture_create(
            actor=alxa.reporter,
            channel="api",
            data=lecture_data(alxa, "exchange", speaker=person("H004-P02"), held_on=dt.date(2021, 7, 16)),
        )
    assert refusal_codes(info.value) == ["substitute_not_allowed"]
    accepted = lecture_create(
        actor=alxa.reporter,
        channel="api",
        data=lecture_data(alxa, "exchange", speaker=successor, held_on=dt.date(2021, 7, 16)),
    )
    assert accepted.speaker_role == SpeakerRole.PRESIDENT

    # The banner reviewer reads the page from the hospital's tabs, with no form to change it.
    pages.logout()
    pages.login("zuoqi")
    pages.goto(f"/hospitals/{alxa.h004.pk}/people/")
    page.wait_for_load_state("load")
    assert "张新院" in page.locator("#posts").inner_text()
    assert page.locator("#post-form, #person-form, #department-form, form[id^=end-form]").count() == 0
    pages.shot("people-banner-reads")
    assert pages.console_errors == []
