"""Forms of the hospital's people page (``hospitals.views.people_page``): they only parse input; the
services of ``hospitals.people`` decide."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import DateInput, TextField
from hospitals.models import Hospital, Person, Post
from hospitals.people import PersonData


class PersonForm(forms.Form):
    name = TextField(label="姓名", max_length=50)
    title = TextField(label="职务说明", max_length=100, required=False, help_text="如：院长、内科主任")
    # A plain text field: the service checks the address and says what is wrong in Chinese.
    email = forms.CharField(label="电子邮箱", max_length=254, required=False, help_text="提醒发往此地址")
    phone = forms.CharField(label="联系电话", max_length=30, required=False)

    def person_data(self) -> PersonData:
        data = self.cleaned_data
        return PersonData(name=data["name"], title=data["title"], email=data["email"], phone=data["phone"])

    @staticmethod
    def initial_for(person: Person) -> dict[str, Any]:
        return {"name": person.name, "title": person.title, "email": person.email, "phone": person.phone}


def _people_choices(hospital: Hospital) -> Any:
    return Person.objects.filter(hospital=hospital).order_by("code")


class PostForm(forms.Form):
    """A new holder of 书记 or 院长 from a date (the predecessor's post is ended first)."""

    role = forms.ChoiceField(
        label="职务", choices=[(r.value, r.label) for r in (Post.Role.SECRETARY, Post.Role.PRESIDENT)]
    )
    person = forms.ModelChoiceField(label="任职人员", queryset=Person.objects.none())
    start_on = forms.DateField(label="任职日期", widget=DateInput)
    end_on = forms.DateField(label="离任日期", widget=DateInput, required=False, help_text="现任留空")

    def __init__(self, *args: Any, hospital: Hospital, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people_choices(hospital)  # type: ignore[attr-defined]


class PostEndForm(forms.Form):
    """The end of a post, when its holder leaves: the rules stop counting them in the post after it."""

    end_on = forms.DateField(label="离任日期", widget=DateInput)
    reason = TextField(label="原因", max_length=200, required=False, help_text="如：工作调动")


class DepartmentForm(forms.Form):
    name = TextField(label="科室名称", max_length=50)
    head = forms.ModelChoiceField(label="科室主任", queryset=Person.objects.none(), required=False)

    def __init__(self, *args: Any, hospital: Hospital, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = _people_choices(hospital)  # type: ignore[attr-defined]
