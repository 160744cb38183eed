"""Transcript tests of the policy lookup through the engine (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.flow import Flow
from bot.flows.policy_lookup import POLICY_LOOKUP
from poverty.standards import to_mask
from storage.models import Assessment, Household, OfficialRecord
from tests.bot.conftest import Area, Talker

ASK_QUERY = (
    "Anh/chị muốn tra cứu chính sách gì? Gõ vài từ, ví dụ: bảo hiểm y tế, học phí, vay vốn, "
    "nhà ở, tiền điện. Hoặc gõ “cho hộ” và mã hộ, ví dụ: cho hộ TL00001."
)
BHYT_CARD = "\n".join(
    [
        "Bảo hiểm y tế (BHYT)",
        "Nhà nước đóng hoặc hỗ trợ tiền mua thẻ BHYT cho người thuộc hộ nghèo, hộ cận nghèo và "
        "hộ nông, lâm, ngư, diêm nghiệp có mức sống trung bình.",
        "Ai được hưởng:",
        "• Hộ nghèo: Ngân sách nhà nước đóng 100% mức đóng BHYT.",
        "• Hộ cận nghèo: Nhà nước hỗ trợ tối thiểu 70% mức đóng.",
        "• Hộ có mức sống trung bình: Hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp, diêm nghiệp có "
        "mức sống trung bình: Nhà nước hỗ trợ tối thiểu 30% mức đóng.",
        "• Tỉnh có thể hỗ trợ thêm từ ngân sách địa phương.",
        "Căn cứ: NĐ 146/2018/NĐ-CP Điều 3(9a), Điều 4, Điều 8, sửa đổi bởi NĐ 75/2023/NĐ-CP.",
        "Cần làm: Rà soát để mọi thành viên từ 6 tuổi trở lên đều có thẻ (trẻ dưới 6 tuổi được "
        "cấp thẻ miễn phí). Người chưa có thẻ: lập danh sách gửi UBND xã để đề nghị cấp thẻ.",
        "Lưu ý: Luật BHYT đã sửa đổi năm 2024 (Luật 51/2024/QH15, hiệu lực 01/7/2025); xin kiểm "
        "tra nghị định hướng dẫn mới nhất. Mức 100% cho hộ cận nghèo ở huyện nghèo không còn áp "
        "dụng như trước vì từ 01/7/2025 không còn cấp huyện.",
        "Thông tin kiểm tra lần cuối ngày 07/12/2026.",
    ]
)
NOT_IN_AREA = "Không tìm thấy hộ “{code}” trong địa bàn của anh/chị."


@pytest.fixture
def flows() -> list[Flow]:
    return registered_flows()


def test_policy_lookup_is_registered_with_the_engine() -> None:
    assert POLICY_LOOKUP in registered_flows()


async def add_records(
    sessions: async_sessionmaker[AsyncSession],
    area: Area,
    code: str,
    records: list[tuple[int, str, tuple[str, ...]]],
) -> None:
    """Official records (year, status, deprived codes) of a seeded household."""
    async with sessions() as session, session.begin():
        household = await session.get(Household, area.households[code])
        assert household is not None
        for year, status, deprived in records:
            session.add(
                OfficialRecord(
                    household_id=household.id,
                    year=year,
                    province_id=household.province_id,
                    district_id=None,
                    commune_id=household.commune_id,
                    village_id=household.village_id,
                    area="nong_thon",
                    status=status,
                    deprived_mask=to_mask(deprived),
                    known_mask=0,
                    standard_id="2022-2025",
                    updated_at=datetime(2026, 1, 5, tzinfo=UTC),
                )
            )
        household.official_status, household.official_year = records[-1][1], records[-1][0]


async def add_assessment(
    sessions: async_sessionmaker[AsyncSession], area: Area, code: str, deprived: tuple[str, ...]
) -> None:
    async with sessions() as session, session.begin():
        household = await session.get(Household, area.households[code])
        assert household is not None
        assessment = Assessment(
            household_id=household.id,
            province_id=household.province_id,
            standard_id="2022-2025",
            area="nong_thon",
            answers={},
            income_per_person=1_100_000,
            deprived_mask=to_mask(deprived),
            known_mask=0,
            computed_class="ngheo",
            user_id=area.users["cadre"],
            channel="console",
            created_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
            applies_year=2026,
        )
        session.add(assessment)
        await session.flush()
        household.latest_assessment_id = assessment.id


async def test_keyword_with_words_gives_the_policy_card(cadre: Talker) -> None:
    assert await cadre.say("chính sách bhyt") == BHYT_CARD
    assert await cadre.say("/chinhsach bảo hiểm y tế") == BHYT_CARD


async def test_free_text_bao_hiem_y_te_outside_any_flow_gives_the_bhyt_card(cadre: Talker) -> None:
    assert await cadre.say("bao hiem y te") == BHYT_CARD


async def test_typo_and_upper_case_still_find_bhyt(cadre: Talker) -> None:
    assert await cadre.say("cs BHTYT") == BHYT_CARD


async def test_keyword_alone_asks_then_answers(cadre: Talker) -> None:
    replies = await cadre.script(["tra cuu", "hoc phi"])

    assert replies[0] == ASK_QUERY
    card = replies[1]
    assert card.startswith("Miễn, giảm học phí và hỗ trợ chi phí học tập\n")
    assert "NQ 217/2025/QH15" in card
    assert "miễn cho mọi học sinh" in card
    assert "\nLưu ý: Chưa đối chiếu điều khoản cụ thể" in card


async def test_unverified_policy_card_ends_with_a_note_and_the_day_it_was_checked(
    cadre: Talker,
) -> None:
    card = await cadre.say("tien dien")

    assert card.startswith("Hỗ trợ tiền điện cho hộ nghèo\n")
    assert "• Hộ nghèo: Hỗ trợ bằng tiền, tương đương 30 kWh" in card
    assert "Căn cứ: QĐ 28/2014/QĐ-TTg." in card
    assert card.splitlines()[-2].startswith("Lưu ý: Mức 30 kWh")
    assert card.splitlines()[-1] == "Thông tin kiểm tra lần cuối ngày 07/12/2026."


async def test_loan_card_without_sourced_terms_says_where_to_ask(cadre: Talker) -> None:
    card = await cadre.say("chinh sach vay von ho ngheo")

    assert card.startswith("Vay vốn ưu đãi hộ nghèo (NHCSXH)\n")
    assert (
        "Mức vay, lãi suất, thời hạn vay: xin hỏi tại điểm giao dịch Ngân hàng Chính sách xã hội "
        "ở xã (hoặc Tổ tiết kiệm và vay vốn ở thôn)."
    ) in card.splitlines()


async def test_clean_water_loan_card_gives_its_ceiling_and_current_decision(
    cadre: Talker,
) -> None:
    lines = (await cadre.say("chinh sach vay nuoc sach")).splitlines()

    assert "Mức vay: Tối đa 25 triệu đồng cho mỗi loại công trình (cấp nước; vệ sinh)." in lines
    assert any(
        line.startswith("Lãi suất, thời hạn vay: xin hỏi tại điểm giao dịch") for line in lines
    )
    assert any(line.startswith("Căn cứ: QĐ 10/2024/QĐ-TTg") for line in lines)
    assert "• Mọi hộ gia đình cư trú (thường trú hoặc tạm trú) ở vùng nông thôn, không phân " in (
        "\n".join(lines)
    )


async def test_several_results_are_listed_and_picked_by_number(cadre: Talker) -> None:
    listing = await cadre.say("vay von")

    assert listing == "\n".join(
        [
            "Có 4 chính sách phù hợp. Anh/chị muốn xem chính sách nào?",
            "  1. Vay vốn ưu đãi hộ nghèo (NHCSXH)",
            "  2. Vay vốn ưu đãi hộ cận nghèo (NHCSXH)",
            "  3. Vay vốn hộ mới thoát nghèo (NHCSXH)",
            "  4. Vay vốn nước sạch và vệ sinh môi trường nông thôn (NHCSXH)",
        ]
    )
    card = await cadre.say("2")
    assert card.startswith("Vay vốn ưu đãi hộ cận nghèo (NHCSXH)\n")
    assert "Căn cứ: QĐ 15/2013/QĐ-TTg; NĐ 06/2026/NĐ-CP (Điều 45)." in card
    assert "Lưu ý" not in card
    assert await cadre.say("bhyt") == BHYT_CARD


async def test_nothing_found_lists_examples_and_asks_again(cadre: Talker) -> None:
    reply = await cadre.say("chinh sach xyz qwerty")

    assert reply == (
        "Chưa tìm thấy chính sách nào cho “xyz qwerty”. Anh/chị thử gõ: bảo hiểm y tế, học phí, "
        f"vay vốn, nhà ở, tiền điện, trợ giúp pháp lý, học nghề.\n\n{ASK_QUERY}"
    )
    assert (await cadre.say("nha o tam")).startswith(
        "Hỗ trợ nhà ở (xây mới, sửa chữa, xóa nhà tạm)"
    )


async def test_words_starting_like_ho_are_still_a_policy(cadre: Talker) -> None:
    card = await cadre.say("chinh sach hỗ trợ nhà ở")

    assert card.startswith("Hỗ trợ nhà ở (xây mới, sửa chữa, xóa nhà tạm)\n")


async def test_policies_for_a_poor_household_in_the_area_come_with_reasons(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession], area: Area
) -> None:
    await add_records(sessions, area, "TL00001", [(2025, "ngheo", ("bhyt", "nha_tieu"))])

    reply = await cadre.say("chính sách cho hộ TL00001")

    lines = reply.splitlines()
    assert lines[:7] == [
        "Hộ TL00001 – Nguyễn Văn An: Hộ nghèo (năm 2025).",
        "Thiếu hụt theo danh sách chính thức năm 2025: Bảo hiểm y tế, Nhà tiêu hợp vệ sinh.",
        "Chính sách giúp khắc phục thiếu hụt của hộ:",
        "1. Bảo hiểm y tế (BHYT) – giúp khắc phục: Bảo hiểm y tế. Hộ nghèo: Ngân sách nhà nước "
        "đóng 100% mức đóng BHYT.",
        "2. Vay vốn nước sạch và vệ sinh môi trường nông thôn (NHCSXH) – giúp khắc phục: Nhà tiêu "
        "hợp vệ sinh. Hộ nghèo: Hộ ở nông thôn chưa có công trình nước sạch, nhà tiêu, hoặc công "
        "trình đã hỏng.",
        "Chính sách khác hộ được hưởng theo diện:",
        "3. Miễn, giảm học phí và hỗ trợ chi phí học tập – Hộ nghèo",
    ]
    assert "6. Hỗ trợ tiền điện cho hộ nghèo – Hộ nghèo" in lines
    assert "cận nghèo (NHCSXH)" not in reply
    assert lines[-1] == "Gõ tên chính sách (ví dụ: bhyt) để xem điều kiện và cách làm."


async def test_latest_assessment_wins_over_the_official_record(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession], area: Area
) -> None:
    await add_records(sessions, area, "TL00001", [(2025, "ngheo", ("bhyt",))])
    await add_assessment(sessions, area, "TL00001", ("chat_luong_nha_o",))

    reply = await cadre.say("chinh sach ho tl00001")

    assert "Thiếu hụt theo lần kiểm tra ngày 20/11/2026: Chất lượng nhà ở." in reply
    assert (
        "1. Hỗ trợ nhà ở (xây mới, sửa chữa, xóa nhà tạm) – giúp khắc phục: Chất lượng nhà ở."
        in (reply)
    )
    assert "giúp khắc phục: Bảo hiểm y tế" not in reply


async def test_near_poor_household_without_known_deprivations(cadre: Talker) -> None:
    reply = await cadre.say("cs cho ho TL00002")

    assert reply.startswith(
        "Hộ TL00002 – Trần Thị Bình: Hộ cận nghèo (năm 2025).\n"
        "Chưa có thông tin về các chỉ số thiếu hụt của hộ.\n"
        "Chính sách hộ được hưởng theo diện:\n"
        "1. Bảo hiểm y tế (BHYT) – Hộ cận nghèo\n"
    )
    assert "Vay vốn ưu đãi hộ cận nghèo (NHCSXH) – Hộ cận nghèo" in reply
    assert "tiền điện" not in reply


async def test_newly_escaped_household_keeps_its_loans(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession], area: Area
) -> None:
    await add_records(
        sessions, area, "TL00004", [(2024, "ngheo", ("viec_lam",)), (2025, "khong", ())]
    )

    reply = await cadre.say("chinh sach cho ho TL00004")

    assert reply.splitlines()[:3] == [
        "Hộ TL00004 – Đặng Thị Hà: Hộ không nghèo (năm 2025).",
        "Hộ mới thoát nghèo (ra khỏi danh sách trong 3 năm gần đây).",
        "Danh sách chính thức năm 2025 không ghi nhận thiếu hụt nào.",
    ]
    assert "Vay vốn hộ mới thoát nghèo (NHCSXH) – Hộ mới thoát nghèo" in reply


async def test_household_without_status_qualifies_for_nothing(cadre: Talker) -> None:
    reply = await cadre.say("chinh sach cho ho TL00003")

    assert reply == (
        "Hộ TL00003 – Nguyễn Văn Anh: chưa có phân loại chính thức.\n"
        "Chưa có thông tin về các chỉ số thiếu hụt của hộ.\n"
        "Theo phân loại hiện tại, hộ chưa thuộc diện của chính sách nào trong danh mục."
    )


async def test_household_outside_the_area_is_not_found(cadre: Talker) -> None:
    reply = await cadre.say("chinh sach cho ho CT00001")

    assert reply == f"{NOT_IN_AREA.format(code='CT00001')}\n\n{ASK_QUERY}"
    assert "Phạm Thị Hoa" not in reply
    assert (await cadre.say("/huy")).startswith("Đã hủy")


async def test_unknown_household_code_is_not_found(cadre: Talker) -> None:
    reply = await cadre.say("chinh sach ho TL99999")

    assert reply.startswith(NOT_IN_AREA.format(code="TL99999"))


async def test_province_admin_sees_a_household_of_another_commune(
    talker: Callable[[str], Talker],
) -> None:
    admin = talker("admin")
    reply = await admin.say("chinh sach cho ho CT00001")

    assert reply.startswith("Hộ CT00001 – Phạm Thị Hoa: Hộ nghèo (năm 2025).")


async def test_household_by_name_asks_which_one_then_lists(cadre: Talker) -> None:
    listing = await cadre.say("chinh sach cho ho nguyen van an")

    assert listing == "\n".join(
        [
            "Có 2 hộ khớp. Anh/chị chọn hộ nào?",
            "  1. TL00001 – Nguyễn Văn An (Thôn Tân Hòa)",
            "  2. TL00003 – Nguyễn Văn Anh (Thôn Tân Hòa)",
        ]
    )
    assert (await cadre.say("1")).startswith("Hộ TL00001 – Nguyễn Văn An: Hộ nghèo (năm 2025).")
