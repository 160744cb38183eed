"""Finding households the way a cadre names them: by code, or by the head's name typed with or
without tone marks, optionally followed by the village (``Nguyễn Văn An, Tân Hòa``).

Every query is limited to the units the user's role grants cover (:mod:`storage.access`).
Results are :class:`HouseholdInfo` values, small enough to keep in a conversation's answers.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from poverty.text import fold, without_nul
from storage.access import Access, households_in_scope, units_in_scope
from storage.models import AdminUnit, Household
from storage.units import unit_key

PLACE_LEVELS = ("village", "commune")
"""Units a household can be registered in: villages, or a commune that has none."""
_VILLAGE_WORDS = ("thon ", "ban ", "ap ", "khu pho ", "to dan pho ")
"""Words people put before a village name at the end of a search (“… thôn Tân Hòa”)."""


@dataclass(frozen=True)
class HouseholdInfo:
    """What the check flow needs to know about a household, JSON-ready via ``as_json``."""

    id: int
    code: str
    head_name: str
    place: str
    members: int
    area: str
    official_status: str | None
    official_group: str | None
    official_year: int | None
    latest_class: str | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HouseholdInfo:
        return cls(**data)


@dataclass(frozen=True)
class SearchResult:
    """Up to ``limit`` matches, best first, and how many there are in all."""

    matches: tuple[HouseholdInfo, ...]
    total: int


@dataclass(frozen=True)
class Place:
    """A unit inside the user's area where a new household can be registered."""

    id: int
    name: str
    name_key: str
    level: str


async def places_in_scope(session: AsyncSession, access: Access) -> list[Place]:
    """Villages in the user's area; the communes themselves when there are no villages."""
    rows = (
        await session.execute(
            select(AdminUnit.id, AdminUnit.name, AdminUnit.name_key, AdminUnit.level)
            .where(units_in_scope(access), AdminUnit.level.in_(PLACE_LEVELS))
            .order_by(AdminUnit.path)
        )
    ).all()
    places = [Place(*row) for row in rows]
    villages = [p for p in places if p.level == "village"]
    return villages or places


def _split_village(query: str, places: list[Place]) -> tuple[str, Place | None]:
    """``(name key, village)`` when the query names a village after the name."""
    if "," in query:
        name, _, village = query.partition(",")
        key = unit_key(village)
        return fold(name), next((p for p in places if p.name_key == key), None)
    folded = fold(query)
    for place in sorted(places, key=lambda p: -len(p.name_key)):
        for word in ("", *_VILLAGE_WORDS):
            suffix = f" {word}{place.name_key}"
            if folded.endswith(suffix) and len(folded) > len(suffix):
                return folded[: -len(suffix)].strip(), place
    return folded, None


async def search_households(
    session: AsyncSession, access: Access, query: str, limit: int = 8
) -> SearchResult:
    """Households in the user's area whose code is ``query`` or whose head's name contains it.

    A name may end with a village of the area (``nguyen van an tan hoa`` or
    ``Nguyễn Văn An, Thôn Tân Hòa``) to narrow the list.
    """
    scope = households_in_scope(access)
    text = " ".join(without_nul(query).split())
    by_code = await _select_info(
        session, scope, Household.code.in_({text, text.upper()}), limit=limit
    )
    if by_code:
        return SearchResult(tuple(by_code), len(by_code))
    name, village = _split_village(text, await places_in_scope(session, access))
    if not name:
        return SearchResult((), 0)
    condition = Household.head_name_key.contains(name, autoescape=True)
    if village is not None:
        column = Household.village_id if village.level == "village" else Household.commune_id
        condition = condition & (column == village.id)
    total = await session.scalar(
        select(func.count()).select_from(Household).where(scope, condition)
    )
    matches = await _select_info(session, scope, condition, limit=limit, exact_first=name)
    return SearchResult(tuple(matches), int(total or 0))


async def get_household(session: AsyncSession, access: Access, code: str) -> HouseholdInfo | None:
    """The household with that code, if it lies in the user's area."""
    found = await _select_info(session, households_in_scope(access), Household.code == code, 1)
    return found[0] if found else None


async def first_household_code(
    session: AsyncSession, access: Access, statuses: Collection[str] | None = None
) -> str | None:
    """A household code of the user's area (the first in code order), for examples; with
    ``statuses``, the first whose official status is one of them."""
    query = select(Household.code).where(households_in_scope(access))
    if statuses is not None:
        query = query.where(Household.official_status.in_(list(statuses)))
    return await session.scalar(query.order_by(Household.code).limit(1))


async def is_code_taken(session: AsyncSession, code: str) -> bool:
    """Whether any household (in any area) already uses ``code``."""
    return bool(
        await session.scalar(
            select(func.count()).select_from(Household).where(Household.code == code)
        )
    )


_PLACE = aliased(AdminUnit, name="place")
_INFO_COLUMNS = (
    Household.id, Household.code, Household.head_name, _PLACE.name, Household.members,
    Household.area, Household.official_status, Household.official_group, Household.official_year,
    Household.latest_class,
)  # fmt: skip
"""Columns, not ORM objects: a search only shows them; the
alias of the household's unit is built once."""


async def _select_info(
    session: AsyncSession,
    scope: Any,
    condition: Any,
    limit: int,
    exact_first: str | None = None,
) -> list[HouseholdInfo]:
    statement = (
        select(*_INFO_COLUMNS)
        .join(_PLACE, _PLACE.id == Household.unit_id)
        .where(scope, condition)
        .limit(limit)
    )
    if exact_first is not None:
        statement = statement.order_by(Household.head_name_key != exact_first, Household.code)
    else:
        statement = statement.order_by(Household.code)
    rows = (await session.execute(statement)).all()
    return [
        HouseholdInfo(
            id=row_id,
            code=code,
            head_name=head,
            place=place,
            members=members,
            area=area,
            official_status=status,
            official_group=group,
            official_year=year,
            latest_class=latest,
        )
        for row_id, code, head, place, members, area, status, group, year, latest in rows
    ]
