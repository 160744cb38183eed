"""``TIEP`` through the engine: the next kept page whatever is going on, a note when none is
left, and the word left to the question when nothing was kept (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.flow import Flow
from bot.flows.household_check import HOUSEHOLD_CHECK
from storage.kept_pages import keep_pages
from tests.bot.conftest import Clock, Talker


@pytest.fixture
def flows() -> list[Flow]:
    return [HOUSEHOLD_CHECK]


async def keep(sessions: async_sessionmaker[AsyncSession], clock: Clock, pages: list[str]) -> None:
    async with sessions() as session, session.begin():
        await keep_pages(session, "console", "cadre", pages, clock.now, timedelta(days=3))


@pytest.mark.parametrize("word", ["TIEP", "tiếp", "tiep", "xem tiếp", "Tiếp theo."])
async def test_each_way_of_saying_tiep_sends_the_next_kept_page(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession], clock: Clock, word: str
) -> None:
    await keep(sessions, clock, ["trang 2", "trang 3"])

    assert await cadre.say(word) == "trang 2"
    assert await cadre.say(word) == "trang 3"
    assert await cadre.say(word) == "Không còn phần nào để xem tiếp."


async def test_tiep_at_a_question_sends_the_page_and_the_question_still_waits(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    question = await cadre.say("kiem tra TL00001")
    await keep(sessions, clock, ["trang 2"])

    assert await cadre.say("tiep") == "trang 2"
    assert (await cadre.say("/giup")).endswith(question), "the same question is still asked"


async def test_with_nothing_kept_tiep_is_read_as_usual_and_an_expired_rest_is_gone(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await keep(sessions, clock, ["trang 2"])
    clock.now += timedelta(days=3, minutes=1)

    reply = await cadre.say("tiep")

    assert reply != "trang 2"
    assert reply.startswith("Xin lỗi, tôi chưa hiểu ý anh/chị.")
