"""The real flows over SMS: every reply they produce fits GSM-7 and the part limit, and the
numbered answers a feature phone sends drive them to the end (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.handlers.sms.gsm7 import is_gsm7, parts_needed
from storage.audit import Actor
from storage.invites import create_invite
from storage.models import Assessment, Identity, User
from storage.units import find_unit
from tests.bot.conftest import Clock
from tests.bot.sms.conftest import SmsLine
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
