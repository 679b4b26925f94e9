"""Indicator routes (reporting/indicator_api.py): values and baselines, figures, evaluations, the Excel
template, upload and confirm. Values of a hospital are written by whoever's scope holds the hospital
(its reporter, its banner's and league's reviewers, the admin), always through the one service."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db.models import Model
from openpyxl import load_workbook

from campaign.models import Indicator
from hospitals.models import Hospital
from reporting.indicators.models import IndicatorImport, IndicatorValue
from reporting.indicators.template import baseline_template_build, indicator_template_build
from tests.api.harness import Owner, Resource, Row, World, viewset_rows
from tests.conftest import streamed

ALL_WRITERS = {"reporter": 200, "banner": 200, "league": 200, "league2": 200, "admin": 200}
CREATED = {role: 201 for role in ALL_WRITERS}
DELETED = {role: 204 for role in ALL_WRITERS}
TEMPLATE = "/api/v1/indicator-imports/template/"
UPLOAD = "/api/v1/indicator-imports/upload/"
BASELINE_TEMPLATE = "/api/v1/indicator-imports/baseline-template/"
BASELINE_UPLOAD = "/api/v1/indicator-imports/baseline-upload/"


def _figures(indicator: Indicator, n: int = 1) -> dict[str, Any]:
    if indicator.value_type == Indicator.ValueType.RATIO:
        return {"numerator": n, "denominator": n + 1}
    if indicator.value_type == Indicator.ValueType.COUNT:
        return {"count": n}
    size = len(indicator.parts) if indicator.value_type == Indicator.ValueType.BOOLEAN_SET else 1
    return {"answers": [n % 2 == 1] * size}


def _free_slot(owner: Owner, year: int) -> tuple[Indicator, dt.date]:
    """An (indicator, month) the owner hospital has no value for yet (every hospital takes "all" ones)."""
    taken = set(
        IndicatorValue.objects.filter(hospital=owner.hospital, month__year=year).values_list(
            "indicator_id", "month"
        )
    )
    indicators = owner.campaign.indicators.filter(reporting_level="hospital", applies_to="all").order_by(
        "order"
    )
    for month in range(1, 13):
        for indicator in indicators:
            if (indicator.pk, dt.date(year, month, 1)) not in taken:
                return indicator, dt.date(year, month, 1)
    raise AssertionError("no free indicator month left")


def _builder(year: int) -> Any:
    def build(owner: Owner) -> IndicatorValue:
        indicator, month = _free_slot(owner, year)
        return IndicatorValue.objects.create(
            indicator=indicator, hospital=owner.hospital, month=month, **_figures(indicator)
        )

    return build


def _body(year: int) -> Any:
    def body(world: World, owner: Owner, obj: Model | None) -> dict[str, Any]:
        if isinstance(obj, IndicatorValue):
            return {
                "indicator": obj.indicator_id,
                "hospital": obj.hospital_id,
                "month": obj.month.isoformat(),
                "explanation": "核对后更正",
                **_figures(obj.indicator, 2),
            }
        indicator, month = _free_slot(owner, year)
        assert owner.hospital is not None
        return {
            "indicator": indicator.pk,
            "hospital": owner.hospital.pk,
            "month": f"{month:%Y-%m}",
            **_figures(indicator),
        }

    return body


def _explain_body(world: World, owner: Owner, obj: Model | None) -> dict[str, Any]:
    return {"explanation": "本月开展义诊活动"}


def _import(owner: Owner) -> IndicatorImport:
    return IndicatorImport.objects.create(
        campaign=owner.campaign,
        hospital=owner.hospital,
        month=dt.date(2021, 7, 1),
        status=IndicatorImport.Status.PENDING,
        file_sha256="0" * 64,
    )


VALUE = Resource(IndicatorValue, _builder(2021))
BASELINE = Resource(IndicatorValue, _builder(2020))
IMPORT = Resource(IndicatorImport, _import)


def _params(world: World, hospital_id: int, role: str = "league") -> dict[str, Any]:
    return {"campaign": world.campaign_for(role).pk, "hospital": hospital_id, "month": "2021-07"}


def _owner(world: World, hospital: Hospital) -> Owner:
    return Owner(unit=hospital.banner, campaign=world.campaign_of(hospital.banner.path), hospital=hospital)


def _check_template(world: World) -> None:
    a = world.alxa
    assert world.client("anonymous").get(TEMPLATE, _params(world, a.h004.pk)).status_code == 401
    for role in ("reporter", "banner", "league", "league2", "region", "admin"):
        for hospital in world.hospitals:
            # Each role asks with its own league's campaign (the admin with Alxa's).
            response = world.client(role).get(TEMPLATE, _params(world, hospital.pk, role))
            owner = _owner(world, hospital)
            if not world.in_org(role, owner):
                expected = 404
            else:  # the admin sees the other league's hospital, which has no template of Alxa's campaign
                expected = 400 if role in ("admin", "region") and hospital == world.foreign_hospital else 200
            assert response.status_code == expected, (role, hospital.code, response.status_code)
        # Another league's campaign is not found, whichever hospital is named.
        if role not in ("admin", "region"):
            other = world.campaign_for("league" if role == "league2" else "league2")
            response = world.client(role).get(
                TEMPLATE, {**_params(world, world.hospitals[0].pk), "campaign": other.pk}
            )
            assert response.status_code == 404, (role, response.status_code)


def _check_upload(world: World) -> None:
    a = world.alxa
    for role in ("anonymous", "reporter", "banner", "league", "league2", "region", "admin"):
        for hospital in world.hospitals:
            # The Alxa campaign's template: Alxa's roles (and the admin) upload it for Alxa's hospitals;
            # for the other league's hospital, and for the other league's reviewer, it is refused.
            template_of = a.h004 if hospital == world.foreign_hospital else hospital
            content = indicator_template_build(
                campaign=a.campaign, month=dt.date(2021, 7, 1), hospital=template_of
            )
            before = IndicatorImport.objects.count()
            response = world.client(role).post(
                UPLOAD, {**_params(world, hospital.pk), "file": io.BytesIO(content)}, format="multipart"
            )
            owner = _owner(world, hospital)
            if role == "anonymous":
                assert response.status_code == 401
            elif world.in_org(role, owner) and hospital != world.foreign_hospital and role != "region":
                # An empty template is a dry run with one error ("nothing filled in").
                assert response.status_code == 201, (role, hospital.code, response.content)
                continue
            else:
                assert response.status_code in (400, 403), (role, hospital.code, response.status_code)
            assert IndicatorImport.objects.count() == before


def _check_baseline_template(world: World) -> None:
    a = world.alxa
    params = {"campaign": a.campaign.pk, "hospital": a.h004.pk}
    assert world.client("anonymous").get(BASELINE_TEMPLATE, params).status_code == 401
    for role in ("reporter", "banner", "league", "league2", "region", "admin"):
        for hospital in world.hospitals:
            own = {"campaign": world.campaign_for(role).pk, "hospital": hospital.pk}
            response = world.client(role).get(BASELINE_TEMPLATE, own)
            owner = _owner(world, hospital)
            if not world.in_org(role, owner):
                expected = 404
            else:  # the admin sees the other league's hospital, which has no template of Alxa's campaign
                expected = 400 if role in ("admin", "region") and hospital == world.foreign_hospital else 200
            assert response.status_code == expected, (role, hospital.code, response.status_code)
    # Another league's campaign is not found.
    other = {"campaign": world.second.campaign.pk, "hospital": a.h004.pk}
    assert world.client("league").get(BASELINE_TEMPLATE, other).status_code == 404


def _check_baseline_upload(world: World) -> None:
    a = world.alxa
    for role in ("anonymous", "reporter", "banner", "league", "league2", "region", "admin"):
        for hospital in world.hospitals:
            # Alxa's workbook: refused for the other league's hospital and to the other league's reviewer.
            template_of = a.h004 if hospital == world.foreign_hospital else hospital
            content = baseline_template_build(campaign=a.campaign, hospital=template_of)
            before = IndicatorImport.objects.count()
            response = world.client(role).post(
                BASELINE_UPLOAD,
                {"campaign": a.campaign.pk, "hospital": hospital.pk, "file": io.BytesIO(content)},
                format="multipart",
            )
            owner = _owner(world, hospital)
            if role == "anonymous":
                assert response.status_code == 401
            elif world.in_org(role, owner) and hospital != world.foreign_hospital and role != "region":
                # An empty workbook is a dry run with one error ("nothing filled in").
                assert response.status_code == 201, (role, hospital.code, response.content)
                continue
            else:
                assert response.status_code in (400, 403), (role, hospital.code, response.status_code)
            assert IndicatorImport.objects.count() == before


def _check_report(url: str, key: str) -> Any:
    def check(world: World) -> None:
        a = world.alxa
        params: dict[str, Any] = {"campaign": a.campaign.pk, "period": "month", "year": 2021, "month": 7}
        assert world.client("anonymous").get(url, params).status_code == 401
        hospital_ids = {h.pk for h in world.hospitals}
        for role in ("reporter", "banner", "league", "league2", "region", "admin"):
            params["campaign"] = world.campaign_for(role).pk
            response = world.client(role).get(url, params)
            assert response.status_code == 200, (role, response.content[:300])
            rows = response.json()[key]
            seen = {r["unit_id"] for r in rows if r.get("unit_kind", r.get("scope")) == "hospital"}
            for hospital in world.hospitals:
                owner = _owner(world, hospital)
                if not world.in_org(role, owner):
                    assert hospital.pk not in seen, f"LEAK {url}: {role} sees {hospital.code}"
            if role == "reporter":
                assert seen & hospital_ids == {a.h004.pk}
            # Naming a hospital outside the scope gives nothing of it.
            outside = a.h004 if role == "league2" else world.foreign_hospital
            other = world.client(role).get(url, {**params, "hospital": outside.pk}).json()[key]
            if role not in ("admin", "region"):
                assert all(r["unit_id"] != outside.pk for r in other)
            # Another league's campaign is not found.
            if role not in ("admin", "region"):
                other_campaign = world.campaign_for("league" if role == "league2" else "league2")
                refused = world.client(role).get(url, {**params, "campaign": other_campaign.pk})
                assert refused.status_code == 404, (role, refused.status_code)

    return check


def _check_table_export(world: World) -> None:
    """The 出成效指标表 export's per-unit sheet holds exactly the hospitals the evaluations list shows."""
    a = world.alxa
    params: dict[str, Any] = {"campaign": a.campaign.pk, "period": "month", "year": 2021, "month": 7}
    url = "/api/v1/indicator-evaluations/export/"
    assert world.client("anonymous").get(url, params).status_code == 401
    names = dict(Hospital.objects.values_list("pk", "name"))
    for role in ("reporter", "banner", "league", "league2", "region", "admin"):
        params["campaign"] = world.campaign_for(role).pk
        client = world.client(role)
        listed = client.get("/api/v1/indicator-evaluations/", params).json()["units"]
        expected = {names[r["unit_id"]] for r in listed if r["scope"] == "hospital"}
        response = client.get(url, params)
        assert response.status_code == 200, (role, response.status_code)
        sheet = load_workbook(io.BytesIO(streamed(response)))["指标表"]
        exported = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[2] == "医院"}
        assert exported == expected, role
        assert world.foreign_hospital.name not in exported or role in ("admin", "region", "league2")
        assert a.h004.name not in exported or role != "league2"
    refused = world.client("league").get(url, {**params, "period": "century"})
    assert refused.status_code == 400


ROWS: dict[str, Row] = {
    **viewset_rows(
        "indicator-value", VALUE, body=_body(2021), create=CREATED, update=ALL_WRITERS, delete=DELETED
    ),
    "indicator-value-history": Row("action", VALUE),
    "indicator-value-explain": Row("action", VALUE, writes={"post": ALL_WRITERS}, body=_explain_body),
    **viewset_rows(
        "indicator-baseline", BASELINE, body=_body(2020), create=CREATED, update=ALL_WRITERS, delete=DELETED
    ),
    "indicator-baseline-history": Row("action", BASELINE),
    "indicator-baseline-explain": Row("action", BASELINE, writes={"post": ALL_WRITERS}, body=_explain_body),
    "indicator-figure-list": Row("custom", check=_check_report("/api/v1/indicator-figures/", "results")),
    "indicator-evaluation-list": Row(
        "custom", check=_check_report("/api/v1/indicator-evaluations/", "units")
    ),
    "indicator-evaluation-export": Row("custom", check=_check_table_export),
    "indicator-import-list": Row("list", IMPORT),
    "indicator-import-detail": Row("detail", IMPORT),
    "indicator-import-confirm": Row("action", IMPORT, writes={"post": ALL_WRITERS}),
    "indicator-import-template": Row("custom", check=_check_template),
    "indicator-import-upload": Row("custom", check=_check_upload),
    "indicator-import-baseline-template": Row("custom", check=_check_baseline_template),
    "indicator-import-baseline-upload": Row("custom", check=_check_baseline_upload),
}
