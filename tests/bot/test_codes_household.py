"""``KT``: a household check in one message, by SMS and on the console (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.flows.flow import Flow
from bot.flows.messages import IdentityRef, Inbound
from poverty.standards import standard_for_year, to_mask
from storage.models import Assessment, AuditLog, ConversationState, FollowUp, Household
from tests.bot.codes_helpers import ask
from tests.bot.conftest import Area, Clock

SMS_CADRE = IdentityRef("sms", "+84912345678")  # the phone-only cadre of Tân Lập
CONSOLE_CADRE = IdentityRef("console", "cadre")
SMS_MENTOR = IdentityRef("sms", "0900000004")
CADRES = pytest.mark.parametrize("who", [SMS_CADRE, CONSOLE_CADRE], ids=["sms", "console"])
EXAMPLE = "Ví dụ: KT TL00001 010000000000 1tr2"


@pytest.fixture
def flows() -> list[Flow]:
    return registered_flows()


async def assessments(sessions: async_sessionmaker[AsyncSession]) -> list[Assessment]:
    async with sessions() as session:
        return list(await session.scalars(select(Assessment).order_by(Assessment.id)))


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_one_sms_checks_a_household_and_stores_it_like_the_guided_check(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], area: Area
) -> None:
    reply = await ask(bot, SMS_CADRE, "KT TL00001 110000001100 1tr2")

    assert reply == (
        "Đã lưu kiểm tra hộ TL00001 (chuẩn 2022–2025, năm 2026): "
        "Hộ nghèo. Thu nhập 1.200.000 đồng không vượt chuẩn "
        "1.500.000 đồng (nông thôn), thiếu hụt 4 chỉ số (từ 3 trở lên). "
        "Thiếu hụt chỉ số số 1, 2, 9, 10."
    )
    [saved] = await assessments(sessions)
    deprived = ["viec_lam", "nguoi_phu_thuoc", "nuoc_sinh_hoat", "nha_tieu"]
    assert saved.household_id == area.households["TL00001"]
    assert saved.standard_id == "2022-2025"
    assert saved.channel == "sms"
    assert saved.user_id == area.users["phone_cadre"]
    assert saved.computed_class == "ngheo"
    assert saved.income_per_person == 1_200_000
    assert saved.deprived_mask == to_mask(deprived)
    assert saved.known_mask == to_mask(standard_for_year(2026).codes)
    assert saved.answers["so_nhan_khau"] == 4
    assert saved.answers["thu_nhap_binh_quan"] == 1_200_000
    assert [k for k, v in saved.answers.items() if v is True] == [f"thieu_{c}" for c in deprived]
    async with sessions() as session:
        household = await session.get(Household, area.households["TL00001"])
        opened = set(await session.scalars(select(FollowUp.indicator)))
        audit = list(await session.scalars(select(AuditLog.action)))
    assert household is not None
    assert household.latest_assessment_id == saved.id
    assert household.official_status == "ngheo"  # never touched by a check
    assert opened == set(deprived)
    assert "assessment.create" in audit
    assert await count(sessions, ConversationState) == 0


async def test_console_check_records_the_console_channel_and_the_official_difference(
    bot: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    reply = await ask(bot, CONSOLE_CADRE, "kt tl00002 000000000000 2.500.000")

    assert reply == (
        "Đã lưu kiểm tra hộ TL00002 (chuẩn 2022–2025, năm 2026): "
        "Hộ không nghèo. Thu nhập 2.500.000 đồng trên mức sống "
        "trung bình 2.250.000 đồng (nông thôn). Khác phân loại chính thức năm 2025: Hộ cận nghèo."
    )
    [saved] = await assessments(sessions)
    assert (saved.channel, saved.computed_class, saved.deprived_mask) == ("console", "khong", 0)


async def test_few_deprivations_under_the_line_give_near_poor(bot: Engine) -> None:
    reply = await ask(bot, SMS_CADRE, "KT TL00003 000100000000 900k")

    assert reply == (
        "Đã lưu kiểm tra hộ TL00003 (chuẩn 2022–2025, năm 2026): "
        "Hộ cận nghèo. Thu nhập 900.000 đồng không vượt chuẩn "
        "1.500.000 đồng (nông thôn), thiếu hụt 1 chỉ số (dưới 3). Thiếu hụt chỉ số số 4."
    )


async def test_income_between_the_line_and_the_medium_band_gives_medium(bot: Engine) -> None:
    reply = await ask(bot, SMS_CADRE, "KT TL00003 111100000000 2tr")

    assert reply.startswith(
        "Đã lưu kiểm tra hộ TL00003 (chuẩn 2022–2025, năm 2026): "
        "Hộ có mức sống trung bình. Thu nhập 2.000.000 đồng trên "
        "chuẩn 1.500.000 đồng, không vượt 2.250.000 đồng (nông thôn)."
    )


@pytest.mark.parametrize(
    "income", ["1500000", "1.500.000", "1,5tr", "1tr5", "1.5 trieu", "1,5 triệu", "1500k"]
)
async def test_income_is_read_in_the_ways_people_write_it(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], income: str
) -> None:
    await ask(bot, SMS_CADRE, f"KT TL00001 111000000000 {income}")

    [saved] = await assessments(sessions)
    assert saved.income_per_person == 1_500_000


async def test_digits_in_groups_lower_case_and_extra_spaces_are_accepted(
    bot: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    reply = await ask(bot, SMS_CADRE, "  kt   tl00001  1100-0000-1100   1tr2 ")
    again = await ask(bot, SMS_CADRE, "Kt TL00001 1100 0000 1100 1tr2")

    assert reply.startswith("Đã lưu kiểm tra hộ TL00001 (chuẩn 2022–2025, năm 2026): Hộ nghèo.")
    assert again == reply
    assert [a.deprived_mask for a in await assessments(sessions)] == [
        to_mask(["viec_lam", "nguoi_phu_thuoc", "nuoc_sinh_hoat", "nha_tieu"])
    ] * 2


@CADRES
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("KT", "Thiếu mã hộ, dãy 12 số 0/1 và thu nhập."),
        ("KT TL00001", "Thiếu dãy 12 số 0/1 (1 là thiếu hụt) và thu nhập."),
        ("KT TL00001 110000001100", "Thiếu thu nhập bình quân mỗi người mỗi tháng."),
        ("KT TL00001 11000000110 1tr2", "Cần đúng 12 số 0/1 theo thứ tự chỉ số, đã nhận 11."),
        ("KT TL00001 1100000011001 1tr2", "Cần đúng 12 số 0/1 theo thứ tự chỉ số, đã nhận 13."),
        ("KT TL00001 1100 0000 110 1tr2", "Cần đúng 12 số 0/1 theo thứ tự chỉ số, đã nhận 11."),
        ("KT TL00001 120000001100 1tr2", "Dãy chỉ số chỉ gồm số 0 và 1 (1 là thiếu hụt)."),
        ("KT TL00001 1tr2", "Dãy chỉ số chỉ gồm số 0 và 1 (1 là thiếu hụt)."),
        ("KT TL00001 😀 1tr2", "Thiếu dãy 12 số 0/1 (1 là thiếu hụt) và thu nhập."),
        ("KT TL99999 110000001100 1tr2", "Không tìm thấy hộ TL99999 trong địa bàn của anh/chị."),
        ("KT CT00001 110000001100 1tr2", "Không tìm thấy hộ CT00001 trong địa bàn của anh/chị."),
        ("KT TL00001 110000001100 nhieu tien", "Chưa đọc được thu nhập"),
        ("KT TL00001 110000001100 1tr2 😀", "Chưa đọc được thu nhập"),
        ("KT TL00001 110000001100 -5000", "Chưa đọc được thu nhập"),
        ("KT 😀 110000001100 1tr2", "Mã hộ chỉ gồm chữ không dấu, số và dấu gạch"),
        ("KT Hộ-1 110000001100 1tr2", "Mã hộ chỉ gồm chữ không dấu, số và dấu gạch"),
    ],
)
async def test_bad_code_says_what_is_wrong_with_an_example_and_stores_nothing(
    bot: Engine,
    sessions: async_sessionmaker[AsyncSession],
    who: IdentityRef,
    text: str,
    problem: str,
) -> None:
    reply = await ask(bot, who, text)

    assert reply.startswith(problem)
    assert reply.endswith(EXAMPLE)
    assert await assessments(sessions) == []
    assert await count(sessions, ConversationState) == 0
    fixed = await ask(bot, who, "KT TL00001 110000001100 1tr2")
    assert fixed.startswith("Đã lưu kiểm tra hộ TL00001")


async def test_the_digits_follow_the_standard_in_force_and_its_length(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    clock.now = datetime(2021, 10, 1, 3, 0, tzinfo=UTC)
    count = len(standard_for_year(2021).indicators)
    assert count != 12

    wrong = await ask(bot, SMS_CADRE, "KT TL00001 110000001100 600k")
    right = await ask(bot, SMS_CADRE, f"KT TL00001 {'1' * 3}{'0' * (count - 3)} 600k")

    assert wrong.startswith(f"Cần đúng {count} số 0/1 theo thứ tự chỉ số, đã nhận 12.")
    assert wrong.endswith(f"Ví dụ: KT TL00001 01{'0' * (count - 2)} 1tr2")
    assert right.startswith(
        "Đã lưu kiểm tra hộ TL00001 (chuẩn 2016–2020, năm 2021): Hộ nghèo. Thu nhập 600.000 đồng"
    )
    [saved] = await assessments(sessions)
    assert saved.standard_id == standard_for_year(2021).id
    assert saved.deprived_mask == to_mask(standard_for_year(2021).codes[:3])


async def test_a_repeated_update_is_answered_and_stored_once(
    bot: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await ask(bot, SMS_CADRE, "KT TL00001 110000001100 1tr2", update_id="sms-1")
    second = await ask(bot, SMS_CADRE, "KT TL00001 110000001100 1tr2", update_id="sms-1")

    assert first.startswith("Đã lưu")
    assert second == ""
    assert len(await assessments(sessions)) == 1


async def test_a_mentor_may_not_check_and_is_shown_the_codes(
    bot: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    reply = await ask(bot, SMS_MENTOR, "KT TL00001 110000001100 1tr2")

    assert reply.startswith("Xin lỗi, việc “Kiểm tra hộ bằng mã KT” không thuộc vai trò")
    assert "Soạn: CS từ_khóa; DD mã_hộ chỉ_số XONG/DANG/VUONG; HT mã_hộ" in reply
    assert await assessments(sessions) == []


async def test_a_code_sent_while_a_guided_check_waits_runs_and_keeps_the_check(
    bot: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bot.handle(Inbound(SMS_CADRE, "kiem tra TL00002"))
    async with sessions() as session:
        waiting = await session.scalar(select(ConversationState))
    assert waiting is not None

    reply = await ask(bot, SMS_CADRE, "KT TL00001 110000001100 1tr2")

    assert reply.startswith("Đã lưu kiểm tra hộ TL00001 (chuẩn 2022–2025, năm 2026): Hộ nghèo.")
    assert "đang làm dở vẫn được giữ" in reply
    [saved] = await assessments(sessions)
    assert saved.household_id is not None
    async with sessions() as session:
        kept = await session.scalar(select(ConversationState))
    assert kept is not None
    assert (kept.flow, kept.step, kept.answers) == (waiting.flow, waiting.step, waiting.answers)


async def test_a_bad_code_sent_while_a_guided_check_waits_stores_nothing_and_keeps_it(
    bot: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bot.handle(Inbound(SMS_CADRE, "kiem tra TL00002"))

    reply = await ask(bot, SMS_CADRE, "KT TL00001 11 1tr2")

    assert "12" in reply
    assert await assessments(sessions) == []
    assert await count(sessions, ConversationState) == 1


async def test_the_kt_example_in_an_error_is_a_household_of_the_area_and_is_accepted(
    bot: Engine, area: Area
) -> None:
    refused = await ask(bot, SMS_CADRE, "KT")
    example = refused.rsplit("Ví dụ: ", 1)[1]

    assert (await ask(bot, SMS_CADRE, example)).startswith("Đã lưu kiểm tra hộ")
