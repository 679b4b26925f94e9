"""``core.forms.PlainSelect`` writes the HTML Django's ``Select`` writes, through no template."""

from __future__ import annotations

import pytest
from django import forms
from django.test import SimpleTestCase

from core.forms import PlainSelect
from hospitals.models import OrgUnit

CHOICES = [("", "全部"), ("a", "阿拉善左旗"), ("b", '<b>"右旗"</b> & 额济纳')]
GROUPED = [("", "全部"), ("盟直", [("1", "盟医院"), ("2", "盟蒙医医院")]), ("3", "左旗医院")]


@pytest.mark.parametrize("choices", [CHOICES, GROUPED], ids=["flat", "grouped"])
@pytest.mark.parametrize("value", [None, "", "b", "2"])
def test_the_same_html_as_djangos_select(choices: list, value: str | None) -> None:
    attrs = {"id": "id_banner", "class": "narrow", "required": True}
    django = forms.Select(choices=choices).render("banner", value, attrs)
    plain = PlainSelect(choices=choices).render("banner", value, attrs)
    SimpleTestCase().assertHTMLEqual(plain, django)
    if choices is CHOICES:
        assert "&lt;b&gt;&quot;右旗&quot;&lt;/b&gt; &amp; 额济纳" in plain  # labels escaped


@pytest.mark.django_db
def test_a_model_choice_field_selects_the_bound_unit(alxa: object) -> None:
    def form(widget: type[forms.Select]) -> forms.Form:
        class Form(forms.Form):
            banner = forms.ModelChoiceField(
                OrgUnit.objects.order_by("code"), empty_label="全部", widget=widget
            )

        return Form({"banner": str(zuoqi.pk)})

    zuoqi = OrgUnit.objects.get(code="152921")
    html = str(form(PlainSelect)["banner"])
    SimpleTestCase().assertHTMLEqual(html, str(form(forms.Select)["banner"]))
    assert f'<option value="{zuoqi.pk}" selected>阿拉善左旗</option>' in html
