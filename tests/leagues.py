"""A second league beside Alxa, for the tests that try every rule across two leagues (issue 13 item 3).

包头市 as the seeds give it (``seeds/baotou-demo.yaml``, ``seeds/baotou-2021.yaml``: what ``make run``
loads): banners 土默特右旗 and 固阳县, hospitals BT01–BT03 with their secretary and president, reporters,
a banner reviewer and a league reviewer, and its own campaign of the same year as Alxa's: the Alxa 2021
catalogue (milestones, documents, layers, lecture kinds, tasks, indicators, with the same codes) under
another code, name and league, so anything built for an Alxa hospital can be built for a 包头 one. The
same file holds the region reviewer (``region``). Loaded after ``load_alxa`` (it hangs under the region of
``seeds/alxa-league.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from campaign.management.commands.load_seed import SECOND_LEAGUE_SEEDS
from campaign.models import Campaign
from campaign.seeding import seed_load
from hospitals.models import Hospital, OrgUnit, User

CODE = "150200"
BANNER = "150221"
CAMPAIGN = "baotou-2021"


@dataclass
class SecondLeague:
    league: OrgUnit  # 包头市
    banner: OrgUnit  # 土默特右旗
    hospital: Hospital  # BT01 土右旗人民医院
    hospital2: Hospital  # BT02 土右旗蒙医医院
    hospitals: list[Hospital]  # BT01, BT02 and BT03 固阳县人民医院 (another banner, 固阳县)
    campaign: Campaign  # baotou-2021, the same year as alxa-2021
    reporter: User  # bt01
    banner_reviewer: User  # tuyou
    league_reviewer: User  # baotou
    region_reviewer: User  # region: the 自治区 reviewer, who reads both leagues


def load_second_league() -> SecondLeague:
    seed_load(paths=[settings.BASE_DIR / p for p in SECOND_LEAGUE_SEEDS])
    return SecondLeague(
        league=OrgUnit.objects.get(code=CODE),
        banner=OrgUnit.objects.get(code=BANNER),
        hospital=Hospital.objects.get(code="BT01"),
        hospital2=Hospital.objects.get(code="BT02"),
        hospitals=list(Hospital.objects.filter(code__in=("BT01", "BT02", "BT03")).order_by("code")),
        campaign=Campaign.objects.get(code=CAMPAIGN),
        reporter=User.objects.get(username="bt01"),
        banner_reviewer=User.objects.get(username="tuyou"),
        league_reviewer=User.objects.get(username="baotou"),
        region_reviewer=User.objects.get(username="region"),
    )
