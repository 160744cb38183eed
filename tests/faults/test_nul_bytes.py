"""NUL and other control characters in typed text, read as spaces by the engine (a unit, a
household's name or code, a keyword).

PostgreSQL refuses NUL in any text parameter, so before the fix these messages ended in a
database error instead of an answer there; on both databases they now get the same reply as
the text with a space in place of the NUL.
"""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.flows.messages import IdentityRef, Inbound
from tests.bot.conftest import Area, Clock, seed_area
from tests.conftest import FIXED_NOW, PEOPLE_TZ

CASES = [
    ("manager", "/tomtat Tân\x00Lập", "/tomtat Tân Lập"),
    ("manager", "tien do Phú\x00Hải", "tien do Phú Hải"),
    ("manager", "/tomtat Cam\x00Tuyên", "/tomtat Cam Tuyên"),
    ("cadre", "chinh sach cho hộ TL00001\x00", "chinh sach cho hộ TL00001 "),
    ("cadre", "chinh sach cho hộ Nguyễn\x00Văn An", "chinh sach cho hộ Nguyễn Văn An"),
    ("cadre", "kiem\x07tra\x1bTL00001", "kiem tra TL00001"),
]


@pytest.fixture
async def area(sessions: async_sessionmaker[AsyncSession]) -> Area:
    return await seed_area(sessions, FIXED_NOW)


@pytest.mark.parametrize(("who", "typed", "spaced"), CASES)
async def test_nul_in_a_looked_up_name_is_read_as_a_space(
    sessions: async_sessionmaker[AsyncSession], area: Area, who: str, typed: str, spaced: str
) -> None:
    bot = Engine(sessions, Clock(), registered_flows(), tz=PEOPLE_TZ)
    me = IdentityRef("console", who)
    with_nul = await bot.handle(Inbound(me, typed))
    await bot.handle(Inbound(me, "/huy"))
    with_space = await bot.handle(Inbound(me, spaced))

    assert [r.text for r in with_nul] == [r.text for r in with_space]
    assert all("\x00" not in r.text for r in with_nul)
