"""Campaign catalogue routes (campaign/api.py): the campaign's rules, read by every signed-in user of
the campaign's league (``campaigns_visible_to``); another league's campaign and rules are 404."""

from __future__ import annotations

import itertools
from typing import Any

from campaign.models import ActionArea, ActionTask, Campaign, Indicator, KeyDocument, Layer, LectureKind
from tests.api.harness import Owner, Resource, Row, World, viewset_rows
from tests.factories import CampaignFactory

_n = itertools.count(1)


def _code(prefix: str) -> str:
    return f"{prefix}{next(_n):05d}"


def _campaign(owner: Owner) -> Campaign:
    return CampaignFactory.create(league=owner.unit.parent or owner.unit)


def _key_document(owner: Owner) -> KeyDocument:
    n = next(_n)
    return KeyDocument.objects.create(
        campaign=owner.campaign, code=f"KD{n}", number=100 + n, title=f"文件{n}"
    )


def _layer(owner: Owner) -> Layer:
    n = next(_n)
    return Layer.objects.create(campaign=owner.campaign, code=f"L{n}", order=100 + n, name=f"层次{n}")


def _lecture_kind(owner: Owner) -> LectureKind:
    return LectureKind.objects.create(
        campaign=owner.campaign,
        code=_code("LK"),
        name="测试形式",
        speaker_rule=LectureKind.SpeakerRule.HOSPITAL_LEADER,
        venue=LectureKind.Venue.OWN_HOSPITAL,
    )


def _action_task(owner: Owner) -> ActionTask:
    area = ActionArea.objects.create(campaign=owner.campaign, code=_code("Z"), name="测试方面")
    return ActionTask.objects.create(campaign=owner.campaign, area=area, code=_code("Z"), name="测试任务")


def _indicator(owner: Owner) -> Indicator:
    return Indicator.objects.create(
        campaign=owner.campaign,
        code=_code("ZI"),
        item_code="Z1",
        area="测试",
        name="测试指标",
        value_type=Indicator.ValueType.COUNT,
        reporting_level=Indicator.ReportingLevel.HOSPITAL,
        target_kind=Indicator.TargetKind.INCREASE,
    )


def _in_league(world: World, role: str, owner: Owner) -> bool:
    """A campaign built for ``owner`` is of the owner's league."""
    return world.in_league(role, owner)


def _in_campaign_league(world: World, role: str, owner: Owner) -> bool:
    """A catalogue row built for ``owner`` is of the owner's campaign, read in that campaign's league."""
    return world.in_league(role, Owner(unit=owner.campaign.league, campaign=owner.campaign))


def _catalogue(model: type[Any], build: Any) -> Resource:
    return Resource(model, build, owned_by="public", visible=_in_campaign_league)


ROWS: dict[str, Row] = {
    **viewset_rows("campaign", Resource(Campaign, _campaign, owned_by="public", visible=_in_league)),
    **viewset_rows("key-document", _catalogue(KeyDocument, _key_document)),
    **viewset_rows("layer", _catalogue(Layer, _layer)),
    **viewset_rows("lecture-kind", _catalogue(LectureKind, _lecture_kind)),
    **viewset_rows("action-task", _catalogue(ActionTask, _action_task)),
    **viewset_rows("indicator", _catalogue(Indicator, _indicator)),
}
