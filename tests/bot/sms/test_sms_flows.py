"""The real flows over SMS: every reply they produce fits GSM-7 and the part limit, and the
numbered answers a feature phone sends drive them to the end (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.handlers.sms.generic import GenericInbound, GenericSender
from bot.handlers.sms.gsm7 import is_gsm7, parts_needed
from bot.handlers.sms.inbox import LoopGuard
from bot.handlers.sms.pages import PageStore
from storage.audit import Actor
from storage.invites import create_invite
from storage.models import Assessment, Identity, User
from storage.units import find_unit
from tests.bot.conftest import Clock
from tests.bot.fake_sms import TOKEN, FakeSmsGateway
from tests.bot.sms.conftest import SECRET, SmsLine, open_line
from tests.bot.test_followup_report import seed_many_tasks
from tests.bot.test_household_check import ANSWERS_AFTER_HOUSEHOLD

CADRE = "0912345678"
MANAGER = "0900000002"


def assert_fits(replies: list[str], max_parts: int = 2) -> None:
    assert replies
    for reply in replies:
        assert is_gsm7(reply), reply
        assert parts_needed(reply) <= max_parts, reply


async def conversation(line: SmsLine, phone: str, texts: list[str]) -> list[str]:
    replies: list[str] = []
    for text in texts:
        answer = await line.say(phone, text)
        assert len(answer) == 1, f"{text!r} got {answer!r}"
        replies.extend(answer)
    return replies


async def test_a_household_check_by_sms_is_saved_and_every_reply_fits(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    replies = await conversation(
        line, CADRE, ["kiem tra", "TL00001", *ANSWERS_AFTER_HOUSEHOLD, "1"]
    )

    assert_fits(replies)
    assert replies[-1].startswith("Da luu ket qua kiem tra ho TL00001 (chuan 2022-2025")
    async with sessions() as session:
        [assessment] = (await session.scalars(select(Assessment))).all()
    assert assessment.channel == "sms"


@pytest.mark.parametrize(
    "texts",
    [
        ["menu"],
        ["chinh sach bhyt"],
        ["tra cuu", "hoc phi"],
        ["tra cuu", "cho ho TL00001"],
        ["/giup"],
        ["xin chao", "2", "/huy"],
    ],
)
async def test_menu_help_and_policy_lookup_replies_fit(line: SmsLine, texts: list[str]) -> None:
    assert_fits(await conversation(line, CADRE, texts))


async def test_a_manager_summary_fits_and_leaves_its_files_out(line: SmsLine) -> None:
    replies = await conversation(line, MANAGER, ["tom tat"])

    assert_fits(replies)


async def test_onboarding_by_invite_over_sms_registers_the_phone(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    async with sessions() as session, session.begin():
        unit = await find_unit(session, "Tân Lập")
        code = (await create_invite(session, "mentor", unit, Actor("test"), clock.now)).code

    replies = await conversation(line, "0977000111", [f"dang ky {code}", "Nguyễn Thị Lan"])

    assert_fits(replies)
    assert replies[1].startswith("Chao mung Nguyen Thi Lan!")
    async with sessions() as session:
        found = await session.execute(
            select(User.name)
            .join(Identity, Identity.user_id == User.id)
            .where(Identity.channel == "sms", Identity.external_id == "+84977000111")
        )
        assert found.scalars().all() == ["Nguyễn Thị Lan"]


async def test_a_household_check_in_one_sms_code_is_saved_and_answered_in_one_sms(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    [reply] = await line.say(CADRE, "KT TL00001 110000001100 1tr2")

    assert_fits([reply])
    assert reply.startswith("Da luu kiem tra ho TL00001 (chuan 2022-2025, nam 2026): Ho ngheo.")
    async with sessions() as session:
        [assessment] = (await session.scalars(select(Assessment))).all()
    assert assessment.channel == "sms"
    assert assessment.computed_class == "ngheo"


TIEP_LINE = "\n(gui TIEP de xem tiep)"


async def test_a_long_question_comes_first_and_tiep_brings_its_options_even_after_a_restart(
    line: SmsLine,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    gateway: FakeSmsGateway,
    guard: LoopGuard,
) -> None:
    await line.say(CADRE, "phan nhom TL00002")
    [first] = await line.say(CADRE, "2")  # group b: its suggestions, then the causes question

    assert first.startswith("Goi y ho tro cho nhom b")
    assert first.endswith(TIEP_LINE)
    sender = GenericSender(gateway.url, TOKEN, max_parts=2, pages=PageStore(sessions, clock))
    async with open_line(sessions, clock, gateway, GenericInbound(SECRET), sender, guard) as again:
        again.ids = itertools.count(100)  # the gateway's event ids go on after the restart
        pages = [first]
        while pages[-1].endswith(TIEP_LINE):
            [page] = await again.say(CADRE, "tiep")
            pages.append(page)
            assert len(pages) < 10
        [after] = await again.say(CADRE, "1, 5")
    assert_fits(pages)
    lines = "\n".join(page.removesuffix(TIEP_LINE) for page in pages).splitlines()
    question = next(n for n, text in enumerate(lines) if text.startswith("Nguyen nhan"))
    options = next(n for n, text in enumerate(lines) if text.startswith("1. "))
    assert question < options, "the question text comes before its options"
    assert after.startswith("Dan toc cua ho"), "the paged question was answered by its number"


async def test_a_mentor_with_93_tasks_gets_every_household_over_pages_then_its_tasks(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await seed_many_tasks(sessions, clock, households=31)
    mentor = "0987111333"

    pages = await line.say(mentor, "bao cao viec")
    while pages[-1].endswith(TIEP_LINE):
        pages += await line.say(mentor, "TIEP")
        assert len(pages) < 20
    [tasks] = await line.say(mentor, "31")

    assert_fits(pages)
    assert pages[0].startswith("Anh/chi bao cao viec cua ho nao?")
    whole = " ".join(pages)
    assert all(f"{n}. Ho M{n:03d} - Chu ho {n} (3 viec)" in whole for n in range(1, 32))
    assert tasks.startswith("Ho M031: anh/chi bao cao viec nao?\n1. Bao hiem y te")
