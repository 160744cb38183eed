"""A manager naming a unit in chat follows the same rules as the command line: level words
narrow, and an ambiguous name lists choices from the manager's own area that each work."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.flows.messages import IdentityRef, Inbound, Outbound
from storage.demo import create_demo_data
from storage.models import AdminUnit
from tests.bot.conftest import Clock
from tests.conftest import PEOPLE_TZ
from tests.storage.factories import Factory

MANAGER = IdentityRef("console", "manager")


@pytest.fixture
async def demo(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Engine:
    year = clock.now.astimezone(PEOPLE_TZ).year
    async with sessions() as session, session.begin():
        await create_demo_data(session, clock.now, year, households=30, tz=PEOPLE_TZ)
        commune = await session.scalar(select(AdminUnit).where(AdminUnit.level == "commune"))
        province = await session.scalar(select(AdminUnit).where(AdminUnit.level == "province"))
        assert commune is not None
        assert province is not None
        make = Factory(session)
        await make.unit("Thôn Cam Lộ", "village", commune)
        await make.unit("Tổ dân phố Cam Lộ", "village", commune)
        await make.unit("Xã Cam Lộ", "commune", province)
    return Engine(sessions, clock, registered_flows(), tz=PEOPLE_TZ)


async def ask(bot: Engine, text: str) -> list[Outbound]:
    return await bot.handle(Inbound(MANAGER, text))


async def test_an_ambiguous_name_lists_choices_inside_the_area_that_each_work(
    demo: Engine,
) -> None:
    reply, question = await ask(demo, "/tomtat Cam Lộ")

    assert reply.text.startswith("Địa bàn của anh/chị có 2 đơn vị tên “Cam Lộ”; hãy gõ một trong:")
    assert "Xã Cam Lộ" not in reply.text
    assert question.text.startswith("Anh/chị muốn xem đơn vị nào?")
    choices = re.findall(r"“([^”]+)”", reply.text.split("một trong:")[1])
    assert len(choices) == 2
    for choice in choices:
        await ask(demo, "/huy")
        [summary] = await ask(demo, f"/tomtat {choice}")
        assert summary.text.startswith(f"Tóm tắt năm 2026 – {choice}"), summary.text


async def test_a_level_word_without_tone_marks_names_one_unit(demo: Engine) -> None:
    [reply] = await ask(demo, "/tomtat to dan pho cam lo")

    assert reply.text.startswith("Tóm tắt năm 2026 – Quảng Trị / Tân Lập / Tổ dân phố Cam Lộ")
