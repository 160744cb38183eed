"""The database connection dropped in the middle of a message, at every statement the message
runs and at its COMMIT (SQLite: the statement or the COMMIT fails; PostgreSQL: the server
process is terminated).

Each message is one transaction, so whatever statement fails the stored state is exactly what
it was before the message; the person gets a short apology from the channel, and sending the
same answer again carries on as if nothing had happened.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import exc, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.flows.engine import Engine
from bot.flows.household_check import HOUSEHOLD_CHECK
from bot.flows.messages import IdentityRef, Inbound, Outbound
from bot.handlers.console import run_console_chat
from bot.handlers.telegram.routers import converse
from bot.handlers.telegram.setup import build_bot
from bot.runtime import Runtime
from bot.settings import Settings
from storage.conversations import load_conversation
from storage.models import Assessment, AuditLog, FollowUp, Identity
from tests.bot.conftest import Clock, seed_area
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.test_household_check import ANSWERS_AFTER_HOUSEHOLD
from tests.conftest import FIXED_NOW, PEOPLE_TZ, _empty_all_tables
from tests.faults.conftest import StatementFault, admin_dsn, changed_tables, snapshot

Sessions = async_sessionmaker[AsyncSession]
CADRE = IdentityRef("console", "cadre")
START = ["kiem tra", "TL00001"]
APOLOGY = "Xin lỗi, trợ lý đang gặp sự cố. Xin thử lại sau ít phút."


@dataclass(frozen=True)
class Outcome:
    """What a message leaves behind: its replies, the conversation and the rows it wrote."""

    replies: list[Outbound]
    step: str | None
    answers: dict[str, Any] | None
    history: list[str] | None
    rows: tuple[int, int, int]


@pytest.fixture
def fault(engine: AsyncEngine, database_url: str) -> Iterator[StatementFault]:
    with StatementFault(engine, admin_dsn(database_url)).installed() as installed:
        yield installed


async def fresh_conversation(
    engine: AsyncEngine, sessions: Sessions, prefix: Sequence[str]
) -> Engine:
    """An empty database with the test area, and the cadre's check answered up to ``prefix``."""
    await _empty_all_tables(engine)
    await seed_area(sessions, FIXED_NOW)
    bot = Engine(sessions, Clock(), [HOUSEHOLD_CHECK], tz=PEOPLE_TZ)
    for text in prefix:
        await bot.handle(Inbound(CADRE, text))
    return bot


async def outcome(sessions: Sessions, replies: list[Outbound]) -> Outcome:
    async with sessions() as session:
        conversation = await load_conversation(session, CADRE.channel, CADRE.external_id)
        rows = []
        for model in (Assessment, AuditLog, FollowUp):
            rows.append(int(await session.scalar(select(func.count()).select_from(model)) or 0))
    return Outcome(
        replies,
        conversation.step if conversation else None,
        conversation.answers if conversation else None,
        conversation.history if conversation else None,
        (rows[0], rows[1], rows[2]),
    )


async def assert_every_statement_can_fail_safely(
    engine: AsyncEngine,
    sessions: Sessions,
    fault: StatementFault,
    prefix: Sequence[str],
    message: str,
) -> int:
    """For each statement the message runs, fail it: nothing stored changes, and the same
    message sent again gives what an undisturbed run gives. Returns the statement count."""
    bot = await fresh_conversation(engine, sessions, prefix)
    fault.arm(None)
    replies = await bot.handle(Inbound(CADRE, message))
    statements = fault.count
    expected = await outcome(sessions, replies)
    assert statements >= 2  # at least the opening SELECT and saving the conversation

    for fail_at in range(1, statements + 1):
        bot = await fresh_conversation(engine, sessions, prefix)
        before = await snapshot(sessions)
        fault.arm(fail_at)
        with pytest.raises(exc.DBAPIError):
            await bot.handle(Inbound(CADRE, message))
        assert fault.fired
        fault.arm(None)
        after = await snapshot(sessions)
        assert changed_tables(before, after) == [], f"statement {fail_at} of {statements}"

        again = await outcome(sessions, await bot.handle(Inbound(CADRE, message)))
        assert again == expected, f"statement {fail_at} of {statements}"
    return statements


async def test_dropped_connection_mid_step_leaves_the_step_unsaved_and_the_retry_continues(
    engine: AsyncEngine, sessions: Sessions, fault: StatementFault
) -> None:
    prefix = [*START, ANSWERS_AFTER_HOUSEHOLD[0]]
    await assert_every_statement_can_fail_safely(
        engine, sessions, fault, prefix, ANSWERS_AFTER_HOUSEHOLD[1]
    )


async def test_dropped_connection_while_saving_the_check_writes_no_assessment_or_audit(
    engine: AsyncEngine, sessions: Sessions, fault: StatementFault
) -> None:
    prefix = [*START, *ANSWERS_AFTER_HOUSEHOLD]
    statements = await assert_every_statement_can_fail_safely(engine, sessions, fault, prefix, "co")
    assert statements > 8  # the assessment, the household, follow-ups and audit rows


async def test_a_failed_commit_stores_nothing_and_the_retry_is_stored_once(
    engine: AsyncEngine, sessions: Sessions, fault: StatementFault
) -> None:
    """The message that saves the check: its COMMIT fails, nothing of it is stored (not the
    assessment, not the audit rows, not the conversation's step), and sending it again stores
    it exactly once, as an undisturbed run does."""
    prefix = [*START, *ANSWERS_AFTER_HOUSEHOLD]
    bot = await fresh_conversation(engine, sessions, prefix)
    fault.arm(None)
    expected = await outcome(sessions, await bot.handle(Inbound(CADRE, "co")))
    assert expected.rows[0] == 1  # the undisturbed run stores one assessment

    bot = await fresh_conversation(engine, sessions, prefix)
    before = await snapshot(sessions)
    fault.arm_commit()
    with pytest.raises(exc.DBAPIError):
        await bot.handle(Inbound(CADRE, "co"))
    assert fault.fired
    assert changed_tables(before, await snapshot(sessions)) == []

    again = await outcome(sessions, await bot.handle(Inbound(CADRE, "co")))
    assert again == expected


async def test_console_apologises_for_a_dropped_connection_and_the_next_line_continues(
    engine: AsyncEngine, sessions: Sessions, fault: StatementFault, database_url: str
) -> None:
    await fresh_conversation(engine, sessions, [])

    def lines() -> Iterator[str]:
        yield from START
        fault.arm(1)
        yield ANSWERS_AFTER_HOUSEHOLD[0]
        fault.arm(None)
        yield ANSWERS_AFTER_HOUSEHOLD[0]

    out = io.StringIO()
    runtime = Runtime(Settings(database_url=database_url), engine, sessions)
    await run_console_chat(runtime, "cadre", lines(), out)

    printed = out.getvalue()
    first, second = printed.split(f"> {ANSWERS_AFTER_HOUSEHOLD[0]}\n")[1:]
    assert first.strip() == APOLOGY
    assert "Có thành viên nào trong độ tuổi lao động" in second
    async with sessions() as session:
        conversation = await load_conversation(session, "console", "cadre")
    assert conversation is not None
    assert conversation.answers["thu_nhap"] == 1_200_000


async def cadre_on_telegram(engine: AsyncEngine, sessions: Sessions, chat: int) -> Engine:
    """An empty database with the test area, the cadre also writing from Telegram ``chat``,
    and an engine for the household check."""
    await fresh_conversation(engine, sessions, [])
    async with sessions() as session, session.begin():
        cadre = await session.scalar(
            select(Identity.user_id).where(Identity.external_id == "cadre")
        )
        session.add(
            Identity(user_id=cadre, channel="telegram", external_id=str(chat), created_at=FIXED_NOW)
        )
    return Engine(sessions, Clock(), [HOUSEHOLD_CHECK], tz=PEOPLE_TZ)


async def test_telegram_apologises_for_a_dropped_connection_and_the_redelivery_is_answered(
    engine: AsyncEngine, sessions: Sessions, fault: StatementFault, fake: FakeTelegram
) -> None:
    chat = 5003
    bot = await cadre_on_telegram(engine, sessions, chat)
    telegram = build_bot("123456:TEST", fake.url)
    try:
        await converse(telegram, bot, chat, "kiem tra", 1)
        await converse(telegram, bot, chat, "TL00001", 2)
        fault.arm(2)
        assert await converse(telegram, bot, chat, "1200000", 3) == []
        assert fault.fired
        fault.arm(None)
        assert fake.sent(chat)[-1].text == APOLOGY
        # Telegram delivers an update again when the webhook failed; the same update id is
        # not taken for a duplicate, because the failed transaction did not record it.
        [reply] = await converse(telegram, bot, chat, "1200000", 3)
    finally:
        await telegram.session.close()
    assert reply.text.startswith("Có thành viên nào trong độ tuổi lao động")
    assert fake.sent(chat)[-1].text.startswith("Có thành viên nào trong độ tuổi lao động")


async def test_telegram_update_whose_commit_failed_is_answered_once_when_redelivered(
    engine: AsyncEngine, sessions: Sessions, fault: StatementFault, fake: FakeTelegram
) -> None:
    chat = 5004
    bot = await cadre_on_telegram(engine, sessions, chat)
    telegram = build_bot("123456:TEST", fake.url)
    try:
        await converse(telegram, bot, chat, "kiem tra", 1)
        await converse(telegram, bot, chat, "TL00001", 2)
        fault.arm_commit()
        assert await converse(telegram, bot, chat, "1200000", 3) == []
        assert fault.fired
        fault.arm(None)
        assert fake.sent(chat)[-1].text == APOLOGY
        [reply] = await converse(telegram, bot, chat, "1200000", 3)  # not lost
        assert await converse(telegram, bot, chat, "1200000", 3) == []  # not doubled
    finally:
        await telegram.session.close()
    assert reply.text.startswith("Có thành viên nào trong độ tuổi lao động")
    async with sessions() as session:
        conversation = await load_conversation(session, "telegram", str(chat))
    assert conversation is not None
    assert conversation.history.count("thu_nhap") == 1
