"""Hostile input at every step of every registered flow, driven through ``Engine.handle`` as a
user with the flow's role: no exception escapes, every reply is non-empty Vietnamese text, and
input the step refuses leaves the stored state exactly as it was (the conversation's flow,
step, answers and history, and the row count of every other table: no assessment, follow-up
or audit row is written).

Fast path: one database per flow, each step reached once by a fixed walk of valid answers and
restored from its saved state after any input that moved the conversation on, one engine, and
one statement after each input to read the conversation and every row count.
``GIAMNGHEO_HOSTILE_EXAMPLES`` sets the examples per flow (default 60; ``make faults`` runs
10.000 on SQLite).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, bindparam, delete, func, insert, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.answers import Choice, Date, Integer, Money, Number, Phone, Text
from bot.flows.check_questions import OrUnknown
from bot.flows.commands import command_of
from bot.flows.context import FlowContext
from bot.flows.engine import CONTROL_AS_SPACE, GUEST, MAX_MESSAGE_LENGTH, Engine
from bot.flows.flow import Flow, Step
from bot.flows.household_check import FindHousehold, NewCode, Plausible
from bot.flows.messages import IdentityRef, Inbound
from bot.flows.onboarding import InviteCode
from bot.flows.policy_lookup import PolicyQuery
from bot.flows.review import RequestDay
from bot.flows.routing import allowed_flows, match_flow, near_keyword
from bot.flows.support_answers import (
    OptionalText,
    PolicyAnswer,
    SupportAmount,
    SupportDay,
    YearOrNone,
)
from poverty.errors import InvalidInputError, ParseError
from storage.access import access_for_identity
from storage.audit import Actor
from storage.conversations import Conversation, load_conversation
from storage.db import create_engine, is_sqlite, session_factory, upgrade
from storage.demo import create_demo_data
from storage.invites import create_invite
from storage.models import Base, ConversationState, Household, MentorAssignment, OfficialRecord
from storage.reviews import open_review
from storage.units import find_unit
from tests.conftest import PEOPLE_TZ
from tests.faults.hostile import HOSTILE_TEXT, is_vietnamese
from tests.support.records import add_records

pytestmark = pytest.mark.db
EXAMPLES = int(os.environ.get("GIAMNGHEO_HOSTILE_EXAMPLES", "60"))
BATCH = max(1, min(20, EXAMPLES // 500))
"""Inputs per generated example. Hypothesis's own work per example costs about a third of an
answer, so a long run gives each example a batch; short runs keep one input per example, which
shrinks to the smallest failing input."""
PHASES = tuple(Phase) if BATCH == 1 else (Phase.generate,)
"""A batch is not shrunk: shrinking a list of inputs that each go through the engine runs for
minutes, and the failure already names its flow, step and input."""
NOW = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)
"""09:00 on 11/12/2026 in Vietnam: a report period is open, so report submission has steps."""
DEMO_HOUSEHOLDS = 120
MAX_WALK = 80
FLOWS = {flow.name: flow for flow in registered_flows()}
WHO = {
    "household_check": "cadre",
    "policy_lookup": "cadre",
    "summary": "manager",
    "progress": "manager",
    "followup_report": "mentor",
    "my_households": "mentor",
    "report_submission": "cadre",
    "late_reports": "manager",
    "mentor_assignment": "manager",
    "onboarding": "khach",
    "household_code": "cadre",
    "review_request": "cadre",
    "household_history": "cadre",
    "review_open": "manager",
    "review_meeting": "cadre",
    "review_complaint": "manager",
    "review_approve": "manager",
    "announcement": "manager",
    "policy_code": "cadre",
    "followup_code": "mentor",
    "report_code": "cadre",
    "invite_code": "khach",
    "support_plan": "cadre",
    "support_ledger": "cadre",
    "support_sms": "cadre",
    "escape_check": "mentor",
    "support_summary": "manager",
    "mentor_kind": "manager",
}
"""The demo user each flow is driven as (``khach`` has no account: onboarding is public)."""
UNDER_REVIEW = ("review_meeting", "review_complaint", "review_approve")
"""Flows that need the demo commune's review open."""
START = {
    "summary": "/tomtat Nơi Khác",
    "progress": "tien do Nơi Khác",
    "support_summary": "/kehoach Nơi Khác",
    "onboarding": "dang ky",
    "invite_code": "dk {invite}",
}
"""Start texts that stop at a step the plain keyword would skip (the unit to look at), and
onboarding by its words (``/start`` alone is the menu command), the one-message invite code
without the name (so the name is asked)."""
VALID_BY_STEP = {"ma_ho": "TL00001"}
"""Valid answers a step's answer type does not tell (a household code typed as text)."""
COUNTED = [t for t in Base.metadata.sorted_tables if t.name != ConversationState.__tablename__]
STATES = cast(Table, ConversationState.__table__)
IDENTITY = (STATES.c.channel == bindparam("channel")) & (
    STATES.c.external_id == bindparam("external_id")
)
FIELDS = ("flow", "step", "answers", "history", "paused")
OBSERVE = select(
    *[select(func.count()).select_from(t).scalar_subquery() for t in COUNTED],
    STATES.c.id,
    *[STATES.c[name] for name in FIELDS],
).select_from(select(literal(1).label("one")).subquery().outerjoin(STATES, IDENTITY))
"""The row count of every other table and the conversation, in one statement: it runs after
every input, so it must cost no more than one round trip."""
RESTORE = insert(STATES)
State = tuple[str, str | None, dict[str, Any], list[str], bool] | None


def fields(conversation: Conversation | None) -> State:
    if conversation is None:
        return None
    c = conversation
    return (c.flow, c.step, c.answers, c.history, c.paused)


@dataclass
class World:
    """One flow's database, engine and walked steps."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    flow: Flow
    identity: IdentityRef
    invite: str
    poor: str
    """A poor household's code (support plans are only for poor and near-poor households)."""
    bot: Engine = field(init=False)
    key: dict[str, str] = field(init=False)
    states: list[Conversation | None] = field(default_factory=list)
    current: int | None = None
    counts: tuple[int, ...] = ()
    examples: int = 0
    refused: int = 0

    def __post_init__(self) -> None:
        self.bot = Engine(self.sessions, lambda: NOW, registered_flows(), tz=PEOPLE_TZ)
        self.key = {"channel": self.identity.channel, "external_id": self.identity.external_id}

    async def say(self, message: str) -> list[Any]:
        return await self.bot.handle(Inbound(self.identity, message))

    async def conversation(self) -> Conversation | None:
        async with self.sessions() as session:
            return await load_conversation(
                session, self.identity.channel, self.identity.external_id
            )

    async def walk(self) -> None:
        """Answer every step with a valid answer, keeping the state before each one."""
        self.states = [None]
        await self.say(START.get(self.flow.name, self.flow.keywords[0]).format(invite=self.invite))
        for _ in range(MAX_WALK):
            conversation = await self.conversation()
            if conversation is None or conversation.flow != self.flow.name:
                return
            self.states.append(deepcopy(conversation))
            step = self.flow.next_step(conversation.answers)
            assert step is not None
            await self.say(self.valid_answer(step))
            if fields(await self.conversation()) == fields(conversation):
                pytest.fail(f"{self.flow.name}: the walk is stuck at step {step.name}")
        pytest.fail(f"{self.flow.name}: no end after {MAX_WALK} answers")

    def valid_answer(self, step: Step) -> str:
        if step.name in VALID_BY_STEP:
            return VALID_BY_STEP[step.name]
        answer = step.answer
        if isinstance(answer, Plausible):
            answer = answer.inner
        if isinstance(answer, OrUnknown):
            answer = answer.inner
        if step.name == "ho" and not isinstance(answer, Choice):
            return self.poor
        if isinstance(answer, FindHousehold):
            return "TL00001"
        if isinstance(answer, NewCode):
            return "tu dong"
        if isinstance(answer, InviteCode):
            return self.invite
        if isinstance(answer, PolicyQuery):
            return "bảo hiểm y tế"
        if isinstance(answer, PolicyAnswer):
            return "bhyt"
        if isinstance(answer, YearOrNone | OptionalText):
            return "không"
        if isinstance(answer, SupportDay | RequestDay):
            return "hôm nay"
        if isinstance(answer, SupportAmount):
            return "5tr"
        if isinstance(answer, Integer | Number):
            return str(int(min(max(1, answer.min), answer.max)))
        if isinstance(answer, Money):
            return "1200000"
        if isinstance(answer, Phone):
            return "0912345678"
        if isinstance(answer, Date):
            return "20/12/2026"
        if isinstance(answer, Text):
            return "Nguyễn Thị Lan"
        return "1"

    async def restore(self, index: int) -> None:
        state = self.states[index]
        async with self.engine.begin() as connection:
            await connection.execute(delete(STATES).where(IDENTITY), self.key)
            if state is not None:
                await connection.execute(RESTORE, asdict(state))
        restored, self.counts = await self.observe()
        assert restored == fields(state), f"{self.flow.name}: step {index} was not restored"
        self.current = index

    async def observe(self) -> tuple[State, tuple[int, ...]]:
        """The conversation and the row counts, read in one statement."""
        async with self.engine.connect() as connection:
            row = (await connection.execute(OBSERVE, self.key)).one()
        counts, (found, *values) = tuple(row[: len(COUNTED)]), row[len(COUNTED) :]
        if found is None:
            return None, counts
        flow, step, answers, history, paused = values
        return (flow, step, dict(answers), list(history), paused), counts

    async def check_all(self, batch: list[tuple[int, str]]) -> None:
        for index, message in batch:
            await self.check(index, message)

    async def check(self, index: int, message: str) -> None:
        if self.current != index:
            await self.restore(index)
        before = self.states[index]
        self.current = None  # until the input is seen to have changed nothing
        replies = await self.say(message)
        self.examples += 1
        where = f"{self.flow.name}, step {before.step if before else '(none)'}"
        assert replies, f"{where}: no reply to {message!r}"
        for reply in replies:
            assert reply.text.strip(), f"{where}: an empty reply to {message!r}"
            assert is_vietnamese(reply.text), (
                f"{where}: not Vietnamese: {reply.text!r} to {message!r}"
            )
        after, counts = await self.observe()
        if after == fields(before) and counts == self.counts:
            self.refused += 1
            self.current = index
            return
        if before is not None and not await self.may_change(before, message):
            changed = [
                t.name for t, a, b in zip(COUNTED, self.counts, counts, strict=True) if a != b
            ]
            pytest.fail(
                f"{where}: refused input {message!r} changed the stored state: "
                f"{fields(before)} -> {after}; rows of {changed}"
            )

    async def may_change(self, before: Conversation, message: str) -> bool:
        """Whether ``message`` may move a conversation on: a command that does, another flow's
        /keyword, an answer the step accepts, or a request the engine serves instead of an
        answer that does not fit (a keyword, nearly a keyword, text a flow claims, a word that
        may be a household code). The message is read as the engine reads it (control
        characters as spaces)."""
        message = message.translate(CONTROL_AS_SPACE)
        if len(message) > MAX_MESSAGE_LENGTH or not message.strip():
            return False
        command = command_of(message)
        if command is not None:
            return command != "help"
        if message.strip().startswith("/") and match_flow(self.bot.flows, message) is not None:
            return True
        step = self.flow.next_step(before.answers)
        if step is None:
            return True
        async with self.sessions() as session:
            channel, external_id = self.identity.channel, self.identity.external_id
            access = await access_for_identity(session, channel, external_id) or GUEST
            context = FlowContext(session, access, self.identity, NOW, PEOPLE_TZ, message)
            try:
                await step.answer.resolve(context, message)
            except (ParseError, InvalidInputError):
                return _may_be_a_request(allowed_flows(self.bot.flows, access), message)
            finally:
                await session.rollback()
        return True


def _may_be_a_request(flows: list[Flow], message: str) -> bool:
    words = message.split()
    may_be_code = len(words) == 1 and any(ch.isdigit() for ch in words[0])
    return may_be_code or any(
        found is not None for found in (match_flow(flows, message), near_keyword(flows, message))
    )


async def build_world(url: str, schema: str | None, flow: Flow) -> World:
    if schema is not None:
        admin = create_engine(url)
        async with admin.begin() as connection:
            await connection.execute(text(f"CREATE SCHEMA {schema}"))
        await admin.dispose()
    engine = create_engine(url, search_path=schema)
    await upgrade(engine)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await create_demo_data(session, NOW, NOW.year, households=DEMO_HOUSEHOLDS, tz=PEOPLE_TZ)
        commune = await find_unit(session, "Quảng Trị / Tân Lập")
        invite = await create_invite(session, "cadre", commune, Actor("cli:test"), NOW)
        poor = await session.scalar(
            select(Household.code)
            .where(Household.official_status == "ngheo")
            .order_by(Household.code)
            .limit(1)
        )
    if flow.name == "escape_check":
        await escaped_last_year(sessions)
    if flow.name in UNDER_REVIEW:
        await open_demo_review(sessions)
    assert poor is not None
    identity = IdentityRef("console", WHO[flow.name])
    world = World(engine, sessions, flow, identity, invite.code, poor)
    try:
        await world.walk()
    except BaseException:
        await drop_world(world, url, schema)
        raise
    return world


async def open_demo_review(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The demo commune's review of this year, open."""
    async with sessions() as session, session.begin():
        commune = await find_unit(session, "Quảng Trị / Tân Lập")
        await open_review(session, commune, NOW.year, Actor("cli:test"), NOW)


async def escaped_last_year(sessions: async_sessionmaker[AsyncSession]) -> None:
    """One household of the demo mentor escaped poverty in the previous year (poor the year
    before, above the line since), so its quarterly check is due now."""
    async with sessions() as session, session.begin():
        household = await session.scalar(
            select(Household)
            .join(MentorAssignment, MentorAssignment.household_id == Household.id)
            .where(MentorAssignment.valid_to.is_(None))
            .order_by(Household.code)
            .limit(1)
        )
        assert household is not None
        # The demo has records of this year and last year: both above the list now.
        await session.execute(
            update(OfficialRecord)
            .where(
                OfficialRecord.household_id == household.id,
                OfficialRecord.year.in_((NOW.year - 1, NOW.year)),
            )
            .values(status="khong", poor_group=None)
        )
        household.official_status = "khong"
    await add_records(sessions, household.id, {NOW.year - 2: "ngheo"}, NOW)


async def drop_world(world: World, url: str, schema: str | None) -> None:
    await world.engine.dispose()
    if schema is not None:
        admin = create_engine(url)
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


@pytest.fixture
def runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as loop:
        yield loop


def test_every_registered_flow_is_covered() -> None:
    assert set(WHO) == set(FLOWS)


@pytest.mark.parametrize("name", list(FLOWS))
def test_hostile_input_at_every_step_never_crashes_and_refused_input_changes_nothing(
    name: str, runner: asyncio.Runner, database_url: str, tmp_path: Path
) -> None:
    if is_sqlite(database_url):
        url, schema = f"sqlite+aiosqlite:///{tmp_path / 'hostile.db'}", None
    else:
        url, schema = database_url, f"gn_hostile_{uuid.uuid4().hex[:10]}"
    world = runner.run(build_world(url, schema, FLOWS[name]))
    try:
        steps = len(world.states)
        assert steps >= 2 or not FLOWS[name].steps, f"{name}: no step was reached"

        @settings(
            max_examples=-(-EXAMPLES // BATCH),
            deadline=None,
            database=None,
            phases=PHASES,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            batch=st.lists(
                st.tuples(st.integers(0, steps - 1), HOSTILE_TEXT),
                min_size=BATCH,
                max_size=BATCH,
            )
        )
        def hostile(batch: list[tuple[int, str]]) -> None:
            runner.run(world.check_all(batch))

        started = time.perf_counter()
        hostile()
        seconds = time.perf_counter() - started
        print(
            f"\n{name}: {world.examples} inputs over {steps} states in {seconds:.1f} s "
            f"({world.examples / seconds:.0f}/s), {world.refused} refused without a change"
        )
        assert world.examples >= EXAMPLES
    finally:
        runner.run(drop_world(world, url, schema))
