"""A second league beside Alxa, for the tests that try every rule across two leagues (issue 13 item 3).

包头市 (the league of ``tests/data/other-campaign.yaml``) with one banner, 土默特右旗, two hospitals with
their secretary and president, a reporter, a banner reviewer and a league reviewer, and its own campaign
of the same year as Alxa's: the Alxa 2021 catalogue (milestones, documents, layers, lecture kinds, tasks,
indicators, with the same codes) under another code, name and league, so anything built for an Alxa
hospital can be built for a 包头 one. Loaded through the seed loaders, after ``load_alxa`` (it hangs under
the region of ``seeds/alxa-league.yaml``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from campaign.models import Campaign
from campaign.seeding import (
    SeedResult,
    load_campaign,
    load_hospitals,
    load_org_units,
    load_people,
    load_posts,
    load_users,
)
from hospitals.models import Hospital, OrgUnit, User
from tests.factories import PASSWORD

CODE = "150200"
BANNER = "150221"
CAMPAIGN = "baotou-2021"


@dataclass
class SecondLeague:
    league: OrgUnit  # 包头市
    banner: OrgUnit  # 土默特右旗
    hospital: Hospital  # BT01 土右旗人民医院
    hospital2: Hospital  # BT02 土右旗蒙医医院
    campaign: Campaign  # baotou-2021, the same year as alxa-2021
    reporter: User  # bt01
    banner_reviewer: User  # tuyou
    league_reviewer: User  # baotou


def _campaign_data() -> dict[str, Any]:
    """Alxa's 2021 campaign as data, moved to 包头."""
    text = Path(settings.BASE_DIR / "seeds/alxa-2021.yaml").read_text(encoding="utf-8")
    data = copy.deepcopy(yaml.safe_load(text)["campaign"])
    data.update(
        code=CAMPAIGN, name="2021年包头市讲见效活动", league=CODE, document_number="包卫健发〔2021〕8号"
    )
    documents = data.setdefault("settings", {}).setdefault("documents", {})
    documents.update(
        organ="包头市卫生健康委员会",
        organ_mark="包头市卫生健康委员会文件",
        bulletin_number="包卫健医改通〔{year}〕{month}号",
    )
    return data


def load_second_league() -> SecondLeague:
    result = SeedResult()
    load_org_units(
        [
            {
                "code": CODE,
                "name": "包头市",
                "kind": "league",
                "parent": "150000",
                "commission_name": "包头市卫生健康委员会",
            },
            {
                "code": BANNER,
                "name": "土默特右旗",
                "kind": "banner",
                "parent": CODE,
                "commission_name": "土默特右旗卫生健康委员会",
            },
        ],
        result,
    )
    hospitals = [
        {"code": "BT01", "name": "土右旗人民医院", "type": "general"},
        {"code": "BT02", "name": "土右旗蒙医医院", "type": "tcm"},
    ]
    load_hospitals(
        [dict(h, banner=BANNER, level="secondary", staff_count=300, is_sample=True) for h in hospitals],
        result,
    )
    people, posts = [], []
    for h in hospitals:
        code = h["code"]
        people += [
            {"code": f"{code}-P01", "name": f"{code}书记", "hospital": code, "title": "党委书记"},
            {"code": f"{code}-P02", "name": f"{code}院长", "hospital": code, "title": "院长"},
        ]
        posts += [
            {"person": f"{code}-P01", "role": "secretary", "hospital": code, "start_on": "2019-01-01"},
            {"person": f"{code}-P02", "role": "president", "hospital": code, "start_on": "2019-01-01"},
        ]
    load_people(people, result)
    load_posts(posts, result)
    load_users(
        [
            {"username": "bt01", "password": PASSWORD, "role": "hospital_reporter", "hospital": "BT01"},
            {
                "username": "tuyou",
                "password": PASSWORD,
                "role": "banner_reviewer",
                "org_unit": BANNER,
            },
            {
                "username": "baotou",
                "password": PASSWORD,
                "role": "league_reviewer",
                "org_unit": CODE,
            },
        ],
        result,
    )
    load_campaign(_campaign_data(), result)
    return SecondLeague(
        league=OrgUnit.objects.get(code=CODE),
        banner=OrgUnit.objects.get(code=BANNER),
        hospital=Hospital.objects.get(code="BT01"),
        hospital2=Hospital.objects.get(code="BT02"),
        campaign=Campaign.objects.get(code=CAMPAIGN),
        reporter=User.objects.get(username="bt01"),
        banner_reviewer=User.objects.get(username="tuyou"),
        league_reviewer=User.objects.get(username="baotou"),
    )
