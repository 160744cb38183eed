"""Onboarding by invite through the engine, and who the engine lets in: strangers, revoked
users, the flood limit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.engine import Engine, FloodLimit
from bot.flows.flow import Flow
from bot.flows.messages import IdentityRef, Inbound
from storage.audit import Actor
from storage.invites import create_invite
from storage.units import find_unit
from storage.users import revoke_user
from tests.bot.conftest import Area, Clock
from tests.conftest import PEOPLE_TZ

STRANGER = IdentityRef("telegram", "777")


@pytest.fixture
def flows() -> list[Flow]:
    return registered_flows()


async def invite(sessions: async_sessionmaker[AsyncSession], now: datetime, role: str) -> str:
    async with sessions() as session, session.begin():
        unit = await find_unit(session, "Tân Lập")
        return (await create_invite(session, role, unit, Actor("test"), now)).code


async def texts(bot: Engine, identity: IdentityRef, text: str) -> list[str]:
    return [reply.text for reply in await bot.handle(Inbound(identity, text))]


async def test_invite_link_registers_a_stranger_and_shows_the_menu_of_the_role(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    code = await invite(sessions, clock.now, "cadre")

    [question] = await texts(bot, STRANGER, f"/start {code}")
    welcome, menu = await bot.handle(Inbound(STRANGER, "Nguyễn Thị Lan"))

    assert question == (
        "Mã mời hợp lệ: vai trò cán bộ rà soát, địa bàn Tân Lập. "
        "Xin cho biết họ và tên của anh/chị."
    )
    assert welcome.text == (
        "Chào mừng Nguyễn Thị Lan! Anh/chị đã được cấp quyền cán bộ rà soát cho địa bàn "
        "Tân Lập. Mọi tra cứu chỉ trong địa bàn này."
    )
    assert menu.text.startswith("Anh/chị muốn làm gì?")
    assert "Đăng ký bằng mã mời" not in menu.text
    assert [o.label for o in menu.choices] == [
        "Kiểm tra hộ",
        "Tra cứu chính sách",
        "Báo cáo việc đỡ đầu",
        "Nộp báo cáo định kỳ",
        "Phân nhóm hộ nghèo",
        "Ghi hỗ trợ cho hộ",
        "Theo dõi hộ mới thoát nghèo",
    ]
    [found] = await texts(bot, STRANGER, "kiem tra TL00001")
    assert found.startswith("Hộ TL00001 – Nguyễn Văn An")


async def test_typed_code_works_and_a_wrong_code_is_asked_again(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    code = await invite(sessions, clock.now, "manager")

    assert await texts(bot, STRANGER, "dang ky ABCDEFGHJK") == [
        "Mã mời không đúng. Xin kiểm tra lại, hoặc liên hệ cán bộ phụ trách ở xã.",
        "Xin nhập mã mời (10 ký tự, ví dụ K7QX4M2PRT) mà cán bộ phụ trách đã gửi.",
    ]
    [question] = await texts(bot, STRANGER, code.lower())
    assert question.startswith("Mã mời hợp lệ: vai trò lãnh đạo")


async def test_used_and_expired_codes_get_a_clear_reply(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    code = await invite(sessions, clock.now, "cadre")
    await texts(bot, STRANGER, f"/start {code}")
    await texts(bot, STRANGER, "Nguyễn Thị Lan")
    other = IdentityRef("telegram", "778")

    [used, _again] = await texts(bot, other, f"/start {code}")
    expired_code = await invite(sessions, clock.now, "cadre")
    clock.advance(timedelta(days=8))
    [expired, _ask] = await texts(bot, IdentityRef("telegram", "779"), f"/start {expired_code}")

    assert used.startswith("Mã mời này đã được dùng")
    assert expired.startswith("Mã mời này đã hết hạn.")


async def test_stranger_sees_nothing_but_how_to_get_an_invite(bot: Engine) -> None:
    for text in ("/start", "menu", "kiem tra TL00001", "bao hiem y te", "/tomtat", "1"):
        replies = await bot.handle(Inbound(STRANGER, text))
        assert len(replies) == 1
        assert replies[0].text == (
            "Xin lỗi, số này chưa được cấp quyền dùng Trợ lý Giảm nghèo. "
            "Xin liên hệ cán bộ phụ trách ở xã để được cấp mã mời.\n"
            "Nếu anh/chị đã có mã mời, xin gõ: dang ky <mã mời>."
        )
        assert replies[0].choices == ()


async def test_member_with_a_second_invite_gains_the_role(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    code = await invite(sessions, clock.now, "manager")
    cadre = IdentityRef("console", "cadre")

    added, menu = await bot.handle(Inbound(cadre, f"dang ky {code}"))

    assert added.text == "Đã thêm quyền lãnh đạo cho địa bàn Tân Lập vào tài khoản của anh/chị."
    assert "Tóm tắt địa bàn" in [o.label for o in menu.choices]


async def test_revoked_user_is_refused_at_once_even_mid_flow(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], area: Area, clock: Clock
) -> None:
    cadre = IdentityRef("console", "cadre")
    await texts(bot, cadre, "kiem tra TL00001")
    async with sessions() as session, session.begin():
        await revoke_user(session, area.users["cadre"], Actor("test"), clock.now)

    assert await texts(bot, cadre, "1200000") == [
        "Quyền dùng Trợ lý Giảm nghèo của anh/chị đã bị thu hồi. "
        "Nếu có nhầm lẫn, xin liên hệ cán bộ phụ trách ở xã."
    ]


async def test_flood_limit_answers_once_politely_then_stays_quiet_until_the_minute_ends(
    sessions: async_sessionmaker[AsyncSession], area: Area, clock: Clock, flows: list[Flow]
) -> None:
    bot = Engine(sessions, clock, flows, flood_limit=FloodLimit(messages=3), tz=PEOPLE_TZ)
    cadre = IdentityRef("console", "cadre")
    clock.now = clock.now.replace(second=0)

    replies = [await bot.handle(Inbound(cadre, "menu")) for _ in range(5)]
    clock.advance(timedelta(minutes=1))
    after = await bot.handle(Inbound(cadre, "menu"))

    assert all(r[0].text.startswith("Anh/chị muốn làm gì?") for r in replies[:3])
    assert [r.text for r in replies[3]] == [
        "Anh/chị gửi nhiều tin nhắn quá nhanh. Xin chờ khoảng một phút rồi gửi tiếp; "
        "các tin nhắn gửi trong lúc này sẽ không được xử lý."
    ]
    assert replies[4] == []
    assert after[0].text.startswith("Anh/chị muốn làm gì?")
