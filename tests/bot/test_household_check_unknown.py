"""The household check with answers left “không rõ”, help that explains each question, the save
screen's numbered answers, and the length of a full check (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.flow import Flow
from bot.flows.support_answers import indicator_names as support_indicator_names
from poverty.standards import load_standard
from scheduler.texts import indicator_names
from storage.audit import Actor
from storage.conversations import load_conversation
from storage.followups import CHECK_TO_COMPLETE, sync_check_completion
from storage.models import Assessment, AuditLog, FollowUp, Household
from storage.reviews import open_review, review_of, review_status
from storage.units import get_unit
from tests.bot.conftest import Area, Clock, Talker
from tests.conftest import PEOPLE_TZ

# TL00003 (5 members, 2 children under 16 among 3 dependants): every question of 2022–2025.
WITH_CHILDREN = [
    "1tr3",  # income
    "khong",  # unemployed
    "khong",  # wage work without a contract
    "3",  # dependants
    "khong",  # malnourished child
    "co",  # someone 6 or over without a health-insurance card
    "khong",  # adult education
    "khong",  # children out of school
    "1",  # non-durable parts of the house
    "45",  # m²
    "gieng khoan",
    "co",  # latrine
    "co",  # internet
    "co",  # information devices
]
SAVE = "Lưu kết quả kiểm tra này?"


@pytest.fixture
def flows() -> list[Flow]:
    """Every flow, so the ``KT`` code and the review run next to the check."""
    return registered_flows()


ACTOR = Actor("test:check")


async def _latest(sessions: async_sessionmaker[AsyncSession], area: Area) -> Household:
    async with sessions() as session:
        household = await session.get(Household, area.households["TL00003"])
        assert household is not None
        return household


async def _completion_followups(sessions: async_sessionmaker[AsyncSession]) -> list[FollowUp]:
    async with sessions() as session:
        query = select(FollowUp).where(FollowUp.indicator == "bo_sung_kiem_tra")
        return list((await session.scalars(query)).all())


async def test_a_full_check_of_a_household_with_children_takes_at_most_16_messages(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession]
) -> None:
    messages = ["kiểm tra TL00003", *WITH_CHILDREN, "co"]

    replies = await cadre.script(messages)

    assert len(messages) <= 16
    assert SAVE in replies[-2]
    assert replies[-1].startswith("Đã lưu kết quả kiểm tra hộ TL00003")
    async with sessions() as session:
        saved = (await session.scalars(select(Assessment))).one()
    assert saved.computed_class == "can_ngheo"
    assert "bhyt_co_tu_6_tuoi" not in saved.answers
    assert saved.answers["bhyt_thieu_the"] is True


@pytest.mark.parametrize(
    "word", ["không rõ", "khong ro", "KO RO", "chưa rõ", "bỏ qua", "bo qua", "Không biết", "3"]
)
async def test_a_yes_no_question_accepts_not_known_in_any_spelling(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession], word: str
) -> None:
    await cadre.script(["kiem tra TL00003", "1tr3"])

    reply = await cadre.say(word)

    assert reply.startswith("Có thành viên nào đi làm thuê")
    async with sessions() as session:
        state = await load_conversation(session, "console", "cadre")
    assert state is not None
    assert state.answers["viec_lam_that_nghiep"] is None


async def test_unknown_answers_save_a_check_without_conclusion_and_open_a_followup(
    cadre: Talker,
    sessions: async_sessionmaker[AsyncSession],
    area: Area,
    golden: Callable[[str, str], None],
) -> None:
    answers = ["khong ro", *WITH_CHILDREN[1:4], "/giup", "bo qua", *WITH_CHILDREN[5:10], "8"]
    replies = await cadre.script(["kiem tra TL00003", *answers, "co", "co", "co"])

    summary = replies[-1]
    assert "3. Thu nhập bình quân: chưa rõ" in summary
    assert "6. Dinh dưỡng: chưa rõ" in summary
    assert "Kết quả: chưa kết luận." in summary
    assert "Còn thiếu: Thu nhập bình quân; Dinh dưỡng; Nguồn nước sinh hoạt." in summary
    assert "Nếu lưu, hệ thống ghi một việc cần bổ sung" in summary
    await cadre.say("co")
    saved_reply = cadre.lines[-1]
    assert "Kết quả chưa kết luận. Đã ghi việc cần bổ sung thông tin cho hộ TL00003, hạn " in (
        saved_reply
    )
    assert "gõ “kiểm tra TL00003” để kiểm tra lại." in saved_reply
    golden("household_check_not_known", cadre.transcript)
    async with sessions() as session:
        saved = (await session.scalars(select(Assessment))).one()
        actions = [a.action for a in (await session.scalars(select(AuditLog))).all()]
    assert saved.computed_class is None
    assert saved.income_per_person is None
    assert saved.answers["thu_nhap_binh_quan"] is None
    assert saved.answers["dinh_duong_tre_suy_dinh_duong"] is None
    assert saved.answers["nuoc_nguon_chinh"] is None
    household = await _latest(sessions, area)
    assert household.latest_class is None
    assert household.latest_assessment_id == saved.id
    (followup,) = await _completion_followups(sessions)
    assert (followup.state, followup.household_id) == ("open", household.id)
    assert (followup.due_on - saved.created_at.date()).days in (6, 7, 8)
    assert actions.count("followup.open") == 1


async def test_a_later_check_that_concludes_closes_the_completion_followup(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await cadre.script(["kiem tra TL00003", "khong ro", *WITH_CHILDREN[1:], "co"])
    assert [f.state for f in await _completion_followups(sessions)] == ["open"]
    await cadre.script(["kiem tra TL00003", "khong ro", *WITH_CHILDREN[1:], "co"])
    assert [f.state for f in await _completion_followups(sessions)] == ["open"]

    reminded = await cadre.say("kiem tra")
    assert reminded.startswith(
        "Hộ có lần kiểm tra chưa kết luận, cần bổ sung (1 hộ):\n• TL00003 – Nguyễn Văn Anh, hạn "
    )
    assert reminded.endswith("Nếu là hộ chưa có trong danh sách, gõ “moi”.")
    await cadre.script(["TL00003", *WITH_CHILDREN, "co"])

    assert [f.state for f in await _completion_followups(sessions)] == ["done"]
    assert (await cadre.say("kiem tra")).startswith("Anh/chị muốn kiểm tra hộ nào?")


async def test_help_on_a_question_explains_it_in_the_standards_words(cadre: Talker) -> None:
    await cadre.script(["kiem tra TL00003", "1tr3", "khong", "khong"])
    meaning = load_standard("2022-2025").indicator("nguoi_phu_thuoc").questions[0].meaning

    reply = await cadre.say("/giup")

    assert reply.startswith(f"Giải thích: {meaning}")
    assert "Người phụ thuộc là trẻ em dưới 16 tuổi" in reply
    assert "Nhập một số nguyên từ 0 đến 50." in reply
    assert "Nếu chưa biết, gõ “không rõ” (hoặc “bỏ qua”)" in reply
    assert reply.rstrip().endswith("trợ cấp xã hội hằng tháng)?")


async def test_every_question_of_the_current_standards_has_a_meaning() -> None:
    for standard_id in ("2016-2020", "2022-2025", "2027-2030"):
        for indicator in load_standard(standard_id).indicators:
            for question in indicator.questions:
                assert len(question.meaning) > 30, question.key


async def test_the_save_screen_opens_one_answer_by_its_number_and_comes_back(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession]
) -> None:
    replies = await cadre.script(["kiem tra TL00003", *WITH_CHILDREN])
    assert "11. Diện tích nhà ở bình quân đầu người: không thiếu hụt (45)" in replies[-1]

    replies = await cadre.script(["sửa 3", "1tr1", "11", "30", "99", "sua"])

    assert replies[0].startswith("Hộ TL00003 – Nguyễn Văn Anh")
    assert "3. Thu nhập bình quân: 1.100.000 đồng/người/tháng" in replies[1]
    assert replies[2] == "Tổng diện tích nhà ở của hộ là bao nhiêu mét vuông?"
    assert "11. Diện tích nhà ở bình quân đầu người: thiếu hụt (30)" in replies[3]
    assert replies[4].startswith("Không có câu số 99. Xin gõ số từ 3 đến 15, hoặc Có / Không.")
    assert replies[5].startswith("Xin trả lời Có để lưu, Không để bỏ, hoặc số của câu muốn sửa")
    await cadre.say("1")
    async with sessions() as session:
        saved = (await session.scalars(select(Assessment))).one()
    assert (saved.income_per_person, saved.answers["nha_o_dien_tich_m2"]) == (1_100_000, 30)


async def test_opening_an_indicator_again_asks_all_its_questions(cadre: Talker) -> None:
    answers = ["1tr3", "co", *WITH_CHILDREN[3:]]  # unemployed: the contract question is skipped
    await cadre.script(["kiem tra TL00003", *answers])

    replies = await cadre.script(["4", "khong", "co"])

    assert replies[0].startswith("Có thành viên nào trong độ tuổi lao động")
    assert replies[1].startswith("Có thành viên nào đi làm thuê")
    assert "4. Việc làm: thiếu hụt" in replies[2]


async def test_in_a_review_a_check_without_conclusion_leaves_the_household_to_check(
    sessions: async_sessionmaker[AsyncSession], area: Area, clock: Clock, cadre: Talker
) -> None:
    async with sessions() as session, session.begin():
        commune = await get_unit(session, area.units["tan_lap"])
        await open_review(session, commune, 2026, Actor("test:review"), clock.now)
    listed = await cadre.say("rà soát")
    assert "đã kiểm tra 0/2 hộ" in listed
    assert "2. TL00001 – Nguyễn Văn An (Thôn Tân Hòa)" in listed

    picked = await cadre.say("2")
    assert picked.startswith("Hộ TL00001 – Nguyễn Văn An")
    question = await cadre.say("không rõ")
    while "Lưu kết quả kiểm tra này?" not in question:
        question = await cadre.say("khong" if "1. Có" in question else "1")
    saved = await cadre.say("co")

    assert "Kết quả chưa kết luận." in saved
    assert "Còn 2 hộ trong danh sách rà soát chưa kiểm tra." in saved
    again = await cadre.say("rà soát")
    assert "đã kiểm tra 0/2 hộ" in again
    assert "TL00001 – Nguyễn Văn An" in again
    async with sessions() as session:
        review = await review_of(session, commune)
        status = await review_status(session, review)
    assert (status.checked, status.total) == (0, 2)


def test_reminders_and_mentor_lists_name_the_completion_followup() -> None:
    assert indicator_names()[CHECK_TO_COMPLETE] == "Bổ sung thông tin kiểm tra hộ"
    assert support_indicator_names()[CHECK_TO_COMPLETE] == "Bổ sung thông tin kiểm tra hộ"


async def test_checks_to_complete_are_listed_only_inside_the_users_area(
    cadre: Talker,
    talker: Callable[[str], Talker],
    sessions: async_sessionmaker[AsyncSession],
    area: Area,
    clock: Clock,
) -> None:
    async with sessions() as session, session.begin():
        await sync_check_completion(
            session,
            area.households["CT00001"],
            concluded=False,
            now=clock.now,
            actor=ACTOR,
            tz=PEOPLE_TZ,
        )

    assert (await cadre.say("kiem tra")).startswith("Anh/chị muốn kiểm tra hộ nào?")
    listed = await talker("admin").say("kiem tra")
    assert "(1 hộ):\n• CT00001 – Phạm Thị Hoa, hạn " in listed


async def test_a_kt_code_that_concludes_also_closes_the_completion_followup(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await cadre.script(["kiem tra TL00003", "khong ro", *WITH_CHILDREN[1:], "co"])
    assert [f.state for f in await _completion_followups(sessions)] == ["open"]

    saved = await cadre.say("KT TL00003 010100000000 1tr3")

    assert saved.startswith("Đã lưu kiểm tra hộ TL00003")
    assert [f.state for f in await _completion_followups(sessions)] == ["done"]
