"""Many messages at once: every one is answered, and a redelivered update still only once."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine, FloodLimit
from bot.flows.flow import Flow
from bot.flows.messages import IdentityRef, Inbound
from storage.models import ProcessedUpdate
from tests.bot.conftest import Area, Clock
from tests.conftest import PEOPLE_TZ

PEOPLE = ("cadre", "mentor", "manager", "admin")
MESSAGES_EACH = 12


async def test_messages_of_many_people_at_once_are_all_answered_and_recorded(
    sessions: async_sessionmaker[AsyncSession], area: Area, clock: Clock, flows: list[Flow]
) -> None:
    bot = Engine(sessions, clock, flows, flood_limit=FloodLimit(messages=100), tz=PEOPLE_TZ)
    strangers = tuple(f"stranger{n}" for n in range(8))
    messages = [
        Inbound(IdentityRef("console", who), text, update_id=f"{who}-{n}")
        for n in range(MESSAGES_EACH)
        for who in (*PEOPLE, *strangers)
        for text in (("kiem tra", "huy")[n % 2],)
    ]

    replies = await asyncio.gather(*(bot.handle(message) for message in messages))

    assert all(answer for answer in replies), "every message gets an answer"
    async with sessions() as session:
        recorded = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert recorded == len(messages)


async def test_one_update_delivered_twice_at_the_same_moment_is_answered_once(
    bot: Engine, area: Area
) -> None:
    message = Inbound(IdentityRef("console", "cadre"), "kiem tra", update_id="777")

    first, second = await asyncio.gather(bot.handle(message), bot.handle(message))

    assert sorted((bool(first), bool(second))) == [False, True]
