"""Forms of the 调度 pages: they parse what a reviewer typed; the rules are the dispatch services'."""

from __future__ import annotations

from typing import Any

from django import forms

from campaign.models import LectureSession
from core.forms import DateInput, MultipleFileField, TextField


class DispatchReportForm(forms.Form):
    text = TextField(
        label="调度情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="本月各医院活动推进情况、存在问题和下一步安排（书面报告）",
    )
    # Not ``files``: a form's ``files`` holds the request's uploads.
    attachments = MultipleFileField(
        label="附件", required=False, help_text="pdf、docx、jpg、png 等，可多选；按文件内容识别类型"
    )


class ReadForm(forms.Form):
    note = TextField(label="阅知意见", required=False, max_length=500)


class ReturnForm(forms.Form):
    # Not required here: the service refuses a return without a reason, in its own words.
    reason = TextField(label="退回原因", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class LeagueVisitForm(forms.Form):
    lecture = forms.ModelChoiceField(LectureSession.objects.none(), label="出席的集中宣讲")
    visited_on = forms.DateField(label="出席日期", widget=DateInput, help_text="宣讲当天")
    attendees = TextField(label="出席人员", max_length=300, help_text="如：盟卫生健康委主任范明亮")
    note = TextField(label="出席情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, lectures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["lecture"]
        field.queryset = lectures
        field.label_from_instance = lambda lecture: (
            f"{lecture.held_on:%Y-%m-%d} {lecture.org_unit} {lecture.title}（{lecture.speaker}）"
        )
