"""The menu of the web pages, per role (SPEC §1): each role sees the pages of its own month's work.

A page joins the menu here when it exists; the template only draws what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from hospitals.models import Role, User
from hospitals.onboarding import user_onboards
from reporting.notices.selectors import notifications_unread_count


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool = False
    badge: int = 0  # e.g. unread notifications, shown beside the label when not 0


def _items_for(user: User) -> list[tuple[str, str]]:
    if user.role == Role.REGION_REVIEWER:
        # Reads every league, acts on none (docs/decisions.md "The region reviewer").
        return [
            ("全区汇总", reverse("reporting:region")),
            ("医院", reverse("hospitals:list")),
            ("月度通报", reverse("reporting:bulletins")),
            ("通知", reverse("reporting:notifications")),
            ("我的导出", reverse("exports:jobs")),
        ]
    items: list[tuple[str, str]] = [("仪表盘", reverse("home"))]
    if user.role == Role.HOSPITAL_REPORTER and user.hospital_id is not None:
        items.append(("本院", reverse("campaign:hospital", args=[user.hospital_id])))
        items.append(("本月填报", reverse("reporting:months", args=[user.hospital_id])))
        items.append(("人员与科室", reverse("hospitals:people", args=[user.hospital_id])))
        items.append(("解锁申请", reverse("reporting:unlocks")))
    else:
        if user.is_reviewer and user.org_unit_id is not None:
            items.append(("启动记录", reverse("campaign:unit_launch", args=[user.org_unit_id])))
        if user.role == Role.BANNER_REVIEWER and user.org_unit_id is not None:
            items.append(("集中宣讲", reverse("campaign:banner_lectures", args=[user.org_unit_id])))
            items.append(("旗(区)指标", reverse("reporting:banner_months", args=[user.org_unit_id])))
        if user.is_league_level:
            items.append(("旗(区)", reverse("hospitals:banners")))
        items.append(("医院", reverse("hospitals:list")))
        items.append(("审核队列", reverse("reporting:queue")))
        items.append(("解锁申请", reverse("reporting:unlocks")))
        items.append(("调度报告", reverse("reporting:dispatch")))
    if user.is_league_level:
        items.append(("巡讲讲师", reverse("campaign:tour_lecturers")))
        items.append(("推荐宣传", reverse("campaign:publicity")))
        items.append(("出席宣讲", reverse("reporting:league_visits")))
    items.append(("月度通报", reverse("reporting:bulletins")))
    # Everyone: the league builds and publishes; hospitals and banners read the published evaluation.
    items.append(("年终评估", reverse("reporting:evaluation")))
    if user.sees_everything:
        items.append(("全区汇总", reverse("reporting:region")))
    items.append(("通知", reverse("reporting:notifications")))
    items.append(("我的导出", reverse("exports:jobs")))
    # A league admin onboards its league, a system admin any (hospitals.onboarding).
    if user_onboards(user):
        items.append(("入驻导入", reverse("hospitals:onboarding_start")))
    # The Django admin is shown to admins only (docs/decisions.md "Accounts"): only they may be staff.
    if user.role == Role.ADMIN and user.is_staff:
        items.append(("后台管理", reverse("admin:index")))
    return items


def nav_items(request: HttpRequest) -> list[NavItem]:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return []
    if user.must_change_password:  # every page but the password change is closed (core.accounts)
        return []
    path = request.path
    notifications = reverse("reporting:notifications")
    items = _items_for(user)
    # "/" is active only on itself; a section is active on its sub-pages too, unless a deeper section
    # of the menu holds the page (旗(区) at /hospitals/banners/ is not also 医院 at /hospitals/).
    sections = [url for _, url in items if url != "/" and path.startswith(url)]
    current = max(sections, key=len, default="/" if path == "/" else None)
    result = []
    for label, url in items:
        badge = notifications_unread_count(user) if url == notifications else 0
        result.append(NavItem(label, url, url == current, badge))
    return result


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``nav`` for base.html."""
    return {"nav": nav_items(request)}
