"""Scheduler reminders reach a mentor who has no chat identity by SMS, through the outbox
dispatcher and the channel router (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.handlers.sms.generic import GenericSender
from bot.handlers.sms.gsm7 import is_gsm7, parts_needed
from bot.handlers.sms.pages import PageStore
from poverty.calendar import FollowUpSettings, load_calendar
from scheduler.tick import plan_all
from storage.audit import Actor
from storage.followups import sync_followups
from storage.households import HouseholdRow, save_households
from storage.mentors import assign_mentor
from storage.models import Household, OutboxMessage
from tests.bot.conftest import Clock
from tests.bot.fake_sms import TOKEN, FakeSmsGateway
from tests.bot.sms.conftest import SmsLine, dispatcher_for
from tests.conftest import PEOPLE_TZ

ACTOR = Actor("test")
CALENDAR = replace(load_calendar(timezone=PEOPLE_TZ.key), followups=FollowUpSettings(30, 3, 7))
MENTOR = "0987111222"
TIEP_LINE = "\n(gui TIEP de xem tiep)"


async def seed_mentor_without_chat(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, households: int = 2
) -> None:
    rows = [
        HouseholdRow(
            code=f"H{i}", head_name=f"Chủ hộ {i}", province="Quảng Trị", commune="Cam Tuyền",
            members=4, status="ngheo", poor_group="chinh_sach_giam_ngheo", year=2026,
            deprivations={"bhyt": True, "viec_lam": i == 1},
        )
        for i in range(1, households + 1)
    ]  # fmt: skip
    async with sessions() as session, session.begin():
        await save_households(session, rows, ACTOR, clock.now, default_year=2026, tz=PEOPLE_TZ)
        ids = list(await session.scalars(select(Household.id)))
        await sync_followups(session, ids, clock.now, ACTOR, tz=PEOPLE_TZ)
        for code in (row.code for row in rows):
            await assign_mentor(session, code, MENTOR, ACTOR, clock.now, tz=PEOPLE_TZ)


async def test_a_followup_digest_reaches_a_mentor_without_a_chat_by_sms(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, gateway: FakeSmsGateway
) -> None:
    await seed_mentor_without_chat(sessions, clock)
    async with sessions() as session, session.begin():
        await plan_all(session, CALENDAR, clock.now)
    async with sessions() as session:
        [queued] = (await session.scalars(select(OutboxMessage))).all()
    sender = GenericSender(gateway.url, TOKEN, max_parts=2, pages=PageStore(sessions, clock))
    try:
        stats = await dispatcher_for(sessions, sender, clock).run_once()
    finally:
        await sender.close()

    assert (queued.channel, queued.external_id) == ("sms", "+84987111222")
    assert stats.sent == 1
    [sms] = gateway.delivered
    assert sms.to == "+84987111222"
    assert sms.key == queued.idempotency_key
    assert is_gsm7(sms.text)
    assert parts_needed(sms.text) <= 2
    assert "H1" in sms.text
    async with sessions() as session:
        assert await session.scalar(select(OutboxMessage.state)) == "sent"


async def test_a_digest_of_twenty_households_reaches_the_mentor_in_full_page_by_page(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await seed_mentor_without_chat(sessions, clock, households=20)
    async with sessions() as session, session.begin():
        await plan_all(session, CALENDAR, clock.now)
    await line.flush()
    pages = [sms.text for sms in line.gateway.delivered]

    assert len(pages) == 1
    while pages[-1].endswith(TIEP_LINE):
        [page] = await line.say(MENTOR, "TIEP")
        pages.append(page)
        assert len(pages) < 40, "the pages come to an end"

    assert len(pages) > 2
    assert all(is_gsm7(page) and parts_needed(page) <= 2 for page in pages)
    whole = "\n".join(page.removesuffix(TIEP_LINE) for page in pages)
    assert all(f"Ho H{i} - Chu ho {i}" in whole for i in range(1, 21)), whole
    assert whole.rstrip().endswith("xong, dang lam hoac vuong."), "the digest's last line arrives"
    assert await line.say(MENTOR, "tiếp") == ["Khong con phan nao de xem tiep."]
