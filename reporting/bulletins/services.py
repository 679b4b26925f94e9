from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from campaign.models import Campaign
from campaign.selectors import require_campaign_in_scope
from core import clock
from hospitals.audit import record_change
from hospitals.models import ChangeRecord, Role, User
from hospitals.selectors import AnyUser
from reporting.bulletins.models import Bulletin
from reporting.bulletins.selectors import bulletin_figures, bulletin_months
from reporting.bulletins.workbook import bulletin_filename, bulletin_workbook
from reporting.notices.models import Notification


def _require_league(actor: AnyUser, what: str) -> User:
    """A league reviewer (or an admin); whether the campaign is its league's is asked of
    ``require_campaign_in_scope`` once the campaign is known."""
    if not isinstance(actor, User) or not actor.is_active or not actor.is_league_level:
        raise PermissionDenied(f"只有盟审核员可以{what}。")
    return actor


@transaction.atomic
def bulletin_build(
    *,
    campaign_id: int,
    month: dt.date,
    actor: AnyUser | None = None,
    channel: str = ChangeRecord.Channel.SYSTEM,
) -> Bulletin:
    """Build (or rebuild) the month's draft bulletin and its workbook. ``actor`` None is the scheduled
    rollup. Refused for a published bulletin (code ``published``)."""
    user = _require_league(actor, "生成月度通报") if actor is not None else None
    campaign = Campaign.objects.select_related("league").get(pk=campaign_id)
    if user is not None:
        require_campaign_in_scope(user, campaign)
    if month not in bulletin_months(campaign):
        raise ValidationError(f"{month:%Y年%m月}不在活动的月度通报期内。", code="invalid_month")
    if month >= clock.today().replace(day=1):
        raise ValidationError(f"{month:%Y年%m月}尚未结束，不能生成该月通报。", code="invalid_month")
    now = clock.now()
    bulletin, created = Bulletin.objects.get_or_create(
        campaign=campaign, month=month, defaults={"built_at": now, "built_by": user}
    )
    bulletin = Bulletin.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=bulletin.pk)
    if bulletin.status == Bulletin.Status.PUBLISHED:
        raise ValidationError("该月通报已发布，不能重新生成。", code="published")
    old_data = bulletin.data
    bulletin.data = bulletin_figures(campaign, month)
    bulletin.built_at = now
    bulletin.built_by = user
    if bulletin.workbook:
        bulletin.workbook.delete(save=False)
    bulletin.workbook.save(bulletin_filename(bulletin), ContentFile(bulletin_workbook(bulletin)), save=False)
    bulletin.save()
    record_change(
        bulletin,
        action="build" if created else "rebuild",
        actor=user,
        channel=channel,
        changes={} if created or old_data == bulletin.data else {"data": ["(旧数据)", "(已更新)"]},
    )
    return bulletin


@transaction.atomic
def bulletin_publish(
    *, bulletin_id: int, actor: AnyUser, channel: str = ChangeRecord.Channel.WEB
) -> Bulletin:
    user = _require_league(actor, "发布月度通报")
    bulletin = (
        Bulletin.objects.select_for_update(of=("self",))
        .select_related("campaign__league")
        .get(pk=bulletin_id)
    )
    require_campaign_in_scope(user, bulletin.campaign)
    if bulletin.status == Bulletin.Status.PUBLISHED:
        raise ValidationError("该月通报已发布。", code="illegal_transition")
    bulletin.status = Bulletin.Status.PUBLISHED
    bulletin.published_at = clock.now()
    bulletin.published_by = user
    bulletin.save(update_fields=["status", "published_at", "published_by"])
    record_change(
        bulletin, action="publish", actor=user, channel=channel, changes={"status": ["draft", "published"]}
    )
    reviewers = User.objects.filter(
        role=Role.BANNER_REVIEWER, org_unit__path__startswith=bulletin.campaign.league.path, is_active=True
    )
    Notification.objects.bulk_create(
        [
            Notification(
                user=u,
                kind="bulletin_published",
                title=f"{bulletin}已发布",
                link=f"/bulletins/{bulletin.pk}/",
            )
            for u in reviewers
        ]
    )
    return bulletin


def rollup_previous_month(*, today: dt.date | None = None) -> list[Bulletin]:
    """The monthly rollup: build last month's bulletin for every campaign that has one that month.
    Published bulletins are left as they are, so the task can run any number of times."""
    today = today or clock.today()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    built = []
    for campaign in Campaign.objects.all():
        if month not in bulletin_months(campaign):
            continue
        try:
            built.append(bulletin_build(campaign_id=campaign.pk, month=month))
        except ValidationError as exc:
            if exc.code != "published":
                raise
    return built
