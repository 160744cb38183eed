"""Property: at every step of the household check, arbitrary text never crashes the engine and
never changes the answers of earlier steps (but the one the save screen reopens by its number,
which is asked again at once); it is stored only when it is valid for the step."""

from __future__ import annotations

from copy import deepcopy

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.answers import AnswerType
from bot.flows.commands import command_of
from bot.flows.engine import CONTROL_AS_SPACE, MAX_MESSAGE_LENGTH, Engine
from bot.flows.household_check import HOUSEHOLD_CHECK
from bot.flows.messages import IdentityRef, Inbound
from poverty.errors import InvalidInputError, ParseError
from storage.conversations import Conversation, load_conversation, save_conversation
from tests.bot.conftest import Area, Talker
from tests.bot.test_household_check import ANSWERS_AFTER_HOUSEHOLD

PATHS = {
    "existing": ["TL00001", *ANSWERS_AFTER_HOUSEHOLD],
    "new": [
        "Nguyen Van An",
        "2",
        "/quaylai",
        "/quaylai",
        "moi",
        "tu dong",
        "Hoàng Thị Mai",
        "2",
        "3",
        "1",
        "tong",
        "3600000",
    ],
}
DEPTHS = [(name, depth) for name, path in PATHS.items() for depth in range(len(path) + 1)]
ME = IdentityRef("console", "cadre")
SAMPLES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "300",
            "co",
            "khong",
            "1",
            "2",
            "/huy",
            "/quaylai",
            "/giup",
            "menu",
            "/kiemtra",
            "tong",
            "1tr2",
            "x" * (MAX_MESSAGE_LENGTH + 1),
        ]
    ),
)
_snapshots: dict[tuple[str, int], Conversation] = {}


async def _reach(
    bot: Engine, sessions: async_sessionmaker[AsyncSession], path: str, depth: int
) -> Conversation:
    """The conversation after ``depth`` messages of a path; driven once, then restored."""
    key = (path, depth)
    async with sessions() as session, session.begin():
        if key in _snapshots:
            await save_conversation(session, deepcopy(_snapshots[key]))
            return deepcopy(_snapshots[key])
    await Talker(bot, "cadre").script(["/huy", "kiem tra", *PATHS[path][:depth]])
    async with sessions() as session:
        state = await load_conversation(session, ME.channel, ME.external_id)
    assert state is not None
    _snapshots[key] = deepcopy(state)
    return state


@pytest.mark.parametrize(("path", "depth"), DEPTHS)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=SAMPLES)
@example(text="3")  # at the save screen: reopens the income
@example(text="sửa 5")
async def test_arbitrary_text_never_crashes_nor_rewrites_earlier_answers(
    path: str,
    depth: int,
    text: str,
    bot: Engine,
    sessions: async_sessionmaker[AsyncSession],
    area: Area,
) -> None:
    before = await _reach(bot, sessions, path, depth)
    step = HOUSEHOLD_CHECK.next_step(before.answers)
    assert step is not None

    replies = await bot.handle(Inbound(ME, text))

    assert replies
    assert all(reply.text for reply in replies)
    async with sessions() as session:
        after = await load_conversation(session, ME.channel, ME.external_id)
    command = command_of(text)
    if command == "cancel":
        assert after is None
        return
    if after is None:
        assert step.name == "xac_nhan"
        return
    reopened = set(before.answers) - set(after.answers) if step.name == "xac_nhan" else set()
    if command != "back" and reopened:
        # The save screen's “3” / “sửa 3” reopens that answer: it alone is forgotten and asked
        # again at once; every other answer stays as it was.
        asked = HOUSEHOLD_CHECK.next_step(after.answers)
        assert asked is not None
        assert asked.name in reopened
        assert {name: after.answers[name] for name in after.answers} == {
            name: before.answers[name] for name in after.answers
        }
        return
    kept = before.history[:-1] if command == "back" else before.history
    assert {name: after.answers[name] for name in kept} == {
        name: before.answers[name] for name in kept
    }
    assert after.history[: len(kept)] == kept
    assert set(after.answers) <= set(before.answers) | {step.name}
    if step.name in after.answers and type(step.answer).resolve is AnswerType.resolve:
        try:
            expected = step.answer.parse(text.translate(CONTROL_AS_SPACE))  # as the engine reads
        except (ParseError, InvalidInputError):
            pytest.fail(f"{text!r} was stored at {step.name} although it does not parse")
        assert after.answers[step.name] == expected
