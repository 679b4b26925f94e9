"""The admin saves indicator values through the service: a hard rule is a form error, history says "admin"."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from hospitals.audit import history_of
from reporting.indicators.models import IndicatorValue
from tests.conftest import Alxa
from tests.factories import indicator_value

ADD = "admin:reporting_indicatorvalue_add"


def form(alxa: Alxa, **figures: object) -> dict[str, object]:
    return {
        "indicator": alxa.campaign.indicators.get(code="O2.1-a").pk,
        "hospital": alxa.h004.pk,
        "unit": "",
        "month": "2021-07-01",
        "numerator": "",
        "denominator": "",
        "count": "",
        "answers": "[]",
        "explanation": "",
        **figures,
    }


@pytest.mark.django_db
def test_a_hard_rule_is_shown_on_the_admin_form_and_nothing_is_written(alxa: Alxa) -> None:
    client = Client()
    client.force_login(alxa.admin)
    response = client.post(reverse(ADD), form(alxa, numerator="5", denominator="0"))
    assert response.status_code == 200
    assert "分母为0" in response.content.decode()
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_an_admin_save_goes_through_the_service_with_the_admin_channel(alxa: Alxa) -> None:
    client = Client()
    client.force_login(alxa.admin)
    response = client.post(reverse(ADD), form(alxa, numerator="30", denominator="100"))
    assert response.status_code == 302, response.content.decode()[:2000]
    value = IndicatorValue.objects.get()
    assert (value.numerator, value.denominator) == (30, 100)
    record = history_of(value).get()
    assert (record.channel, record.action) == ("admin", "indicator_value_create")
    change = reverse("admin:reporting_indicatorvalue_change", args=[value.pk])
    response = client.post(change, {**form(alxa, numerator="40", denominator="100")})
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.numerator == 40
    assert IndicatorValue.objects.count() == 1
    assert [r.channel for r in history_of(value)] == ["admin", "admin"]


@pytest.mark.django_db
def test_the_admin_changelist_is_scoped(alxa: Alxa) -> None:
    from django.contrib import admin
    from django.contrib.auth.models import Permission
    from django.test import RequestFactory

    from reporting.indicators.models import IndicatorValue

    indicator_value("O1.1-a", alxa.h004, dt.date(2021, 7, 1), count=1)
    indicator_value("O1.1-a", alxa.h006, dt.date(2021, 7, 1), count=2)
    changelist = reverse("admin:reporting_indicatorvalue_changelist")
    client = Client()
    client.force_login(alxa.admin)
    page = client.get(changelist).content.decode()
    assert "阿拉善左旗人民医院" in page
    assert "阿拉善右旗人民医院" in page
    # A reviewer is not staff: the admin sends it to its login, whatever its permissions.
    alxa.banner_reviewer.user_permissions.add(Permission.objects.get(codename="view_indicatorvalue"))
    client.force_login(alxa.banner_reviewer)
    refused = client.get(changelist)
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("admin:login"))
    # The changelist still reads through the scope selector.
    request = RequestFactory().get(changelist)
    request.user = alxa.banner_reviewer
    scoped = admin.site._registry[IndicatorValue].get_queryset(request)
    assert sorted(scoped.values_list("hospital__code", "count")) == [("H004", 1)]
