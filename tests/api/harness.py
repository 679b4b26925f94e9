"""The API test harness: the roles, a world with an object of every organisation, and the declared table of
every /api/v1/ route (``tests/api/matrix/*.py``) that the permission matrix, the query-count test and the
schemathesis run share.

Organisations. Each role has its own organisation — the one that bounds what it may see — and every other
organisation is "other". The world holds two leagues, each with its own campaign of 2021: Alxa (seeds)
and 包头市 (``tests/leagues.py``: banner 土默特右旗, hospital BT01, its own campaign ``baotou-2021``):

| role       | user          | own organisation | other organisations in the world           |
|------------|---------------|------------------|--------------------------------------------|
| reporter   | h004          | hospital H004    | H001 (same banner), H006, the second league |
| banner     | zuoqi         | 阿拉善左旗       | H006 (阿拉善右旗), the second league        |
| league     | league        | 阿拉善盟         | the second league                          |
| league2    | baotou        | 包头市           | Alxa: H004, H001, H006                     |
| region     | region        | 内蒙古自治区 (reads both leagues, writes nothing) | —                  |
| admin      | admin         | everything       | —                                          |
| anonymous  | —             | nothing          | everything                                 |

A resource's builder makes one row owned by a given organisation (``Owner``, with the campaign of that
organisation's league); the world calls it for H004, H001, H006 and BT01 (or for the banners 左旗, 右旗 and
土默特右旗 when the resource belongs to banners), so every role meets rows of its own and of other
organisations, and each league meets the other league's rows as a hospital meets another hospital's.

How to add a route: docs/contributing.md, "API routes: the permission matrix".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from campaign.models import Campaign
from hospitals.models import Hospital, OrgUnit, User
from tests.conftest import Alxa
from tests.leagues import SecondLeague, load_second_league

ROLES = ("anonymous", "reporter", "banner", "league", "league2", "region", "admin")
SIGNED_IN = ROLES[1:]
UNSAFE = ("post", "put", "patch", "delete")
API_PREFIX = "api/v1/"


# --- the world --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """The organisation a built row belongs to: a hospital (and its banner), or a banner alone."""

    unit: OrgUnit
    campaign: Campaign
    hospital: Hospital | None = None

    @property
    def path(self) -> str:
        return self.hospital.banner.path if self.hospital is not None else self.unit.path

    def __str__(self) -> str:
        return self.hospital.code if self.hospital is not None else self.unit.code


@dataclass
class World:
    alxa: Alxa
    second: SecondLeague
    users: dict[str, User | None]
    _clients: dict[str, APIClient] = field(default_factory=dict)

    @property
    def foreign_hospital(self) -> Hospital:
        """The second league's hospital (BT01): another league's, for every Alxa role."""
        return self.second.hospital

    @property
    def foreign_banner(self) -> OrgUnit:
        return self.second.banner

    def campaign_of(self, path: str) -> Campaign:
        """The campaign of the league that holds ``path``."""
        return self.second.campaign if path.startswith(self.second.league.path) else self.alxa.campaign

    def campaign_for(self, role: str) -> Campaign:
        """The campaign of ``role``'s own league (the admin's: Alxa's)."""
        return self.second.campaign if role == "league2" else self.alxa.campaign

    @property
    def hospitals(self) -> list[Hospital]:
        a = self.alxa
        return [a.h004, a.h001, a.h006, self.foreign_hospital]

    @property
    def banners(self) -> list[OrgUnit]:
        return [self.alxa.zuoqi, self.alxa.youqi, self.foreign_banner]

    def owners(self, owned_by: str) -> list[Owner]:
        if owned_by == "unit":
            return [Owner(unit=u, campaign=self.campaign_of(u.path)) for u in self.banners]
        return [
            Owner(unit=h.banner, campaign=self.campaign_of(h.banner.path), hospital=h) for h in self.hospitals
        ]

    def in_org(self, role: str, owner: Owner) -> bool:
        """Whether ``owner`` is inside ``role``'s own organisation (the table in the module docstring)."""
        a = self.alxa
        if role in ("admin", "region"):
            return True
        if role == "reporter":
            return owner.hospital is not None and owner.hospital.pk == a.h004.pk
        if role == "banner":
            return owner.path.startswith(a.zuoqi.path)
        if role == "league":
            return owner.path.startswith(a.league.path)
        if role == "league2":
            return owner.path.startswith(self.second.league.path)
        return False

    def in_league(self, role: str, owner: Owner) -> bool:
        """Whether ``owner`` is in ``role``'s league: what a campaign's rules and published rows are
        shown to (``campaigns_visible_to``); the admin's and the region reviewer's is every league."""
        if role in ("admin", "region"):
            return True
        if role == "anonymous":
            return False
        league = self.second.league if role == "league2" else self.alxa.league
        return owner.path.startswith(league.path)

    def own(self, role: str, owned_by: str) -> Owner | None:
        return next((o for o in self.owners(owned_by) if self.in_org(role, o)), None)

    def others(self, role: str, owned_by: str) -> list[Owner]:
        return [o for o in self.owners(owned_by) if not self.in_org(role, o)]

    def client(self, role: str) -> APIClient:
        if role not in self._clients:
            client = APIClient()
            user = self.users[role]
            if user is not None:
                client.force_authenticate(user)
            self._clients[role] = client
        return self._clients[role]


def make_world(alxa: Alxa) -> World:
    second = load_second_league()
    users: dict[str, User | None] = {
        "anonymous": None,
        "reporter": alxa.reporter,
        "banner": alxa.banner_reviewer,
        "league": alxa.league_reviewer,
        "league2": second.league_reviewer,
        "region": second.region_reviewer,
        "admin": alxa.admin,
    }
    return World(alxa, second, users)


# --- resources and rows ------------------------------------------------------------------------------

Build = Callable[[Owner], Model]
Body = Callable[[World, Owner, Model | None], dict[str, Any]]


@dataclass(frozen=True)
class Resource:
    """A kind of row behind one or more routes, and how to make one for a given organisation.

    ``owned_by``: "hospital" (per-hospital data), "unit" (a banner's own rows) or "public" (catalogues
    every signed-in user reads). ``visible(world, role, owner)`` overrides the default rule "a role sees
    the rows of its own organisation; public rows are seen by every signed-in user".
    ``build_more`` makes another row for the query-count test when ``build`` returns an existing one.
    """

    model: type[Model]
    build: Build
    owned_by: Literal["hospital", "unit", "public"] = "hospital"
    visible: Callable[[World, str, Owner], bool] | None = None
    build_more: Build | None = None

    def is_visible(self, world: World, role: str, owner: Owner) -> bool:
        if role == "anonymous":
            return False
        if self.visible is not None:
            return self.visible(world, role, owner)
        if self.owned_by == "public":
            return True
        return world.in_org(role, owner)

    def owners(self, world: World) -> list[Owner]:
        return world.owners("unit" if self.owned_by == "unit" else "hospital")


@dataclass(frozen=True)
class Row:
    """What the permission matrix checks for one route name.

    kind: "list" (GET lists the rows; POST creates one), "detail" (GET/PUT/PATCH/DELETE one row),
    "action" (an extra method on one row, e.g. POST …/{pk}/submit/ or GET …/{pk}/download/: another
    organisation's row is 404, one's own is neither 401/403/404 nor a server error), "export" (GET
    …/export/ of the list ``list_route``: the workbook holds exactly as many rows as that list shows the
    role, its own organisation's included), "custom" (``check(world)`` does it all: list-level actions,
    downloads, anything the table cannot say).

    ``writes[method][role]`` is the status expected when ``role`` sends ``method`` to a row (or, for a
    POST on a list, names an owner) of its OWN organisation; a signed-in role left out must be refused
    with nothing changed. A row or owner of ANOTHER organisation is always refused, unchanged, and a detail
    of another organisation is 404. ``body(world, owner, obj)`` is the request body (for a create: a
    valid body naming ``owner``, so that naming another organisation is the "forged id" case).
    ``review_fields`` are fields only reviewers may set: a reporter's PATCH with these values must leave
    them unchanged.
    """

    kind: Literal["list", "detail", "action", "export", "custom"]
    resource: Resource | None = None
    writes: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    body: Body | None = None
    review_fields: Mapping[str, Any] = field(default_factory=dict)
    check: Callable[[World], None] | None = None
    # False when a create's body names no organisation (the row belongs to its requester, say): then
    # there is no forged id to try.
    body_names_owner: bool = True
    list_route: str = ""


def viewset_rows(
    basename: str,
    resource: Resource,
    *,
    create: Mapping[str, int] | None = None,
    update: Mapping[str, int] | None = None,
    delete: Mapping[str, int] | None = None,
    body: Body | None = None,
    review_fields: Mapping[str, Any] | None = None,
    body_names_owner: bool = True,
    export: bool = False,
) -> dict[str, Row]:
    """The two rows of a router-registered viewset: ``<basename>-list`` and ``<basename>-detail``, and
    ``<basename>-export`` when ``export`` (the viewset has ``XlsxExportMixin``)."""
    list_writes = {"post": create} if create is not None else {}
    detail_writes: dict[str, Mapping[str, int]] = {}
    if update is not None:
        detail_writes.update(put=update, patch=update)
    if delete is not None:
        detail_writes["delete"] = delete
    rows = {
        f"{basename}-list": Row(
            "list", resource, writes=list_writes, body=body, body_names_owner=body_names_owner
        ),
        f"{basename}-detail": Row(
            "detail", resource, writes=detail_writes, body=body, review_fields=review_fields or {}
        ),
    }
    if export:
        rows[f"{basename}-export"] = Row("export", resource, list_route=f"{basename}-list")
    return rows


def collect_rows() -> dict[str, Row]:
    """Every module of tests/api/matrix/ contributes its ``ROWS``; a route declared twice is an error."""
    import importlib
    import pkgutil

    from tests.api import matrix

    rows: dict[str, Row] = {}
    for info in sorted(pkgutil.iter_modules(matrix.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{matrix.__name__}.{info.name}")
        for name, row in getattr(module, "ROWS", {}).items():
            assert name not in rows, f"route {name} is declared twice in tests/api/matrix/"
            rows[name] = row
    return rows


# --- routes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    methods: tuple[str, ...]
    view: Any

    @property
    def params(self) -> list[str]:
        return list(re.compile(self.pattern).groupindex)

    def url(self, pk: Any = None) -> str:
        """The path of this route; ``pk`` fills its one path parameter, if it has one."""
        params = self.params
        assert len(params) <= 1, f"{self.name}: a route with several path parameters needs a custom row"
        return reverse(self.name, kwargs={params[0]: pk} if params else None)


def _walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern).lstrip("^"))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern).lstrip("^"), p


def _methods(callback: Any) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)
    if actions:  # a ViewSet route: {"get": "list", "post": "create"}
        return tuple(sorted(actions))
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is None:
        return ("get",)
    names = getattr(cls, "http_method_names", ())
    return tuple(m for m in sorted(names) if m not in ("head", "options", "trace") and hasattr(cls, m))


def api_routes() -> dict[str, Route]:
    """Every named route under /api/v1/, from the URL resolver (format-suffix twins left out)."""
    routes: dict[str, Route] = {}
    for pattern, p in _walk(get_resolver().url_patterns, ""):
        if not pattern.startswith(API_PREFIX) or "(?P<format>" in pattern:
            continue
        assert p.name, f"every API route needs a name (pattern {pattern})"
        routes[p.name] = Route(p.name, pattern, _methods(p.callback), p.callback)
    return routes


def unique(prefix: str) -> Iterator[str]:
    """Codes for built rows that never collide with the seeds."""
    return (f"{prefix}{n:05d}" for n in itertools.count(1))
