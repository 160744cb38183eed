"""``CS`` (policy lookup), ``DK`` (register with an invite) and the one-line help that SMS
gets instead of the menu (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.codes import POLICY_CODE
from bot.flows.engine import Engine
from bot.flows.flow import Flow
from bot.flows.messages import IdentityRef, Inbound
from bot.flows.routing import match_flow
from poverty.text import strip_marks
from storage.audit import Actor
from storage.invites import create_invite
from storage.models import ConversationState, Identity, Invite, RoleGrant, User
from storage.units import find_unit
from tests.bot.codes_helpers import SMS_LIMIT, ask
from tests.bot.conftest import Clock

SMS_CADRE = IdentityRef("sms", "+84912345678")
CONSOLE_CADRE = IdentityRef("console", "cadre")
SMS_MENTOR = IdentityRef("sms", "0900000004")
STRANGER = IdentityRef("sms", "0977000111")
CODES_LINE = (
    "Soạn: KT mã_hộ dãy_0/1 thu_nhập; CS từ_khóa; DD mã_hộ chỉ_số XONG/DANG/VUONG; BC; "
    "HT mã_hộ chính_sách số_tiền [ngày]."
)


@pytest.fixture
def flows() -> list[Flow]:
    return registered_flows()


async def invite(sessions: async_sessionmaker[AsyncSession], now: datetime, role: str) -> str:
    async with sessions() as session, session.begin():
        unit = await find_unit(session, "Tân Lập")
        return (await create_invite(session, role, unit, Actor("test"), now)).code


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def test_cs_is_the_code_flow_not_the_guided_lookup() -> None:
    found = match_flow(registered_flows(), "CS bhyt")

    assert found is not None
    assert found.flow is POLICY_CODE


def test_codes_are_kept_out_of_the_menu_but_registered() -> None:
    flows = registered_flows()
    codes = [f for f in flows if f.code]

    assert [f.keywords[0] for f in codes] == ["kt", "cs", "dd", "bc", "ht", "dk"]
    assert all(not f.listed for f in codes)


async def test_cs_by_sms_gives_a_short_card_whole_never_cut(bot: Engine) -> None:
    [reply] = [r.text for r in await bot.handle(Inbound(SMS_CADRE, "CS bhyt"))]

    assert reply.startswith(
        "Bảo hiểm y tế (BHYT): Nhà nước đóng hoặc hỗ trợ tiền mua thẻ BHYT cho người thuộc hộ nghèo"
    )
    assert "Cần làm: Rà soát để mọi thành viên" in reply
    assert "\n" not in reply
    assert not reply.endswith("..."), "a long card goes over SMS pages (TIEP), not cut"


async def test_cs_on_the_console_gives_the_full_card_of_the_best_match(bot: Engine) -> None:
    replies = await bot.handle(Inbound(CONSOLE_CADRE, "cs bao hiem y te"))

    [card] = [r.text for r in replies]
    assert card.startswith("Bảo hiểm y tế (BHYT)\n")
    assert "\nCăn cứ: NĐ 146/2018/NĐ-CP" in card
    assert len(strip_marks(card)) > SMS_LIMIT


async def test_cs_for_a_household_by_sms_names_all_its_policies(bot: Engine) -> None:
    [reply] = [r.text for r in await bot.handle(Inbound(SMS_CADRE, "cs cho ho TL00001"))]

    assert reply.startswith("Hộ TL00001 (Nguyễn Văn An): Hộ nghèo năm 2025. Được hưởng: ")
    assert "Bảo hiểm y tế (BHYT)" in reply
    assert reply.endswith("."), "the list of policies is never cut"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("CS", "Thiếu từ khóa chính sách."),
        ("cs xyzxyz qwqw", "Chưa tìm thấy chính sách nào với từ khóa này."),
        ("CS 😀", "Chưa tìm thấy chính sách nào với từ khóa này."),
        ("CS cho ho TL99999", "Không tìm thấy hộ này trong địa bàn của anh/chị."),
        ("CS cho ho CT00001", "Không tìm thấy hộ này trong địa bàn của anh/chị."),
        ("CS cho ho Lê Văn Hùng", "Có 10 hộ khớp (TL00010, TL00011, TL00012...); xin soạn mã hộ."),
        ("CS " + "bao hiem " * 15, "Từ khóa dài quá (tối đa 120 ký tự)."),
    ],
)
async def test_bad_cs_says_what_is_wrong_with_an_example(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], text: str, problem: str
) -> None:
    reply = await ask(bot, SMS_CADRE, text)

    assert reply == f"{problem} Ví dụ: CS bhyt"
    assert await count(sessions, ConversationState) == 0


async def test_unknown_sms_gets_one_line_with_the_codes_of_the_role(bot: Engine) -> None:
    cadre = await ask(bot, SMS_CADRE, "abc xyz")
    mentor = await ask(bot, SMS_MENTOR, "toi muon hoi")

    assert cadre == f"Xin lỗi, tôi chưa hiểu ý anh/chị. {CODES_LINE}"
    assert mentor == (
        "Xin lỗi, tôi chưa hiểu ý anh/chị. Soạn: CS từ_khóa; DD mã_hộ chỉ_số XONG/DANG/VUONG; "
        "HT mã_hộ chính_sách số_tiền [ngày]."
    )
    assert await ask(bot, SMS_CADRE, "giup") == CODES_LINE
    assert await ask(bot, SMS_CADRE, "huy") == f"Hiện không có việc nào đang làm dở. {CODES_LINE}"


async def test_on_the_console_unknown_text_still_gets_the_menu_without_codes(
    bot: Engine,
) -> None:
    replies = await bot.handle(Inbound(CONSOLE_CADRE, "abc xyz"))

    assert replies[0].text == "Xin lỗi, tôi chưa hiểu ý anh/chị."
    assert [o.label for o in replies[1].choices] == [
        "Kiểm tra hộ",
        "Tra cứu chính sách",
        "Báo cáo việc đỡ đầu",
        "Nộp báo cáo định kỳ",
        "Phân nhóm hộ nghèo",
        "Ghi hỗ trợ cho hộ",
        "Theo dõi hộ mới thoát nghèo",
    ]


async def test_menu_by_sms_still_shows_the_numbered_menu(bot: Engine) -> None:
    [menu] = await bot.handle(Inbound(SMS_CADRE, "menu"))

    assert menu.text.startswith("Anh/chị muốn làm gì?")
    assert "KT" not in menu.text


async def test_a_stranger_by_sms_is_told_the_registration_code(bot: Engine) -> None:
    reply = await ask(bot, STRANGER, "xin chao")

    assert reply.endswith("Nếu anh/chị đã có mã mời, xin soạn: DK mã_mời họ_tên.")


async def test_dk_with_the_name_registers_in_one_sms(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    code = await invite(sessions, clock.now, "cadre")

    reply = await ask(bot, STRANGER, f"DK {code} Nguyễn Thị Lan")

    assert reply == (
        "Chào mừng Nguyễn Thị Lan! Anh/chị đã được cấp quyền cán bộ rà soát cho địa bàn "
        f"Tân Lập. Mọi tra cứu chỉ trong địa bàn này.\n{CODES_LINE}"
    )
    async with sessions() as session:
        user = await session.scalar(select(User).where(User.name == "Nguyễn Thị Lan"))
        assert user is not None
        identity = await session.scalar(select(Identity).where(Identity.user_id == user.id))
        grant = await session.scalar(select(RoleGrant).where(RoleGrant.user_id == user.id))
    assert identity is not None
    assert (identity.channel, identity.external_id) == ("sms", "0977000111")
    assert grant is not None
    assert grant.role == "cadre"
    checked = await ask(bot, STRANGER, "KT TL00001 110000001100 1tr2")
    assert checked.startswith("Đã lưu kiểm tra hộ TL00001")


async def test_dk_without_the_name_asks_for_it(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    code = await invite(sessions, clock.now, "mentor")

    question = await ask(bot, STRANGER, f"dk {code.lower()}")
    bad_name = await ask(bot, STRANGER, "12345")
    welcome = await ask(bot, STRANGER, "tran van binh")

    assert question == (
        "Mã mời hợp lệ: vai trò người đỡ đầu, địa bàn Tân Lập. Xin cho biết họ và tên của anh/chị."
    )
    assert bad_name.startswith("Họ tên chỉ gồm chữ, không có chữ số.")
    assert welcome.startswith("Chào mừng tran van binh! Anh/chị đã được cấp quyền người đỡ đầu")
    assert welcome.endswith(
        "Soạn: CS từ_khóa; DD mã_hộ chỉ_số XONG/DANG/VUONG; HT mã_hộ chính_sách số_tiền [ngày]."
    )


async def test_dk_for_someone_with_an_account_adds_the_role_and_on_chat_shows_the_menu(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    code = await invite(sessions, clock.now, "manager")

    added, menu = await bot.handle(Inbound(CONSOLE_CADRE, f"DK {code}"))

    assert added.text == "Đã thêm quyền lãnh đạo cho địa bàn Tân Lập vào tài khoản của anh/chị."
    assert "Tóm tắt địa bàn" in [o.label for o in menu.choices]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("DK", "Thiếu mã mời."),
        ("DK ABC", "Mã mời gồm 10 chữ cái và chữ số, ví dụ K7QX4M2PRT."),
        ("DK 😀", "Mã mời gồm 10 chữ cái và chữ số, ví dụ K7QX4M2PRT."),
        ("DK ABCDEFGHJK Lan", "Mã mời không đúng."),
        ("DK {code} 123", "Họ tên chỉ gồm chữ, không có chữ số."),
        ("DK {code} 😀", "Xin chỉ nhập chữ, số và dấu câu thông thường."),
    ],
)
async def test_bad_dk_says_what_is_wrong_and_stores_nothing(
    bot: Engine,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    text: str,
    problem: str,
) -> None:
    code = await invite(sessions, clock.now, "cadre")
    users = await count(sessions, User)

    reply = await ask(bot, STRANGER, text.format(code=code))

    assert reply.startswith(problem)
    assert reply.endswith("Ví dụ: DK K7QX4M2PRT Nguyễn Văn An")
    assert await count(sessions, User) == users
    assert await count(sessions, ConversationState) == 0
    async with sessions() as session:
        assert await session.scalar(select(Invite.used_at)) is None


async def test_used_and_expired_invites_are_refused(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    code = await invite(sessions, clock.now, "cadre")
    await ask(bot, STRANGER, f"DK {code} Nguyen Thi Lan")
    old = await invite(sessions, clock.now, "cadre")

    used = await ask(bot, IdentityRef("sms", "0977000222"), f"DK {code} Tran Van Binh")
    clock.advance(timedelta(days=8))
    expired = await ask(bot, IdentityRef("sms", "0977000333"), f"DK {old} Le Van Cuong")

    assert used.startswith("Mã mời này đã được dùng; mỗi mã chỉ dùng một lần.")
    assert expired.startswith("Mã mời này đã hết hạn.")
    assert await count(sessions, User) == 5 + 1
