"""Nobody is trapped: a recognised request typed at a pick list, at the resume prompt or at any
question is served at once, and the interrupted conversation is kept with its answers and
offered again (console chat through the engine, SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.answers import Choice, Text
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.messages import Option, Outbound
from storage.conversations import load_conversation
from tests.bot.conftest import Clock, Talker

RESUME_CHECK = "Anh/chị đang làm dở: Kiểm tra hộ – hộ TL00001"
INCOME_QUESTION = "Nhập thu nhập bình quân mỗi người mỗi tháng"


async def _echo(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    return [Outbound(f"Xong: {', '.join(f'{k}={answers[k]}' for k in sorted(answers))}")]


VILLAGES = Flow(
    name="villages",
    title="Chọn thôn thử",
    steps=(
        Step("ghi_chu", ask="Ghi chú?", answer=Text(max_length=40)),
        Step(
            "thon",
            ask="Thôn nào?",
            answer=Choice(
                (
                    Option("tan_hoa", "Thôn Tân Hòa"),
                    Option("dong_tam", "Thôn Đồng Tâm"),
                    Option("dong_xuan", "Thôn Đồng Xuân"),
                )
            ),
        ),
    ),
    finish=_echo,
    keywords=("/thon",),
)


@pytest.fixture
def flows() -> list[Flow]:
    return [*registered_flows(), VILLAGES]


async def _check_until_second_question(cadre: Talker) -> str:
    replies = await cadre.script(["kiem tra", "TL00001", "2tr"])
    assert replies[1].startswith("Hộ TL00001 – Nguyễn Văn An")
    return replies[2]


async def test_a_policy_name_at_a_pending_policy_list_shows_that_policy(cadre: Talker) -> None:
    listed = await cadre.say("vay vốn")
    assert listed.startswith("Có 4 chính sách phù hợp.")

    tuition = await cadre.say("học phí")
    health = await cadre.say("bhyt")

    assert tuition.startswith("Miễn, giảm học phí")
    assert health.startswith("Bảo hiểm y tế (BHYT)")


async def test_a_policy_asked_in_the_middle_of_a_check_keeps_its_answers_and_offers_it_again(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession]
) -> None:
    second = await _check_until_second_question(cadre)

    card = await cadre.say("bhyt")
    async with sessions() as session:
        kept = await load_conversation(session, "console", "cadre")
    again = await cadre.say("tiếp tục")

    assert card.startswith("Bảo hiểm y tế (BHYT)")
    assert RESUME_CHECK in card
    assert kept is not None
    assert kept.flow == "household_check"
    assert kept.paused
    assert kept.answers["thu_nhap"] == 2_000_000
    assert again == second


async def test_a_single_word_of_a_policy_name_at_a_question_is_refused_not_served(
    cadre: Talker,
) -> None:
    second = await _check_until_second_question(cadre)

    refused = await cadre.say("sua")  # a word of the housing card's name, not a policy's name

    assert RESUME_CHECK not in refused
    assert "không thuộc vai trò" not in refused
    assert refused.endswith(second)
    await cadre.say("/huy")
    assert (await cadre.say("sua")).startswith("Hỗ trợ nhà ở"), "outside a flow it still asks"


async def test_a_household_code_at_the_resume_prompt_starts_its_check_and_the_first_waits(
    cadre: Talker,
) -> None:
    second = await _check_until_second_question(cadre)
    assert (await cadre.say("menu")).startswith(RESUME_CHECK)

    other = await cadre.say("TL00002")
    cancelled = await cadre.say("thôi")
    resumed = await cadre.say("1")

    assert other.startswith("Hộ TL00002 – Trần Thị Bình")
    assert cancelled.startswith("Đã hủy việc “Kiểm tra hộ”")
    assert RESUME_CHECK in cancelled
    assert resumed == second


async def test_the_check_keyword_at_the_resume_prompt_continues_the_check(cadre: Talker) -> None:
    second = await _check_until_second_question(cadre)
    await cadre.say("menu")

    assert await cadre.say("kiem tra") == second


@pytest.mark.parametrize("word", ["thôi", "thoi", "huỷ", "Thôi."])
async def test_thoi_and_huy_cancel_at_a_question_and_at_the_resume_prompt(
    cadre: Talker, word: str
) -> None:
    await _check_until_second_question(cadre)
    at_question = await cadre.say(word)
    await _check_until_second_question(cadre)
    await cadre.say("menu")
    at_prompt = await cadre.say(word)

    assert at_question.startswith("Đã hủy, các câu trả lời chưa được lưu.")
    assert at_prompt.startswith("Đã hủy, các câu trả lời chưa được lưu.")
    assert "đang làm dở" not in at_question + at_prompt


async def test_an_answer_that_fits_the_question_wins_over_a_request(
    cadre: Talker, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await cadre.say("/thon")

    assert (
        await cadre.say("bhyt")
        == "Thôn nào?\n  1. Thôn Tân Hòa\n  2. Thôn Đồng Tâm\n  3. Thôn Đồng Xuân"
    )
    async with sessions() as session:
        state = await load_conversation(session, "console", "cadre")
    assert state is not None
    assert state.answers == {"ghi_chu": "bhyt"}


async def test_a_village_typed_without_its_prefix_picks_it(cadre: Talker) -> None:
    await cadre.script(["/thon", "ghi chú"])

    assert await cadre.say("dong tam") == "Xong: ghi_chu=ghi chú, thon=dong_tam"


async def test_a_partial_label_matching_several_options_lists_just_those(cadre: Talker) -> None:
    await cadre.script(["/thon", "ghi chú"])

    reply = await cadre.say("đồng")

    assert reply.startswith(
        "“đồng” khớp với nhiều lựa chọn: 2. Thôn Đồng Tâm; 3. Thôn Đồng Xuân. Xin gõ số thứ tự."
    )
    assert await cadre.say("3") == "Xong: ghi_chu=ghi chú, thon=dong_xuan"


async def test_a_household_code_outside_any_flow_starts_its_check(cadre: Talker) -> None:
    reply = await cadre.say("tl00001")

    assert reply.startswith("Hộ TL00001 – Nguyễn Văn An")


async def test_a_household_code_outside_the_users_area_is_not_understood(cadre: Talker) -> None:
    reply = await cadre.say("CT00001")

    assert reply.startswith("Xin lỗi, tôi chưa hiểu ý anh/chị.")


@pytest.mark.parametrize("typo", ["kiem tar", "kiểm tar", "kiemtar"])
async def test_a_keyword_with_a_typo_starts_a_flow_that_only_asks_a_question(
    cadre: Talker, typo: str
) -> None:
    assert (await cadre.say(typo)).startswith("Anh/chị muốn kiểm tra hộ nào?")


async def test_a_keyword_typo_in_the_middle_of_a_check_starts_the_other_flow(
    cadre: Talker,
) -> None:
    second = await _check_until_second_question(cadre)

    asked = await cadre.say("chinh sahc")
    card = await cadre.say("học phí")

    assert asked.startswith("Anh/chị muốn tra cứu chính sách gì?")
    assert card.startswith("Miễn, giảm học phí")
    assert RESUME_CHECK in card
    assert await cadre.say("1") == second


async def test_a_keyword_typo_of_a_flow_that_would_finish_at_once_is_only_suggested(
    talker: Callable[[str], Talker],
) -> None:
    manager = talker("manager")

    reply = await manager.say("tom tta")

    assert reply == "Có phải anh/chị muốn “Tóm tắt địa bàn”? Nếu đúng, xin gõ: tom tat"


async def test_bao_cao_means_the_summary_for_a_manager_and_a_report_for_cadre_and_mentor(
    talker: Callable[[str], Talker],
) -> None:
    manager, cadre, mentor = talker("manager"), talker("cadre"), talker("mentor")

    assert (await manager.say("báo cáo")).startswith("Tóm tắt năm ")
    assert (await manager.say("thống kê")).startswith("Tóm tắt năm ")
    assert "nộp báo cáo nào?" in await cadre.say("báo cáo")
    assert not (await mentor.say("bao cao")).startswith("Xin lỗi")


@pytest.mark.parametrize("text", ["điện", "hỗ trợ điện", "dien"])
async def test_dien_shows_the_electricity_support(cadre: Talker, text: str) -> None:
    assert (await cadre.say(text)).startswith("Hỗ trợ tiền điện cho hộ nghèo")


async def test_a_flow_of_another_role_at_a_question_says_so_and_asks_again(
    cadre: Talker,
) -> None:
    second = await _check_until_second_question(cadre)

    reply = await cadre.say("tóm tắt")

    assert reply.startswith("Xin lỗi, việc “Tóm tắt địa bàn” không thuộc vai trò của anh/chị.")
    assert reply.endswith(second)


async def test_a_household_code_at_a_pending_policy_list_starts_its_check(cadre: Talker) -> None:
    await cadre.say("vay von")

    reply = await cadre.say("TL00002")

    assert reply.startswith("Hộ TL00002 – Trần Thị Bình")


async def test_a_household_code_refused_by_a_typed_question_stays_an_answer(
    cadre: Talker,
) -> None:
    await cadre.say("phân nhóm")

    reply = await cadre.say("TL00004")

    assert reply.startswith("Hộ TL00004 không thuộc danh sách hộ nghèo, cận nghèo")


async def test_a_request_after_a_long_pause_is_served_before_the_resume_offer(
    cadre: Talker, clock: Clock
) -> None:
    second = await _check_until_second_question(cadre)
    clock.advance(timedelta(hours=2))

    card = await cadre.say("bhyt")

    assert card.startswith("Bảo hiểm y tế (BHYT)")
    assert RESUME_CHECK in card
    assert await cadre.say("1") == second


async def test_a_keyword_typo_mid_check_that_would_finish_at_once_is_suggested_and_asked_again(
    talker: Callable[[str], Talker],
) -> None:
    manager = talker("manager")
    second = await _check_until_second_question(manager)

    reply = await manager.say("tom tta")

    assert reply.startswith("Có phải anh/chị muốn “Tóm tắt địa bàn”? Nếu đúng, xin gõ: tom tat")
    assert reply.endswith(second)


async def test_beyond_three_interrupted_checks_the_oldest_is_closed_with_a_note(
    cadre: Talker,
) -> None:
    await _check_until_second_question(cadre)
    for code in ("TL00002", "TL00003", "TL00004"):
        await cadre.script([f"kiem tra {code}", "2tr"])

    reply = await cadre.say("kiem tra TL00010")
    cancelled = await cadre.say("huy")

    assert reply.startswith("Việc “Kiểm tra hộ” làm dở từ trước đã được đóng lại")
    assert "Anh/chị đang làm dở: Kiểm tra hộ – hộ TL00004" in cancelled
