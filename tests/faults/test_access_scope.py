"""Property: nobody ever reads outside their area. On random unit trees (province, sometimes a
district, communes with or without villages), households spread over them and random role
grants, every query a person can trigger with their ``Access`` returns only households and
units inside their granted subtrees:

- ``households_in_scope`` / ``units_in_scope`` (and they miss nothing inside);
- household search by code and by name, ``get_household``, the places a household can be
  registered in;
- the unit a summary or progress report is about (typed by name, or offered as a button) and
  the rows of the appendix tables for it;
- the follow-ups a mentor is offered to report on;
- the late-report lines (which may name the unit the person's own area reports through, and
  nothing beside it).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.flows.area_choice import OPTIONS_KEY, UnitInArea, managed, start_in_area
from bot.flows.context import FlowContext
from bot.flows.followup_report import FOLLOWUP_REPORT
from bot.flows.messages import IdentityRef, Option
from bot.flows.report_submission import late_report_lines
from poverty.errors import InvalidInputError, ParseError
from poverty.text import fold
from storage.access import Access, access_for_user, households_in_scope, units_in_scope
from storage.db import create_engine, is_sqlite, session_factory, upgrade
from storage.household_search import get_household, places_in_scope, search_households
from storage.models import (
    ROLES,
    AdminUnit,
    FollowUp,
    Household,
    MentorAssignment,
    RoleGrant,
    User,
)
from storage.reports import appendix_1, appendix_2
from storage.units import get_unit, unit_key
from tests.conftest import _empty_all_tables
from tests.faults.test_hostile_inputs import NOW

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.db
HEADS = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Hùng")
"""Few head names, shared by every area, so a name search finds households everywhere."""


@dataclass(frozen=True)
class TreeSpec:
    """Communes as (under a district?, number of villages); households per leaf; grants."""

    communes: list[tuple[bool, int]]
    households: list[int]
    grants: list[list[tuple[str, int]]]
    mentored: list[tuple[int, int]]


TREES = st.builds(
    TreeSpec,
    communes=st.lists(st.tuples(st.booleans(), st.integers(0, 3)), min_size=1, max_size=4),
    households=st.lists(st.integers(0, 3), min_size=12, max_size=12),
    grants=st.lists(
        st.lists(st.tuples(st.sampled_from(ROLES), st.integers(0, 30)), min_size=1, max_size=3),
        min_size=1,
        max_size=3,
    ),
    mentored=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 40)), max_size=8),
)


@dataclass
class Tree:
    units: list[AdminUnit] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    users: list[int] = field(default_factory=list)

    def path_of(self, unit_id: int) -> str:
        return next(u.path for u in self.units if u.id == unit_id)

    def name_of(self, unit_id: int) -> str:
        return next(u.name for u in self.units if u.id == unit_id)


async def build_tree(session: AsyncSession, spec: TreeSpec) -> Tree:
    tree = Tree()

    async def unit(name: str, level: str, parent: AdminUnit | None) -> AdminUnit:
        row = AdminUnit(
            code=f"u{len(tree.units)}",
            name=name,
            name_key=unit_key(name),
            level=level,
            parent_id=parent.id if parent else None,
            path="",
            urban=False,
        )
        session.add(row)
        await session.flush()
        row.path = f"{parent.path if parent else '/'}{row.id}/"
        tree.units.append(row)
        return row

    province = await unit("Tỉnh Thử", "province", None)
    district = None
    leaves: list[tuple[AdminUnit, AdminUnit | None, AdminUnit, AdminUnit | None]] = []
    for number, (in_district, villages) in enumerate(spec.communes, 1):
        parent = province
        if in_district:
            district = district or await unit("Huyện Mẫu", "district", province)
            parent = district
        commune = await unit(f"Xã Số {number}", "commune", parent)
        if not villages:
            leaves.append((commune, district if in_district else None, commune, None))
        for village_number in range(1, villages + 1):
            village = await unit(f"Thôn {number}-{village_number}", "village", commune)
            leaves.append((village, district if in_district else None, commune, village))
    for index, (place, in_district, commune, village) in enumerate(leaves):
        for number in range(spec.households[index % len(spec.households)]):
            head = HEADS[(index + number) % len(HEADS)]
            row = Household(
                code=f"H{index}X{number}",
                head_name=head,
                head_name_key=fold(head),
                unit_id=place.id,
                province_id=province.id,
                district_id=in_district.id if in_district else None,
                commune_id=commune.id,
                village_id=village.id if village else None,
                area="nong_thon",
                members=3,
                ethnic_minority=False,
                official_status="ngheo",
                official_group="chinh_sach_giam_ngheo",
                official_year=NOW.year,
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(row)
            tree.households.append(row)
    await session.flush()
    for number, grants in enumerate(spec.grants):
        user = User(name=f"Người {number}", phone=f"+8491000000{number}", created_at=NOW)
        session.add(user)
        await session.flush()
        tree.users.append(user.id)
        for role, unit_index in grants:
            target = tree.units[unit_index % len(tree.units)]
            session.add(RoleGrant(user_id=user.id, role=role, unit_id=target.id, granted_at=NOW))
    for user_index, household_index in spec.mentored:
        if not tree.households:
            break
        household = tree.households[household_index % len(tree.households)]
        session.add(
            MentorAssignment(
                household_id=household.id,
                mentor_user_id=tree.users[user_index % len(tree.users)],
                valid_from=date(2026, 1, 1),
                valid_to=None,
            )
        )
        session.add(
            FollowUp(
                household_id=household.id,
                indicator="bhyt",
                policy_codes=[],
                state="open",
                due_on=date(2026, 12, 31),
                opened_at=NOW,
            )
        )
    await session.flush()
    return tree


def inside(path: str, access: Access) -> bool:
    return any(path.startswith(g.unit_path) for g in access.grants)


async def check_user(session: AsyncSession, tree: Tree, access: Access) -> None:
    paths = {u.id: u.path for u in tree.units}
    household_paths = {h.id: paths[h.unit_id] for h in tree.households}
    code_paths = {h.code: paths[h.unit_id] for h in tree.households}

    found = set(await session.scalars(select(Household.id).where(households_in_scope(access))))
    assert found == {h for h, p in household_paths.items() if inside(p, access)}
    units = set(await session.scalars(select(AdminUnit.id).where(units_in_scope(access))))
    assert units == {u for u, p in paths.items() if inside(p, access)}

    for query in (*HEADS, "nguyen", "van", "H0X0", "h1x1", *code_paths):
        result = await search_households(session, access, query, limit=50)
        assert all(inside(code_paths[m.code], access) for m in result.matches), query
        assert result.total == len(result.matches)
    for code, path in code_paths.items():
        assert (await get_household(session, access, code) is not None) == inside(path, access)
    for place in await places_in_scope(session, access):
        assert inside(paths[place.id], access)

    identity = IdentityRef("console", f"user{access.user_id}")
    context = FlowContext(session, access, identity, NOW, TZ, "")
    managing = managed(access)
    offered = (await start_in_area(context)).get(OPTIONS_KEY, [])
    assert all(inside(paths[int(unit_id)], managing) for unit_id, _ in offered)
    options = tuple(Option(f"dv{unit_id}", name) for unit_id, name in offered)
    for unit in tree.units:
        typed = FlowContext(session, access, identity, NOW, TZ, unit.name)
        try:
            chosen = await UnitInArea(options).resolve(typed, unit.name)
        except (ParseError, InvalidInputError):
            assert not inside(unit.path, managing) or unit.name in {n for _, n in offered}
            continue
        assert inside(paths[chosen], managing), unit.name
        for appendix in (appendix_1, appendix_2):
            report = await appendix(session, await get_unit(session, chosen), NOW.year)
            rows = [r.unit_id for r in report.rows if r.unit_id]
            assert all(inside(paths[row], managing) for row in rows), unit.name

    items = (await FOLLOWUP_REPORT.start(context)).get("_items", [])
    shown = {label.split(" – ")[0].removeprefix("Hộ ") for _, label in items}
    assert all(inside(code_paths[code], access) for code in shown), shown

    lines = await late_report_lines(context)
    grant_paths = [g.unit_path for g in managing.grants]
    for unit in tree.units:
        named = any(line.strip("• ").split(" (")[0] == unit.name for line in lines)
        if named:
            on_the_way = any(p.startswith(unit.path) for p in grant_paths)
            assert inside(unit.path, managing) or on_the_way, unit.name


@pytest.fixture
def runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as loop:
        yield loop


async def open_database(url: str, schema: str | None) -> AsyncEngine:
    if schema is not None:
        admin = create_engine(url)
        async with admin.begin() as connection:
            await connection.execute(text(f"CREATE SCHEMA {schema}"))
        await admin.dispose()
    engine = create_engine(url, search_path=schema)
    await upgrade(engine)
    return engine


async def close_database(engine: AsyncEngine, url: str, schema: str | None) -> None:
    await engine.dispose()
    if schema is not None:
        admin = create_engine(url)
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


async def check_tree(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], spec: TreeSpec
) -> None:
    await _empty_all_tables(engine)
    async with sessions() as session, session.begin():
        tree = await build_tree(session, spec)
    async with sessions() as session:
        for user_id in tree.users:
            access = await access_for_user(session, user_id)
            assert access is not None
            await check_user(session, tree, access)


def test_no_user_ever_reads_outside_their_area(
    runner: asyncio.Runner, database_url: str, tmp_path: Path
) -> None:
    if is_sqlite(database_url):
        url, schema = f"sqlite+aiosqlite:///{tmp_path / 'scope.db'}", None
    else:
        url, schema = database_url, f"gn_scope_{uuid.uuid4().hex[:10]}"
    engine = runner.run(open_database(url, schema))
    sessions = session_factory(engine)
    try:
        # No shrinking: each step of it rebuilds a database, and the failing tree is printed
        # anyway (small enough to read with at most four communes).
        @settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @given(spec=TREES)
        def scoped(spec: TreeSpec) -> None:
            runner.run(check_tree(engine, sessions, spec))

        scoped()
    finally:
        runner.run(close_database(engine, url, schema))
