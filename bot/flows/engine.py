"""The conversation engine: one inbound message in, the replies out, state saved in between.

Each message is handled in one transaction: the sender is looked up (strangers get a polite
note), their conversation is loaded with a row lock, the message is read as a command
(cancel, back, help, menu), a reply to the resume offer, or an answer to the current step, and
the new state is written before the transaction commits. Nothing is kept in memory between
messages, so any number of workers can share one database and a restart loses nothing.

Rules every flow gets for free:

- a conversation idle for ``ttl`` (3 days) is closed with a note, never silently continued;
- coming back (``/start``, ``menu``, a flow's ``/keyword``, or after ``resume_after`` of
  silence) offers continue / restart / cancel;
- a reply that does not fit the step gets a short explanation and the same question again,
  and nothing is stored;
- ``TIEP`` sends the next page of a reply a channel kept for later (:mod:`bot.flows.more`);
- an answer read as :class:`~bot.flows.flow.Reopen` forgets the answers it names and asks the
  first step without an answer again (a save screen's “sửa 5”);
- messages longer than :data:`MAX_MESSAGE_LENGTH` are refused before anything else;
- with a :class:`FloodLimit`, an identity that sends more than its share of messages in a
  window gets one polite note and then silence until the window ends (counted in the
  database, so the limit holds across workers);
- a revoked user is refused at once; people without an account may only run public flows
  (onboarding by invite) and otherwise get a note on how to get an invite.

Nobody is trapped in a conversation. A message in the middle of one is read in this order:

1. a cancel word (``/huy``, ``hủy``, ``huỷ``, ``thôi``) ends the work in progress; ``menu``,
   ``/quaylai`` and ``/giup`` do what they always do; a whole compact code (``KT TL00001 …``)
   runs at once and the conversation stays as it was;
2. an answer that fits: at the resume prompt continue / restart / cancel, at a question a
   valid answer to that question; an answer always wins over a request;
3. otherwise a recognised request is served at once: a flow's keyword (``/keyword`` even
   before the answer: it is never one), text a flow claims (a policy name), or the code of a
   household of the user's area (at the resume prompt or a pick list; at a typed question a
   code is the answer it was refused as). The interrupted conversation is suspended with its
   answers and, when the request is done or cancelled, offered again with the resume prompt.
   The keyword of the flow in progress alone offers to resume it (at the resume prompt:
   continues it); a new request of the same flow replaces a conversation holding at most one
   answer (a fresh search, nothing to keep);
4. a keyword typed with a typo (``kiem tar``) starts its flow only when that flow then just
   asks a question; otherwise the reply asks “Có phải anh/chị muốn …?” and says what to type,
   so nothing is ever written on a guess;
5. anything else gets the reason it does not fit and the same question again.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.answers import CHOICE_SEVERAL, Choice, error_text
from bot.flows.commands import Command, command_of
from bot.flows.context import FlowContext
from bot.flows.flow import Flow, Reopen
from bot.flows.messages import IdentityRef, Inbound, Option, Outbound
from bot.flows.more import next_page
from bot.flows.routing import (
    BRIEF_CHANNELS,
    Match,
    allowed_flows,
    code_help,
    guest_codes,
    match_flow,
    match_keyword,
    menu,
    menu_pick,
    near_keyword,
)
from bot.i18n import DEFAULT_LANGUAGE, _, __, language
from poverty.errors import InvalidInputError, ParseError
from poverty.formatting import format_date
from storage.access import Access, access_for_identity
from storage.conversations import Conversation, delete_conversation, save_conversation
from storage.household_search import get_household
from storage.opening import open_message

MAX_MESSAGE_LENGTH = 500
DEFAULT_TTL = timedelta(days=3)
DEFAULT_RESUME_AFTER = timedelta(hours=1)

NO_ACCESS = __(
    "Xin lỗi, số này chưa được cấp quyền dùng Trợ lý Giảm nghèo. "
    "Xin liên hệ cán bộ phụ trách ở xã để được cấp mã mời."
)
HAVE_CODE = __("Nếu anh/chị đã có mã mời, xin gõ: dang ky <mã mời>.")
REVOKED = __(
    "Quyền dùng Trợ lý Giảm nghèo của anh/chị đã bị thu hồi. "
    "Nếu có nhầm lẫn, xin liên hệ cán bộ phụ trách ở xã."
)
FLOODED = __(
    "Anh/chị gửi nhiều tin nhắn quá nhanh. Xin chờ khoảng một phút rồi gửi tiếp; "
    "các tin nhắn gửi trong lúc này sẽ không được xử lý."
)
GUEST = Access(user_id=0, name="", grants=())
"""The access a person without an account talks with; they may run public flows only."""
TOO_LONG = __("Tin nhắn dài quá (tối đa {max} ký tự). Xin trả lời ngắn gọn.")
EMPTY = __("Chưa nhận được câu trả lời.")
CANCELLED = __("Đã hủy, các câu trả lời chưa được lưu. Gõ “menu” để xem các việc có thể làm.")
CANCELLED_ONE = __("Đã hủy việc “{title}”, các câu trả lời của việc này chưa được lưu.")
NOTHING_ACTIVE = __("Hiện không có việc nào đang làm dở.")
NOT_UNDERSTOOD = __("Xin lỗi, tôi chưa hiểu ý anh/chị.")
NOT_YOUR_ROLE = __("Xin lỗi, việc “{title}” không thuộc vai trò của anh/chị.")
FIRST_STEP = __("Đây đã là câu hỏi đầu tiên.")
STEP_COMMANDS = __("Gõ /quaylai để sửa câu trước, /huy để hủy.")
EXPIRED = __(
    "Việc “{title}” anh/chị làm dở từ ngày {date} đã quá {days} ngày không tiếp tục "
    "nên đã được đóng lại; các câu trả lời chưa được lưu."
)
CONTROL_AS_SPACE = {code: " " for code in (*range(32), 127) if chr(code) not in "\t\n\r"}
"""Control characters (NUL above all: PostgreSQL refuses it in text) read as spaces."""
STILL_WAITING = __("Việc “{title}” đang làm dở vẫn được giữ; gõ tiếp câu trả lời khi sẵn sàng.")
RESUME_OFFER = __("Anh/chị đang làm dở: {what}. Anh/chị muốn tiếp tục, làm lại từ đầu hay hủy?")
DID_YOU_MEAN = __("Có phải anh/chị muốn “{title}”? Nếu đúng, xin gõ: {keyword}")
DROPPED_OLDEST = __(
    "Việc “{title}” làm dở từ trước đã được đóng lại vì có nhiều việc làm dở quá; "
    "các câu trả lời của việc đó chưa được lưu."
)
MAX_SUSPENDED = 3
"""Interrupted conversations kept per person; beyond that the oldest is closed with a note."""
_CODE_LIKE = re.compile(r"^(?=.*\d)[0-9A-Za-z._-]{3,30}$")
RESUME = Choice(
    (
        Option("tiep_tuc", __("Tiếp tục")),
        Option("lam_lai", __("Làm lại từ đầu")),
        Option("huy", __("Hủy")),
    )
)


ReplyHook = Callable[[AsyncSession, list[Outbound]], Awaitable[list[Outbound]]]
"""Called with the session and the replies before the message's transaction commits."""
AdmitHook = Callable[[AsyncSession], Awaitable[bool]]
"""Called first in the message's transaction; False drops the message unanswered (what the
hook itself wrote, such as a counter, is still committed)."""


@dataclass(frozen=True)
class FloodLimit:
    """At most ``messages`` messages per identity in each window of ``per``."""

    messages: int = 30
    per: timedelta = timedelta(minutes=1)


@dataclass(frozen=True)
class _Turn:
    """What is known while one message is handled."""

    session: AsyncSession
    access: Access
    identity: IdentityRef
    now: datetime
    tz: ZoneInfo
    brief: bool = False

    def context(self, text: str = "") -> FlowContext:
        return FlowContext(
            self.session, self.access, self.identity, self.now, self.tz, text, self.brief
        )

    @property
    def is_guest(self) -> bool:
        return not self.access.grants

    def may_run(self, flow: Flow) -> bool:
        return flow.public or self.access.has_role(flow.roles)


class Engine:
    """Runs the given flows for every channel. ``clock`` returns the current aware datetime;
    ``tz`` is the people's time zone (``Settings.timezone``).
    ``brief_channels`` want short replies: there a message that is not understood gets one line
    with the compact codes instead of the menu, and flows see ``FlowContext.brief``."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        flows: Iterable[Flow],
        *,
        tz: ZoneInfo,
        ttl: timedelta = DEFAULT_TTL,
        resume_after: timedelta = DEFAULT_RESUME_AFTER,
        flood_limit: FloodLimit | None = None,
        brief_channels: Collection[str] = BRIEF_CHANNELS,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._flows = {flow.name: flow for flow in flows}
        self._all = tuple(self._flows.values())
        self._tz = tz
        self._ttl = ttl
        self._resume_after = resume_after
        self._flood_limit = flood_limit
        self._brief_channels = frozenset(brief_channels)
        self._sqlite_writer = asyncio.Lock() if _on_sqlite(sessions) else None

    @property
    def flows(self) -> tuple[Flow, ...]:
        return self._all

    async def handle(
        self,
        inbound: Inbound,
        *,
        admit: AdmitHook | None = None,
        before_commit: ReplyHook | None = None,
    ) -> list[Outbound]:
        """Answer one message; everything it changes is committed together. ``admit`` decides
        first, in the same transaction, whether the message is handled at all (SMS refuses a
        replayed signature or a number over its limit there, so a crash before the commit
        leaves the gateway's retry free to be handled). ``before_commit`` sees the replies
        inside the message's transaction (SMS queues them in the outbox there, so a reply is
        stored exactly when the message counts as processed) and returns the replies to hand
        back."""
        now = self._clock()
        with language(DEFAULT_LANGUAGE):
            async with self._transaction() as session:
                if admit is not None and not await admit(session):
                    return []
                replies = await self._reply(session, inbound, now)
                if before_commit is not None:
                    replies = await before_commit(session, replies)
                return replies

    async def _reply(
        self, session: AsyncSession, inbound: Inbound, now: datetime
    ) -> list[Outbound]:
        identity = inbound.identity
        limit = self._flood_limit
        opening = await open_message(
            session,
            identity.channel,
            identity.external_id,
            inbound.update_id,
            now,
            limit.per if limit is not None else None,
        )
        if not opening.is_new:
            return []
        if limit is not None and opening.count is not None and opening.count > limit.messages:
            # The first message over the limit gets the note, the rest of the window nothing.
            return [Outbound(_(FLOODED))] if opening.count == limit.messages + 1 else []
        if opening.sender.revoked:
            return [Outbound(_(REVOKED))]
        more = await next_page(
            session, identity, inbound.text, now, in_conversation=opening.conversation is not None
        )
        if more is not None:
            return more
        brief = identity.channel in self._brief_channels
        turn = _Turn(session, opening.sender.access or GUEST, identity, now, self._tz, brief)
        text = inbound.text.translate(CONTROL_AS_SPACE)
        return await self._dispatch(turn, text, opening.conversation)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        """One message's transaction. Each one writes from its first statement (the update
        record), and SQLite lets one writer in at a time: waiting for the database's own lock
        means polling it, which under load starves some messages until the busy timeout fails
        them. So on SQLite this process's messages queue here for their turn, in order."""
        if self._sqlite_writer is None:
            async with self._sessions() as session, session.begin():
                yield session
            return
        async with self._sessions() as session, self._sqlite_writer, session.begin():
            yield session  # the writer is free again once committed, before the session closes

    async def _dispatch(
        self, turn: _Turn, text: str, conversation: Conversation | None
    ) -> list[Outbound]:
        flow = self._flows.get(conversation.flow) if conversation else None
        if conversation is not None and flow is not None and not turn.may_run(flow):
            await self._drop(turn)
            conversation = flow = None
        notes: list[Outbound] = []
        if conversation is not None and (flow is None or turn.now >= conversation.expires_at):
            await self._drop(turn)
            if flow is not None:
                notes.append(self._expired_note(flow, conversation))
            conversation = None
        if len(text) > MAX_MESSAGE_LENGTH:
            notes.append(Outbound(_(TOO_LONG).format(max=MAX_MESSAGE_LENGTH)))
            if conversation is not None and flow is not None:
                notes.extend(
                    [self._resume_question(flow, conversation)]
                    if conversation.paused
                    else self._ask(flow, conversation)
                )
            return notes
        command = command_of(text)
        if conversation is None or flow is None:
            return notes + await self._outside(turn, text, command, quiet=bool(notes))
        passing = await self._code_in_passing(turn, flow, text)
        if passing is not None:
            return passing
        if command == "cancel":
            return await self._cancel(turn, flow, conversation)
        if conversation.paused:
            return await self._on_resume(turn, flow, conversation, text)
        if command == "menu" or turn.now - conversation.updated_at >= self._resume_after:
            # Back after a while: a request is served, anything else first offers to resume.
            found = match_flow(self._own_flows(turn), text) if command is None else None
            if found is not None and found.flow is not flow:
                return await self._switch(turn, flow, conversation, found)
            return await self._offer_resume(turn, flow, conversation)
        if command == "back":
            return await self._back(turn, flow, conversation)
        if command == "help":
            return await self._help(turn, flow, conversation)
        if text.strip().startswith("/"):
            found = await self._request(turn, text)
            if found is not None:
                return await self._switch(turn, flow, conversation, found)
        return await self._answer(turn, flow, conversation, text, switching=True)

    async def _code_in_passing(
        self, turn: _Turn, waiting: Flow, text: str
    ) -> list[Outbound] | None:
        """A whole compact code (``KT TL00001 …``) sent while another flow waits: on a feature
        phone the question is easily out of sight, so the code runs at once and the waiting
        flow stays as it was. None when ``text`` is not such a code. A code starts with its
        keyword, so the flows that claim free text (a policy question) are not asked."""
        found = match_keyword(self.flows, text)
        if found is None or found.flow.code is None or found.flow is waiting:
            return None
        if not found.rest.strip() or not turn.may_run(found.flow):
            return None
        answers = await found.flow.start(turn.context(found.rest))
        if found.flow.next_step(answers) is not None:
            return None
        try:
            async with turn.session.begin_nested():
                replies = list(await found.flow.finish(turn.context(), answers))
        except (ParseError, InvalidInputError) as error:
            replies = [Outbound(error_text(error))]
        return [*replies, Outbound(_(STILL_WAITING).format(title=_(waiting.title)))]

    async def _outside(
        self, turn: _Turn, text: str, command: Command | None, *, quiet: bool
    ) -> list[Outbound]:
        if turn.is_guest:
            return await self._outside_as_guest(turn, text, command)
        flows = allowed_flows(self.flows, turn.access)
        if command in ("cancel", "back"):
            return self._menu(turn, flows, _(NOTHING_ACTIVE))
        if command == "help":
            return self._menu(turn, flows)
        if command == "menu":
            return [menu(flows, turn.access)]
        picked = menu_pick(flows, text)
        if picked is not None:
            return await self._start(turn, picked, "")
        request = await self._request(turn, text)
        if request is not None:
            return await self._start(turn, request.flow, request.rest)
        found = match_flow(self.flows, text)
        if found is not None:
            if found.flow not in flows and not found.flow.public:
                title = _(found.flow.title)
                return self._menu(turn, flows, _(NOT_YOUR_ROLE).format(title=title))
            return await self._start(turn, found.flow, found.rest)
        guess = near_keyword(flows, text)
        if guess is not None:
            if await self._only_asks(turn, guess):
                return await self._start(turn, guess.flow, "")
            return [self._did_you_mean(guess)]
        return self._menu(turn, flows, None if quiet else _(NOT_UNDERSTOOD))

    async def _request(self, turn: _Turn, text: str) -> Match | None:
        """What ``text`` asks for among the flows of the user's roles: a keyword (the
        longest wins), text a flow claims, or the code of a household of the user's area.
        When flows share a keyword, the one meant for fewer roles is the more specific meaning
        (``báo cáo``: a manager's summary, a cadre's report submission, a mentor's report)."""
        found = match_flow(self._own_flows(turn), text)
        if found is not None:
            return found
        return await self._household_request(turn, text)

    def _own_flows(self, turn: _Turn) -> list[Flow]:
        """The user's flows, those meant for fewer roles first (see :meth:`_request`)."""
        return sorted(allowed_flows(self.flows, turn.access), key=lambda flow: len(flow.roles))

    async def _household_request(self, turn: _Turn, text: str) -> Match | None:
        """The first flow taking a household code, when ``text`` is the code of a household
        of the user's area."""
        word = text.strip().strip(".,;!?")
        takers = [flow for flow in self._own_flows(turn) if flow.by_household_code]
        if not takers or _CODE_LIKE.match(word) is None:
            return None
        household = await get_household(turn.session, turn.access, word)
        if household is None and word != word.upper():
            household = await get_household(turn.session, turn.access, word.upper())
        return Match(takers[0], household.code) if household is not None else None

    async def _only_asks(self, turn: _Turn, guess: Match) -> bool:
        """Whether the flow ``guess`` names, started on a guess, would only ask its first
        question: nothing more follows the keyword and the flow does not finish at once."""
        if guess.rest.strip():
            return False
        answers = await guess.flow.start(turn.context())
        return guess.flow.next_step(answers) is not None

    def _did_you_mean(self, guess: Match) -> Outbound:
        keyword = f"{guess.keyword} {guess.rest}".strip()
        return Outbound(_(DID_YOU_MEAN).format(title=_(guess.flow.title), keyword=keyword))

    async def _serve(
        self, turn: _Turn, flow: Flow, conversation: Conversation, text: str
    ) -> list[Outbound] | None:
        """``text`` did not fit the question or the resume prompt: serve it when it is a
        recognised request (or suggest the keyword it nearly spells); None when it is not."""
        request = match_flow(self._own_flows(turn), text, interrupting=True)
        if request is not None:
            return await self._switch(turn, flow, conversation, request)
        if conversation.paused or _is_pick_list(flow, conversation):
            # Elsewhere a household code refused by a typed question (a household that is not
            # poor, a new household's code that is taken) was meant as the answer.
            request = await self._household_request(turn, text)
            if request is not None:
                return await self._switch(turn, flow, conversation, request)
        guess = near_keyword(allowed_flows(self.flows, turn.access), text)
        if guess is not None and await self._only_asks(turn, guess):
            return await self._switch(turn, flow, conversation, guess)
        if guess is not None:
            note = self._did_you_mean(guess).text
        else:
            other = match_flow(self.flows, text, interrupting=True)
            if other is None or other.flow.public:
                return None
            note = _(NOT_YOUR_ROLE).format(title=_(other.flow.title))
        if conversation.paused:
            await self._save(turn, conversation, conversation.step)
            return [Outbound(note), self._resume_question(flow, conversation)]
        return await self._retry(turn, flow, conversation, note)

    async def _switch(
        self, turn: _Turn, flow: Flow, conversation: Conversation, request: Match
    ) -> list[Outbound]:
        """Serve ``request`` now; the conversation it interrupts is suspended (see the module
        docstring for when it is replaced or resumed instead)."""
        if request.flow is flow and not request.rest.strip():
            if conversation.paused:
                conversation.paused = False
                return await self._advance(turn, flow, conversation)
            return await self._offer_resume(turn, flow, conversation)
        suspended = list(conversation.suspended)
        if request.flow is not flow or len(conversation.history) > 1:
            suspended.append(_suspended(conversation))
        notes: list[Outbound] = []
        while len(suspended) > MAX_SUSPENDED:
            oldest = self._flows.get(str(suspended.pop(0).get("flow")))
            if oldest is not None:
                notes.append(Outbound(_(DROPPED_OLDEST).format(title=_(oldest.title))))
        return notes + await self._start(turn, request.flow, request.rest, suspended)

    async def _cancel(self, turn: _Turn, flow: Flow, conversation: Conversation) -> list[Outbound]:
        """Drop the work in progress; an interrupted one, if any, is offered again."""
        resumed = await self._close(turn, conversation)
        if not resumed:
            return [Outbound(_(CANCELLED))]
        return [Outbound(_(CANCELLED_ONE).format(title=_(flow.title))), *resumed]

    async def _close(self, turn: _Turn, conversation: Conversation) -> list[Outbound]:
        """End ``conversation``: the latest conversation it interrupted takes its place,
        paused, and is offered again; with none left, the state is deleted."""
        stack = list(conversation.suspended)
        notes: list[Outbound] = []
        while stack:
            resumed = self._resumed(turn, stack.pop(), stack)
            flow = self._flows.get(resumed.flow)
            if flow is None or not turn.may_run(flow):
                continue
            if turn.now - resumed.updated_at >= self._ttl:
                notes.append(self._expired_note(flow, resumed))
                continue
            resumed.updated_at = turn.now
            await self._save(turn, resumed, resumed.step)
            return [*notes, self._resume_question(flow, resumed)]
        await self._drop(turn)
        return notes

    def _resumed(
        self, turn: _Turn, saved: dict[str, Any], older: list[dict[str, Any]]
    ) -> Conversation:
        return Conversation(
            channel=turn.identity.channel,
            external_id=turn.identity.external_id,
            user_id=turn.access.user_id or None,
            flow=str(saved.get("flow")),
            started_at=datetime.fromisoformat(str(saved.get("started_at"))),
            updated_at=datetime.fromisoformat(str(saved.get("updated_at"))),
            expires_at=turn.now + self._ttl,
            step=saved.get("step"),
            answers=dict(saved.get("answers") or {}),
            history=list(saved.get("history") or ()),
            paused=True,
            suspended=list(older),
        )

    def _menu(self, turn: _Turn, flows: list[Flow], note: str | None = None) -> list[Outbound]:
        """An optional note and the menu; on brief channels one message, the note and the
        compact codes."""
        if turn.brief:
            return [code_help(flows, turn.access, note)]
        return [*([Outbound(note)] if note else []), menu(flows, turn.access)]

    async def _outside_as_guest(
        self, turn: _Turn, text: str, command: Command | None
    ) -> list[Outbound]:
        """Someone without an account: a public flow by its keyword, else how to get in."""
        public = [flow for flow in self.flows if flow.public]
        found = match_flow(public, text) if command is None else None
        if found is not None:
            return await self._start(turn, found.flow, found.rest)
        note = _(NO_ACCESS)
        codes = guest_codes(public) if turn.brief else None
        if codes or public:
            note = f"{note}\n{codes or _(HAVE_CODE)}"
        return [Outbound(note)]

    async def _start(
        self, turn: _Turn, flow: Flow, rest: str, suspended: Iterable[dict[str, Any]] = ()
    ) -> list[Outbound]:
        answers = await flow.start(turn.context(rest))
        conversation = Conversation(
            channel=turn.identity.channel,
            external_id=turn.identity.external_id,
            user_id=turn.access.user_id or None,
            flow=flow.name,
            started_at=turn.now,
            updated_at=turn.now,
            expires_at=turn.now + self._ttl,
            answers=answers,
            suspended=list(suspended),
        )
        if rest.strip() and flow.next_step(answers) is not None:
            return await self._answer(turn, flow, conversation, rest)
        return await self._advance(turn, flow, conversation)

    async def _answer(
        self,
        turn: _Turn,
        flow: Flow,
        conversation: Conversation,
        text: str,
        *,
        switching: bool = False,
    ) -> list[Outbound]:
        """Store ``text`` as the answer to the current step. ``switching``: the person typed it
        at the question, so a reply that does not fit may be a request to serve instead."""
        step = flow.next_step(conversation.answers)
        if step is None:
            return await self._advance(turn, flow, conversation)
        if not text.strip():
            return await self._retry(turn, flow, conversation, _(EMPTY))
        try:
            value = await step.answer.resolve(turn.context(text), text)
        except (ParseError, InvalidInputError) as error:
            # A reply matching several of the options was meant as an answer: no switch.
            meant = error.message == CHOICE_SEVERAL
            served = (
                None
                if meant or not switching
                else await self._serve(turn, flow, conversation, text)
            )
            if served is not None:
                return served
            return await self._retry(turn, flow, conversation, error_text(error))
        if isinstance(value, Reopen):
            forget = {*value.steps, step.name}
            for name in forget:
                conversation.answers.pop(name, None)
            conversation.history = [name for name in conversation.history if name not in forget]
            return await self._advance(turn, flow, conversation)
        conversation.answers[step.name] = value
        conversation.history.append(step.name)
        return await self._advance(turn, flow, conversation)

    async def _advance(self, turn: _Turn, flow: Flow, conversation: Conversation) -> list[Outbound]:
        """Ask the next step, or finish the flow when every step is answered."""
        step = flow.next_step(conversation.answers)
        if step is not None:
            await self._save(turn, conversation, step.name)
            return [step.question(conversation.answers)]
        try:
            async with turn.session.begin_nested():
                replies = list(await flow.finish(turn.context(), conversation.answers))
        except (ParseError, InvalidInputError) as error:
            if conversation.history:
                conversation.answers.pop(conversation.history.pop(), None)
            return await self._retry(turn, flow, conversation, error_text(error))
        if flow.public:
            replies.extend(await self._menu_after_joining(turn))
        return [*replies, *await self._close(turn, conversation)]

    async def _menu_after_joining(self, turn: _Turn) -> list[Outbound]:
        """After a public flow (onboarding), the menu of whatever access the person has now."""
        identity = turn.identity
        access = await access_for_identity(turn.session, identity.channel, identity.external_id)
        if access is None or not access.grants:
            return []
        flows = allowed_flows(self.flows, access)
        return [code_help(flows, access) if turn.brief else menu(flows, access)]

    async def _retry(
        self, turn: _Turn, flow: Flow, conversation: Conversation, reason: str
    ) -> list[Outbound]:
        """The reason a reply was refused, then the same question; the state is unchanged
        except that the conversation counts as active."""
        step = flow.next_step(conversation.answers)
        await self._save(turn, conversation, step.name if step else None)
        return [Outbound(reason), *self._ask(flow, conversation)]

    async def _back(self, turn: _Turn, flow: Flow, conversation: Conversation) -> list[Outbound]:
        if not conversation.history:
            return await self._retry(turn, flow, conversation, _(FIRST_STEP))
        conversation.answers.pop(conversation.history.pop(), None)
        return await self._advance(turn, flow, conversation)

    async def _help(self, turn: _Turn, flow: Flow, conversation: Conversation) -> list[Outbound]:
        step = flow.next_step(conversation.answers)
        hint = step.hint() if step is not None else ""
        return await self._retry(turn, flow, conversation, f"{hint}\n{_(STEP_COMMANDS)}".strip())

    async def _offer_resume(
        self, turn: _Turn, flow: Flow, conversation: Conversation
    ) -> list[Outbound]:
        conversation.paused = True
        await self._save(turn, conversation, conversation.step)
        return [self._resume_question(flow, conversation)]

    def _resume_question(self, flow: Flow, conversation: Conversation) -> Outbound:
        what = _(flow.title)
        if flow.describe is not None:
            what = f"{what} – {flow.describe(conversation.answers)}"
        return Outbound(_(RESUME_OFFER).format(what=what), RESUME.options())

    async def _on_resume(
        self,
        turn: _Turn,
        flow: Flow,
        conversation: Conversation,
        text: str,
    ) -> list[Outbound]:
        try:
            choice = RESUME.parse(text)
        except ParseError as error:
            served = await self._serve(turn, flow, conversation, text)
            if served is not None:
                return served
            await self._save(turn, conversation, conversation.step)
            return [Outbound(error_text(error)), self._resume_question(flow, conversation)]
        if choice == "huy":
            return await self._cancel(turn, flow, conversation)
        if choice == "lam_lai":
            return await self._start(turn, flow, "", conversation.suspended)
        conversation.paused = False
        return await self._advance(turn, flow, conversation)

    def _ask(self, flow: Flow, conversation: Conversation) -> list[Outbound]:
        step = flow.next_step(conversation.answers)
        return [step.question(conversation.answers)] if step is not None else []

    def _expired_note(self, flow: Flow, conversation: Conversation) -> Outbound:
        started = conversation.updated_at.astimezone(self._tz).date()
        return Outbound(
            _(EXPIRED).format(title=_(flow.title), date=format_date(started), days=self._ttl.days)
        )

    async def _save(self, turn: _Turn, conversation: Conversation, step: str | None) -> None:
        conversation.step = step
        conversation.updated_at = turn.now
        conversation.expires_at = turn.now + self._ttl
        await save_conversation(turn.session, conversation)

    async def _drop(self, turn: _Turn) -> None:
        await delete_conversation(turn.session, turn.identity.channel, turn.identity.external_id)


def _is_pick_list(flow: Flow, conversation: Conversation) -> bool:
    step = flow.next_step(conversation.answers)
    return step is not None and isinstance(step.answer, Choice)


def _suspended(conversation: Conversation) -> dict[str, Any]:
    """The conversation as JSON, to be resumed later (see :meth:`Engine._close`)."""
    return {
        "flow": conversation.flow,
        "step": conversation.step,
        "answers": conversation.answers,
        "history": conversation.history,
        "started_at": conversation.started_at.isoformat(),
        "updated_at": conversation.updated_at.isoformat(),
    }


def _on_sqlite(sessions: async_sessionmaker[AsyncSession]) -> bool:
    bind = sessions.kw.get("bind")
    return bind is not None and bind.dialect.name == "sqlite"
