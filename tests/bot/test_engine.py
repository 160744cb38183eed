"""Engine behaviour every flow gets: commands, skip logic, menus, redelivery, access."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.answers import Choice, Date, Phone, Text
from bot.flows.context import FlowContext
from bot.flows.engine import Engine
from bot.flows.flow import Answers, Flow, Step
from bot.flows.household_check import HOUSEHOLD_CHECK
from bot.flows.messages import IdentityRef, Inbound, Option, Outbound
from storage.conversations import load_conversation
from tests.bot.conftest import Clock, Talker


async def _echo(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    shown = ", ".join(f"{k}={answers[k]}" for k in sorted(answers))
    return [Outbound(f"Xong: {shown}")]


TOY = Flow(
    name="toy",
    title="Đăng ký thử",
    steps=(
        Step("ten", ask="Tên?", answer=Text(max_length=20)),
        Step("sdt", ask="Số điện thoại?", answer=Phone()),
        Step("ngay", ask="Ngày hẹn?", answer=Date()),
        Step(
            "mau",
            ask="Màu?",
            answer=Choice((Option("do", "Đỏ"), Option("xanh_la", "Xanh lá"))),
            when=lambda a: a.get("ten") != "Bỏ",
        ),
    ),
    finish=_echo,
    keywords=("dang ky thu", "/thu"),
    roles=frozenset({"mentor", "cadre"}),
)
QUESTION = Flow(
    name="question",
    title="Hỏi đáp",
    steps=(Step("cau_hoi", ask="Anh/chị hỏi gì?", answer=Text(max_length=200)),),
    finish=_echo,
    keywords=("/hoi",),
    matches=lambda folded: "chinh sach" in folded,
)


@pytest.fixture
def flows() -> list[Flow]:
    return [HOUSEHOLD_CHECK, TOY, QUESTION]


async def test_toy_flow_reads_every_answer_type_and_finishes(cadre: Talker) -> None:
    replies = await cadre.script(["/thu", "Ana", "0912.345.678", "20/12", "xanh la"])

    assert replies[:4] == ["Tên?", "Số điện thoại?", "Ngày hẹn?", "Màu?\n  1. Đỏ\n  2. Xanh lá"]
    assert replies[4] == "Xong: mau=xanh_la, ngay=2026-12-20, sdt=+84912345678, ten=Ana"


async def test_when_skips_a_step(cadre: Talker) -> None:
    replies = await cadre.script(["/thu", "Bỏ", "0912345678", "01/01/2027"])

    assert replies[-1] == "Xong: ngay=2027-01-01, sdt=+84912345678, ten=Bỏ"


async def test_words_after_a_keyword_answer_the_first_step(cadre: Talker) -> None:
    assert await cadre.say("đăng ký thử Bình") == "Số điện thoại?"


async def test_free_text_claimed_by_a_flow_starts_it_with_that_text(cadre: Talker) -> None:
    reply = await cadre.say("Chính sách vay vốn cho hộ nghèo?")

    assert reply == "Xong: cau_hoi=Chính sách vay vốn cho hộ nghèo?"


async def test_start_shows_the_menu_of_the_users_role_and_a_number_picks_it(
    talker: Callable[[str], Talker],
) -> None:
    mentor = talker("mentor")

    replies = await mentor.script(["/start", "1"])

    assert replies[0].endswith("  1. Đăng ký thử\n  2. Hỏi đáp")
    assert "Kiểm tra hộ" not in replies[0]
    assert replies[1] == "Tên?"


@pytest.mark.parametrize("word", ["/huy", "huy", "hủy", "/cancel", "HỦY"])
async def test_cancel_words_work_at_any_step(cadre: Talker, word: str) -> None:
    await cadre.script(["/thu", "Ana"])

    assert (await cadre.say(word)).startswith("Đã hủy")


@pytest.mark.parametrize("word", ["/quaylai", "quay lai", "quay lại", "/back"])
async def test_back_words_work_at_any_step(cadre: Talker, word: str) -> None:
    await cadre.script(["/thu", "Ana"])

    assert await cadre.say(word) == "Tên?"


@pytest.mark.parametrize("word", ["/giup", "giup", "giúp", "/help"])
async def test_help_words_explain_the_current_step(cadre: Talker, word: str) -> None:
    await cadre.script(["/thu", "Ana"])

    reply = await cadre.say(word)

    assert reply.startswith("Nhập số điện thoại di động, ví dụ: 0912 345 678.")
    assert reply.endswith("Số điện thoại?")


async def test_cancel_outside_a_flow_says_nothing_is_in_progress(cadre: Talker) -> None:
    assert (await cadre.say("/huy")).startswith("Hiện không có việc nào đang làm dở.")


async def test_a_redelivered_update_is_answered_once(bot: Engine) -> None:
    message = Inbound(IdentityRef("console", "cadre"), "/thu", update_id="42")

    first = await bot.handle(message)
    second = await bot.handle(message)

    assert [r.text for r in first] == ["Tên?"]
    assert second == []


async def test_another_flow_keyword_with_a_slash_is_served_and_the_interrupted_flow_offered_after(
    cadre: Talker,
) -> None:
    await cadre.script(["/thu", "Ana"])

    replies = await cadre.script(["/kiemtra", "huy", "1"])

    assert replies[0].startswith("Anh/chị muốn kiểm tra hộ nào?")
    assert replies[1].startswith("Đã hủy việc “Kiểm tra hộ”")
    assert "Anh/chị đang làm dở: Đăng ký thử." in replies[1]
    assert replies[2] == "Số điện thoại?"


async def test_the_keyword_of_the_flow_in_progress_offers_to_resume_it(cadre: Talker) -> None:
    await cadre.script(["/thu", "Ana"])

    assert (await cadre.say("/thu")).startswith("Anh/chị đang làm dở: Đăng ký thử.")


async def test_resume_offer_repeats_on_an_unclear_reply(cadre: Talker) -> None:
    await cadre.script(["/thu", "Ana", "menu"])

    reply = await cadre.say("có lẽ")

    assert reply.startswith("Xin chọn một số từ 1 đến 3 trong danh sách.")
    assert "Anh/chị đang làm dở: Đăng ký thử." in reply


async def test_invalid_answer_keeps_the_conversation_alive(
    cadre: Talker, clock: Clock, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await cadre.script(["/thu", "Ana"])
    clock.advance(timedelta(minutes=30))
    await cadre.say("abc")
    async with sessions() as session:
        state = await load_conversation(session, "console", "cadre")

    assert state is not None
    assert state.updated_at == clock.now
    assert state.expires_at == clock.now + timedelta(days=3)
    assert state.answers == {"ten": "Ana"}
