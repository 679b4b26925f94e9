"""Issue 15 on the indicator catalogue: O4.2-b applies as the notice names it (城市三级医院 → 医共体, 医共体 →
基层), and O5.1's 医疗服务收入占比 is O2.1-a's figure, entered once and reported under both items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from openpyxl import load_workbook

from campaign.models import Indicator
from exports.registry import export_kind_get
from exports.writer import write_workbook
from hospitals.models import Hospital, MedicalAlliance, OrgUnit
from reporting.indicators.selectors import Period, applicable_indicators, indicators_of
from reporting.indicators.services import indicator_value_save
from reporting.indicators.targets import indicator_evaluations
from tests.campaign.conftest import hospital
from tests.conftest import Alxa, client_for
from tests.factories import indicator_value

pytestmark = pytest.mark.django_db
JULY = dt.date(2021, 7, 1)


def ind(code: str) -> Indicator:
    return Indicator.objects.select_related("campaign__league").get(campaign__code="alxa-2021", code=code)


def test_o4_2_b_applies_to_city_tertiary_hospitals_and_county_communities_only(alxa: Alxa) -> None:
    """Before, 下转患者人数 applied to every hospital; 盟妇幼保健院 (H003: secondary, in the league's 医疗集团
    but in no 医共体) had to report a referral the notice does not ask of it."""
    o42b = ind("O4.2-b")
    assert o42b.applies_to == "referral_down"
    applies = {h.code: o42b.applies_to_hospital(h) for h in Hospital.objects.filter(is_sample=True)}
    assert applies == {
        "H001": True,  # city tertiary
        "H002": True,  # city tertiary
        "H003": False,  # neither
        "H004": True,  # leads 左旗医共体
        "H005": True,  # member of 左旗医共体
        "H006": True,
        "H007": True,
        "H008": True,
        "H009": True,
        **{code: applies[code] for code in applies if code not in {f"H00{i}" for i in range(1, 10)}},
    }
    h003 = hospital("H003")
    with pytest.raises(ValidationError) as info:
        indicator_value_save(
            actor=alxa.admin, channel="api", indicator=o42b, hospital=h003, month=JULY, count=12
        )
    assert [e.code for errors in info.value.error_dict.values() for e in errors] == ["not_applicable"]
    assert o42b not in applicable_indicators(indicators_of(alxa.campaign), hospital=h003)
    assert o42b in applicable_indicators(indicators_of(alxa.campaign), hospital=hospital("H005"))
    # A hospital that joins a 医共体 reports it from then on.
    MedicalAlliance.objects.get(code="CC-ZQ").members.add(h003)
    assert o42b.applies_to_hospital(Hospital.objects.get(code="H003"))


def test_o4_2_b_is_evaluated_only_for_the_hospitals_it_names_in_a_fixed_number_of_queries(
    alxa: Alxa, django_assert_num_queries: object
) -> None:
    indicator_value("O4.2-b", hospital("H005"), JULY, count=11)
    indicator_value("O4.2-b", hospital("H005"), dt.date(2020, 7, 1), count=10)
    indicator_value("O4.2-b", hospital("H003"), JULY, count=50)  # entered before the rule: not judged
    table = indicator_evaluations(
        campaign=alxa.campaign,
        hospitals=Hospital.objects.filter(is_sample=True),
        banners=OrgUnit.objects.filter(kind="banner"),
        period=Period.month(2021, 7),
        indicators=[ind("O4.2-b")],
    )
    judged = {e.unit_id for e in table.units}
    assert hospital("H003").pk not in judged
    assert hospital("H005").pk in judged
    assert table.unit("O4.2-b", "hospital", hospital("H005").pk).verdict == "met"  # 11 ≥ 10 × 1.1
    assert table.total("O4.2-b").current.count == 11  # H003's 50 is not in the league's figure


def test_o5_1s_service_income_share_is_o2_1_a_reported_under_both_items(alxa: Alxa) -> None:
    """Before, nothing said O2.1-a is also O5.1's figure. Now the catalogue links it (one value, one
    verdict), and the figures, the evaluations, the month page and the workbook name both items."""
    o21a = ind("O2.1-a")
    assert (o21a.item_code, o21a.also_reported_under, o21a.reported_under) == (
        "O2.1",
        "O5.1",
        ["O2.1", "O5.1"],
    )
    assert o21a.code_label == "O2.1-a（同时计入O5.1）"
    assert not Indicator.objects.filter(
        campaign=alxa.campaign, item_code="O5.1", name__contains="医疗服务收入"
    ).exists()
    indicator_value("O2.1-a", alxa.h004, JULY, numerator=Decimal(30), denominator=Decimal(100))
    indicator_value("O2.1-a", alxa.h004, dt.date(2020, 7, 1), numerator=Decimal(25), denominator=Decimal(100))
    client = client_for(alxa.reporter)
    query = f"?campaign={alxa.campaign.pk}&period=month&year=2021&month=7"
    evaluations = client.get(f"/api/v1/indicator-evaluations/{query}").json()
    (row,) = [e for e in evaluations["units"] if e["indicator_code"] == "O2.1-a"]
    assert (row["reported_under"], row["verdict"]) == (["O2.1", "O5.1"], "met")
    others = [e["reported_under"] for e in evaluations["units"] if e["indicator_code"] == "O2.1-b"]
    assert others == [["O2.1"]]
    figures = client.get(f"/api/v1/indicator-figures/{query}").json()
    (figure,) = [f for f in figures["results"] if f["indicator_code"] == "O2.1-a"]
    assert figure["reported_under"] == ["O2.1", "O5.1"]
    catalogue = client.get(f"/api/v1/indicators/?campaign={alxa.campaign.pk}").json()
    listed = catalogue["results"] if isinstance(catalogue, dict) else catalogue
    assert next(i for i in listed if i["code"] == "O2.1-a")["also_reported_under"] == "O5.1"
    browser = Client()
    browser.force_login(alxa.reporter)
    page = browser.get(f"/hospitals/{alxa.h004.pk}/months/2021-07/").content.decode()
    assert "O2.1-a</strong> 医疗服务收入" in page
    assert '<small class="also-reported">同时计入O5.1</small>' in page


def test_the_indicator_workbook_names_both_items(alxa: Alxa, tmp_path: Path) -> None:
    indicator_value("O2.1-a", alxa.h004, JULY, numerator=Decimal(30), denominator=Decimal(100))
    path = tmp_path / "table.xlsx"
    params = {"campaign": [str(alxa.campaign.pk)], "period": ["month"], "year": ["2021"], "month": ["7"]}
    write_workbook(path, export_kind_get("indicator_table").build(alxa.reporter, params))
    rows = list(load_workbook(path)["指标表"].iter_rows(values_only=True))
    codes = [row[3] for row in rows[1:]]
    assert codes.count("O2.1-a（同时计入O5.1）") == 1
    assert "O2.1-b" in codes


def test_the_fill_template_names_both_items_and_reads_the_code_back(alxa: Alxa) -> None:
    """The monthly fill template (an issue-15 gap: it printed plain O2.1-a): the name column says where
    else the value counts, while the code column, which the import reads back, stays the code."""
    import io

    from reporting.indicators.template import indicator_template_build

    content = indicator_template_build(campaign=alxa.campaign, month=JULY, hospital=alxa.h004)
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    named = {row[0]: row[1] for row in rows if row and row[0] in ("O2.1-a", "O2.1-b")}
    assert named["O2.1-a"] == f"{ind('O2.1-a').name}（同时计入O5.1）"
    assert named["O2.1-b"] == ind("O2.1-b").name
