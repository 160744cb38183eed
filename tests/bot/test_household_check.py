"""Transcript tests of the household check through the engine (SQLite and PostgreSQL)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine
from bot.flows.messages import IdentityRef, Inbound
from storage.conversations import load_conversation
from storage.models import Assessment, AuditLog, Household
from tests.bot.conftest import Area, Clock, Talker

ASK_HOUSEHOLD = "Anh/chị muốn kiểm tra hộ nào?"
ASK_INCOME = "Nhập thu nhập bình quân mỗi người mỗi tháng"
FIRST_INDICATOR = "Có thành viên nào trong độ tuổi lao động"
SECOND_INDICATOR = "Có thành viên nào đi làm thuê"
# TL00001 (4 members): income, then every indicator question answered with digits and co/khong.
# Deprived: health insurance, latrine, internet, information devices → poor.
ANSWERS_AFTER_HOUSEHOLD = [
    "1200000",
    "khong",
    "2",
    "1",
    "khong",
    "1",
    "khong",
    "2",
    "0",
    "40",
    "1",
    "khong",
    "2",
    "khong",
]
HAPPY = ["kiem tra", "TL00001", *ANSWERS_AFTER_HOUSEHOLD, "co"]


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_happy_path_answering_with_digits_and_co_khong_saves_one_assessment(
    cadre: Talker,
    sessions: async_sessionmaker[AsyncSession],
    area: Area,
    golden: Callable[[str, str], None],
) -> None:
    replies = await cadre.script(HAPPY)

    golden("household_check_happy_path", cadre.transcript)
    assert replies[-1] == (
        "Đã lưu kết quả kiểm tra hộ TL00001 (chuẩn 2022–2025, áp dụng năm 2026). Cảm ơn anh/chị!"
    )
    async with sessions() as session:
        assessments = (await session.scalars(select(Assessment))).all()
        assert len(assessments) == 1
        saved = assessments[0]
        assert saved.computed_class == "ngheo"
        assert saved.income_per_person == 1_200_000
        assert saved.channel == "console"
        assert saved.user_id == area.users["cadre"]
        assert saved.answers["so_nhan_khau"] == 4
        assert saved.answers["nha_tieu_hop_ve_sinh"] is False
        assert bin(saved.deprived_mask).count("1") == 4
        household = await session.get(Household, area.households["TL00001"])
        assert household is not None
        assert household.latest_assessment_id == saved.id
        assert household.latest_class == "ngheo"
        assert household.official_status == "ngheo"
        assert household.official_year == 2025
        audit = (await session.scalars(select(AuditLog))).all()
        assert [(a.action, a.entity_id) for a in audit] == [
            ("assessment.create", str(area.households["TL00001"])),
            *[("followup.open", str(area.households["TL00001"]))] * 4,
        ]


async def test_check_never_changes_official_status_even_when_it_differs(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession], area: Area
) -> None:
    # TL00004 is officially "khong"; a low income with no deprivations computes near-poor.
    no_deprivation = [
        "800k",
        "khong",
        "khong",
        "0",
        "khong",
        "khong",
        "khong",
        "khong",
        "0",
        "20",
        "nuoc may",
        "co",
        "co",
        "co",
    ]
    replies = await cadre.script(["kiem tra", "TL00004", *no_deprivation])

    assert "Kết quả: Hộ cận nghèo." in replies[-1]
    assert (
        "Phân loại chính thức năm 2025: Hộ không nghèo, khác với kết quả kiểm tra." in (replies[-1])
    )
    await cadre.say("co")
    async with sessions() as session:
        household = await session.get(Household, area.households["TL00004"])
        assert household is not None
        assert (household.official_status, household.latest_class) == ("khong", "can_ngheo")


async def test_declining_the_summary_writes_nothing(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession], area: Area
) -> None:
    replies = await cadre.script([*HAPPY[:-1], "khong"])

    assert replies[-1] == "Đã bỏ qua, kết quả kiểm tra không được lưu."
    assert await count(sessions, Assessment) == 0
    assert await count(sessions, AuditLog) == 0
    async with sessions() as session:
        household = await session.get(Household, area.households["TL00001"])
        assert household is not None
        assert household.latest_class is None
        assert await load_conversation(session, "console", "cadre") is None


async def test_back_returns_to_the_previous_question_and_forgets_its_answer(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await cadre.script(["kiem tra", "TL00001", "1,2 triệu", "co"])
    async with sessions() as session:
        before = await load_conversation(session, "console", "cadre")
    assert before is not None
    assert "viec_lam_that_nghiep" in before.answers

    replies = await cadre.script(["/quaylai", "quay lại", "QUAY LAI"])

    assert replies[0].startswith(FIRST_INDICATOR)
    assert replies[1].startswith("Hộ TL00001 – Nguyễn Văn An (Thôn Tân Hòa), 4 nhân khẩu.")
    assert replies[2].startswith(ASK_HOUSEHOLD)
    async with sessions() as session:
        after = await load_conversation(session, "console", "cadre")
    assert after is not None
    assert after.history == []
    assert set(after.answers) == {"chuan", "nam_ap_dung"}
    assert (await cadre.say("/back")).startswith("Đây đã là câu hỏi đầu tiên.")


async def test_cancel_mid_flow_forgets_the_check(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await cadre.script(["kiem tra", "TL00001", "1tr2"])

    replies = await cadre.script(["Hủy", "co"])

    assert replies[0].startswith("Đã hủy, các câu trả lời chưa được lưu.")
    assert replies[1].startswith("Xin lỗi, tôi chưa hiểu ý anh/chị.")
    async with sessions() as session:
        assert await load_conversation(session, "console", "cadre") is None
    assert await count(sessions, Assessment) == 0


async def test_help_mid_flow_explains_the_step_and_asks_again(cadre: Talker) -> None:
    await cadre.script(["kiem tra", "TL00001"])

    reply = await cadre.say("/giup")

    assert reply.startswith("Giải thích: Thu nhập bình quân đầu người mỗi tháng là tổng")
    assert "Nhập số tiền mỗi người mỗi tháng, ví dụ: 1.200.000" in reply
    assert "Gõ /quaylai để sửa câu trước, /huy để hủy." in reply
    assert reply.endswith("gõ “tong” để nhập tổng thu nhập của hộ.")
    assert (await cadre.say("giúp")).startswith("Giải thích: Thu nhập")


async def test_invalid_answers_explain_and_repeat_without_storing(
    cadre: Talker,
    sessions: async_sessionmaker[AsyncSession],
    golden: Callable[[str, str], None],
) -> None:
    nfd_yes = unicodedata.normalize("NFD", "Có")
    await cadre.script(
        [
            "kiem tra",
            "😀",  # emoji as a household
            "",  # empty
            "TL00001",
            "-500000",  # negative income
            "một ít",  # not an amount
            "x" * 600,  # very long text
            "1,2 triệu",
            "có lẽ",  # not yes/no
            "🙂",
            nfd_yes,  # NFD "Có" is a valid yes
            "5 hoặc 6",  # dependants: not one number
            "-1",
            "1",
        ]
    )
    golden("household_check_invalid_answers", cadre.transcript)
    async with sessions() as session:
        state = await load_conversation(session, "console", "cadre")
    assert state is not None
    assert state.answers["thu_nhap"] == 1_200_000
    assert state.answers["viec_lam_that_nghiep"] is True
    assert "viec_lam_khong_hop_dong" not in state.answers
    assert state.answers["nguoi_phu_thuoc_so"] == 1
    assert state.history == ["ho", "thu_nhap", "viec_lam_that_nghiep", "nguoi_phu_thuoc_so"]


async def test_a_new_household_code_used_outside_the_area_is_refused_without_saying_it_exists(
    cadre: Talker, area: Area
) -> None:
    replies = await cadre.script(["kiểm tra hộ", "moi", "CT00002"])

    assert replies[-1].startswith("Mã hộ CT00002 không dùng được. Xin nhập mã khác")
    assert "đã có" not in replies[-1]


async def test_register_new_household_refuses_300_members_then_saves_household_and_check(
    cadre: Talker,
    sessions: async_sessionmaker[AsyncSession],
    area: Area,
    golden: Callable[[str, str], None],
) -> None:
    replies = await cadre.script(
        [
            "kiểm tra hộ",
            "moi",
            "TL00001",  # code already used
            "tu dong",
            "Nguyễn 2",  # digits in a name
            "Hoàng Thị Mai",
            "2",  # Thôn Phú Hải
            "300",
            "0",
            "3",
            "1",  # nông thôn
            "tong",
            "3.600.000",  # household total, 1.200.000 per person
            *ANSWERS_AFTER_HOUSEHOLD[1:],
            "1",
        ]
    )
    golden("household_check_register", cadre.transcript)

    assert replies[-1].startswith("Đã lưu kết quả kiểm tra hộ M")
    async with sessions() as session:
        new = await session.scalar(select(Household).where(Household.head_name == "Hoàng Thị Mai"))
        assert new is not None
        assert new.village_id == area.units["phu_hai"]
        assert new.commune_id == area.units["tan_lap"]
        assert (new.members, new.area, new.official_status) == (3, "nong_thon", None)
        assert new.head_name_key == "hoang thi mai"
        assert new.latest_class == "ngheo"
        saved = (await session.scalars(select(Assessment))).one()
        assert saved.household_id == new.id
        assert saved.income_per_person == 1_200_000
        assert saved.answers["tong_thu_nhap"] == 3_600_000
        actions = sorted(a.action for a in (await session.scalars(select(AuditLog))).all())
        assert [a for a in actions if not a.startswith("followup.")] == [
            "assessment.create",
            "household.create",
        ]
        assert "followup.open" in actions


async def test_search_by_unaccented_name_finds_the_household(cadre: Talker) -> None:
    replies = await cadre.script(["kiem tra", "dang thi ha"])

    assert replies[1].startswith("Hộ TL00004 – Đặng Thị Hà (Thôn Phú Hải), 2 nhân khẩu.")


async def test_keyword_followed_by_a_code_goes_straight_to_the_household(cadre: Talker) -> None:
    reply = await cadre.say("Kiểm tra hộ tl00002")

    assert reply.startswith("Hộ TL00002 – Trần Thị Bình (Thôn Phú Hải), 3 nhân khẩu.")


async def test_several_matches_give_a_numbered_list_within_the_area_only(cadre: Talker) -> None:
    replies = await cadre.script(["kiem tra", "Nguyen Van An", "2"])

    assert replies[1] == (
        "Có 2 hộ khớp. Anh/chị chọn hộ nào?\n"
        "  1. TL00001 – Nguyễn Văn An (Thôn Tân Hòa)\n"
        "  2. TL00003 – Nguyễn Văn Anh (Thôn Tân Hòa)"
    )
    assert replies[2].startswith("Hộ TL00003 – Nguyễn Văn Anh (Thôn Tân Hòa), 5 nhân khẩu.")


async def test_too_many_matches_ask_for_the_village_to_narrow(cadre: Talker) -> None:
    replies = await cadre.script(["kiem tra", "le van hung", "Lê Văn Hùng, Phú Hải"])

    assert replies[1].startswith("Có 10 hộ khớp với “le van hung”. Xin gõ thêm tên thôn để thu hẹp")
    assert replies[1].endswith(
        ASK_HOUSEHOLD + " Nhập mã hộ (ví dụ TL00001) hoặc họ tên chủ hộ. "
        "Nếu là hộ chưa có trong danh sách, gõ “moi”."
    )
    assert replies[2].startswith("Có 4 hộ khớp. Anh/chị chọn hộ nào?")
    assert (await cadre.say("le van hung thon tan hoa")).startswith("Xin chọn một số từ 1 đến 4")


async def test_household_outside_the_users_area_is_not_found(cadre: Talker) -> None:
    replies = await cadre.script(["kiem tra", "CT00001", "Phạm Thị Hoa"])

    assert replies[1].startswith("Không tìm thấy hộ “CT00001” trong địa bàn của anh/chị.")
    assert replies[2].startswith("Không tìm thấy hộ “Phạm Thị Hoa” trong địa bàn của anh/chị.")


async def test_province_admin_finds_households_of_every_commune(
    talker: Callable[[str], Talker],
) -> None:
    admin = talker("admin")

    replies = await admin.script(["kiem tra", "CT00001"])

    assert replies[1].startswith("Hộ CT00001 – Phạm Thị Hoa (Thôn Cam Lộ), 4 nhân khẩu.")


async def test_income_as_household_total_is_divided_by_members(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession]
) -> None:
    replies = await cadre.script(["kiem tra", "TL00001", "TONG", "4tr8"])

    assert (
        replies[2] == "Tổng thu nhập của cả hộ mỗi tháng là bao nhiêu? (Sẽ chia cho 4 nhân khẩu.)"
    )
    assert replies[3].startswith(FIRST_INDICATOR)
    await cadre.script(ANSWERS_AFTER_HOUSEHOLD[1:])
    summary = cadre.lines[-1]
    assert "\n3. Thu nhập bình quân: 1.200.000 đồng/người/tháng\n" in summary


async def test_expired_check_is_closed_with_a_note_after_three_days(
    cadre: Talker, clock: Clock, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await cadre.script(["kiem tra", "TL00001", "1200000"])
    clock.advance(timedelta(days=3))

    reply = await cadre.say("co")

    assert reply.startswith(
        "Việc “Kiểm tra hộ” anh/chị làm dở từ ngày 23/11/2026 đã quá 3 ngày không tiếp tục "
        "nên đã được đóng lại; các câu trả lời chưa được lưu."
    )
    assert "Anh/chị muốn làm gì?" in reply
    async with sessions() as session:
        assert await load_conversation(session, "console", "cadre") is None


async def test_check_idle_for_two_days_is_offered_to_continue(cadre: Talker, clock: Clock) -> None:
    await cadre.script(["kiem tra", "TL00001", "1200000"])
    clock.advance(timedelta(days=2))

    replies = await cadre.script(["co", "1"])

    assert replies[0] == (
        "Anh/chị đang làm dở: Kiểm tra hộ – hộ TL00001 – Nguyễn Văn An. "
        "Anh/chị muốn tiếp tục, làm lại từ đầu hay hủy?\n"
        "  1. Tiếp tục\n  2. Làm lại từ đầu\n  3. Hủy"
    )
    assert replies[1].startswith(FIRST_INDICATOR)


async def test_restart_from_the_resume_offer_asks_for_the_household_again(cadre: Talker) -> None:
    await cadre.script(["kiem tra", "TL00001", "1200000"])

    replies = await cadre.script(["/start", "lam lai"])

    assert replies[0].startswith("Anh/chị đang làm dở: Kiểm tra hộ")
    assert replies[1].startswith(ASK_HOUSEHOLD)


async def test_mentor_is_told_the_check_is_not_for_their_role(
    talker: Callable[[str], Talker],
) -> None:
    reply = await talker("mentor").say("kiem tra")

    assert reply.startswith("Xin lỗi, việc “Kiểm tra hộ” không thuộc vai trò của anh/chị.")


async def test_unknown_sender_gets_a_polite_note(bot: Engine) -> None:
    replies = await bot.handle(Inbound(IdentityRef("telegram", "999"), "kiem tra"))

    assert [r.text for r in replies] == [
        "Xin lỗi, số này chưa được cấp quyền dùng Trợ lý Giảm nghèo. "
        "Xin liên hệ cán bộ phụ trách ở xã để được cấp mã mời."
    ]


async def test_phone_number_finds_a_user_without_a_console_identity(
    talker: Callable[[str], Talker],
) -> None:
    reply = await talker("+84912345678").say("xin chào")

    assert reply.startswith("Anh/chị muốn làm gì?")


async def test_a_policy_question_typed_at_a_step_is_refused_as_an_answer_not_looked_up(
    cadre: Talker,
) -> None:
    """Only compact codes run in passing; a policy question (claimed by the policy lookup
    outside a flow) is just a wrong answer while a check waits."""
    await cadre.script(["kiem tra", "TL00001", "1tr2"])

    reply = await cadre.say("bảo hiểm y tế")

    assert reply.startswith("Xin trả lời Có hoặc Không")
    assert FIRST_INDICATOR in reply
    assert "Bảo hiểm y tế (BHYT)" not in reply
    assert "đang làm dở vẫn được giữ" not in reply
