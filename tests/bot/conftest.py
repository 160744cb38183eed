"""Fixtures for conversation tests: a small area with users and households, a clock that tests
move, transcripts through the engine, and golden files (refresh with ``--update-golden``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine
from bot.flows.flow import Flow
from bot.flows.household_check import HOUSEHOLD_CHECK
from bot.flows.messages import IdentityRef, Inbound
from bot.handlers.console import render
from poverty.text import fold
from storage.models import AdminUnit, Household, Identity, RoleGrant, User
from storage.units import unit_key
from tests.conftest import FIXED_NOW, PEOPLE_TZ

GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/bot/golden/* from the current replies instead of comparing",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``golden(name, text)``: compare ``text`` with ``golden/<name>.txt`` (or rewrite it)."""
    update = bool(request.config.getoption("--update-golden", default=False))

    def check(name: str, text: str) -> None:
        path = GOLDEN / f"{name}.txt"
        if update:
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"missing {path}; run pytest tests/bot --update-golden"
        assert text == path.read_text(encoding="utf-8")

    return check


@dataclass
class Clock:
    """A clock tests can move; the engine calls it once per message."""

    now: datetime = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@dataclass
class Area:
    """Ids of the seeded units, users and households."""

    units: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    households: dict[str, int] = field(default_factory=dict)


HOUSEHOLDS: tuple[tuple[str, str, str, int, str | None], ...] = (
    # code, head, village, members, official status
    ("TL00001", "Nguyễn Văn An", "tan_hoa", 4, "ngheo"),
    ("TL00002", "Trần Thị Bình", "phu_hai", 3, "can_ngheo"),
    ("TL00003", "Nguyễn Văn Anh", "tan_hoa", 5, None),
    ("TL00004", "Đặng Thị Hà", "phu_hai", 2, "khong"),
    *(
        (f"TL{10 + i:05d}", "Lê Văn Hùng", "tan_hoa" if i < 6 else "phu_hai", 3, None)
        for i in range(10)
    ),
    ("CT00001", "Phạm Thị Hoa", "cam_lo", 4, "ngheo"),
    ("CT00002", "Nguyễn Văn An", "cam_lo", 4, None),
)


async def seed_area(sessions: async_sessionmaker[AsyncSession], now: datetime) -> Area:
    """Quảng Trị / Tân Lập (villages Tân Hòa, Phú Hải) and Quảng Trị / Cam Tuyên (Cam Lộ);
    console users cadre, mentor, manager (Tân Lập), admin (province), a phone-only cadre."""
    area = Area()
    async with sessions() as session, session.begin():

        async def unit(key: str, name: str, level: str, parent: str | None) -> None:
            parent_row = await session.get(AdminUnit, area.units[parent]) if parent else None
            row = AdminUnit(
                code=key,
                name=name,
                name_key=unit_key(name),
                level=level,
                parent_id=parent_row.id if parent_row else None,
                path="",
                urban=False,
            )
            session.add(row)
            await session.flush()
            row.path = f"{parent_row.path if parent_row else '/'}{row.id}/"
            area.units[key] = row.id

        await unit("quang_tri", "Quảng Trị", "province", None)
        await unit("tan_lap", "Tân Lập", "commune", "quang_tri")
        await unit("tan_hoa", "Thôn Tân Hòa", "village", "tan_lap")
        await unit("phu_hai", "Thôn Phú Hải", "village", "tan_lap")
        await unit("cam_tuyen", "Cam Tuyên", "commune", "quang_tri")
        await unit("cam_lo", "Thôn Cam Lộ", "village", "cam_tuyen")
        await session.flush()

        for key, role, scope, phone in (
            ("cadre", "cadre", "tan_lap", "+84900000003"),
            ("mentor", "mentor", "tan_lap", "+84900000004"),
            ("manager", "manager", "tan_lap", "+84900000002"),
            ("admin", "admin", "quang_tri", "+84900000001"),
            ("phone_cadre", "cadre", "tan_lap", "+84912345678"),
        ):
            user = User(name=f"Người dùng {key}", phone=phone, created_at=now)
            session.add(user)
            await session.flush()
            area.users[key] = user.id
            if key != "phone_cadre":
                session.add(
                    Identity(user_id=user.id, channel="console", external_id=key, created_at=now)
                )
            session.add(
                RoleGrant(user_id=user.id, role=role, unit_id=area.units[scope], granted_at=now)
            )

        villages = {"tan_hoa": "tan_lap", "phu_hai": "tan_lap", "cam_lo": "cam_tuyen"}
        for code, head, village, members, status in HOUSEHOLDS:
            row = Household(
                code=code,
                head_name=head,
                head_name_key=fold(head),
                unit_id=area.units[village],
                province_id=area.units["quang_tri"],
                district_id=None,
                commune_id=area.units[villages[village]],
                village_id=area.units[village],
                area="nong_thon",
                members=members,
                ethnic_minority=False,
                official_status=status,
                official_group="chinh_sach_giam_ngheo" if status == "ngheo" else None,
                official_year=2025 if status else None,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            await session.flush()
            area.households[code] = row.id
    return area


@pytest.fixture
async def area(sessions: async_sessionmaker[AsyncSession]) -> Area:
    return await seed_area(sessions, FIXED_NOW)


@pytest.fixture
def flows() -> list[Flow]:
    return [HOUSEHOLD_CHECK]


@pytest.fixture
def bot(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, flows: list[Flow], area: Area
) -> Engine:
    return Engine(sessions, clock, flows, tz=PEOPLE_TZ)


class Talker:
    """Sends lines as one console user and keeps the transcript."""

    def __init__(self, engine: Engine, who: str) -> None:
        self.engine = engine
        self.identity = IdentityRef("console", who)
        self.lines: list[str] = []

    async def say(self, text: str) -> str:
        replies = await self.engine.handle(Inbound(self.identity, text))
        shown = render(replies)
        self.lines.append(f"> {text}\n{shown}\n")
        return shown

    async def script(self, texts: Sequence[str]) -> list[str]:
        return [await self.say(text) for text in texts]

    @property
    def transcript(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def cadre(bot: Engine) -> Talker:
    return Talker(bot, "cadre")


@pytest.fixture
def talker(bot: Engine) -> Callable[[str], Talker]:
    return lambda who: Talker(bot, who)
