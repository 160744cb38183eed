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
- an answer read as :class:`~bot.flows.flow.Reopen` forgets the answers it names and asks the
  first step without an answer again (a save screen's “sửa 5”);
- messages longer than :data:`MAX_MESSAGE_LENGTH` are refused before anything else;
- with a :class:`FloodLimit`, an identity that sends more than its share of messages in a
  window gets one polite note and then silence until the window ends (counted in the
  database, so the limit holds across workers);
- a revoked user is refused at once; people without an account may only run public flows
  (onboarding by invite) and otherwise get a note on how to get an invite.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.answers import Choice, error_text
from bot.flows.commands import Command, command_of
from bot.flows.context import FlowContext
from bot.flows.flow import Flow, Reopen
from bot.flows.messages import IdentityRef, Inbound, Option, Outbound
from bot.flows.routing import (
    BRIEF_CHANNELS,
    allowed_flows,
    code_help,
    guest_codes,
    match_flow,
    match_keyword,
    menu,
    menu_pick,
)
from bot.i18n import DEFAULT_LANGUAGE, _, __, language
from poverty.errors import InvalidInputError, ParseError
from poverty.formatting import format_date
from storage.access import Access, access_for_identity
from storage.conversations import Conversation, delete_conversation, save_conversation
from storage.opening import open_message

MAX_MESSAGE_LENGTH = 500
DEFAULT_TTL = timedelta(days=3)
DEFAULT_RESUME_AFTER = timedelta(hours=1)
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

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
    """Runs the given flows for every channel. ``clock`` returns the current aware datetime.
    ``brief_channels`` want short replies: there a message that is not understood gets one line
    with the compact codes instead of the menu, and flows see ``FlowContext.brief``."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        flows: Iterable[Flow],
        *,
        tz: ZoneInfo = TIMEZONE,
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
        if conversation.paused:
            return await self._on_resume(turn, flow, conversation, text, command)
        if command == "cancel":
            await self._drop(turn)
            return [Outbound(_(CANCELLED))]
        if (
            command == "menu"
            or (text.strip().startswith("/") and match_flow(self.flows, text) is not None)
            or turn.now - conversation.updated_at >= self._resume_after
        ):
            return await self._offer_resume(turn, flow, conversation)
        if command == "back":
            return await self._back(turn, flow, conversation)
        if command == "help":
            return await self._help(turn, flow, conversation)
        return await self._answer(turn, flow, conversation, text)

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
        found = match_flow(self.flows, text)
        if found is not None:
            if found.flow not in flows and not found.flow.public:
                title = _(found.flow.title)
                return self._menu(turn, flows, _(NOT_YOUR_ROLE).format(title=title))
            return await self._start(turn, found.flow, found.rest)
        return self._menu(turn, flows, None if quiet else _(NOT_UNDERSTOOD))

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

    async def _start(self, turn: _Turn, flow: Flow, rest: str) -> list[Outbound]:
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
        )
        if rest.strip() and flow.next_step(answers) is not None:
            return await self._answer(turn, flow, conversation, rest)
        return await self._advance(turn, flow, conversation)

    async def _answer(
        self, turn: _Turn, flow: Flow, conversation: Conversation, text: str
    ) -> list[Outbound]:
        step = flow.next_step(conversation.answers)
        if step is None:
            return await self._advance(turn, flow, conversation)
        if not text.strip():
            return await self._retry(turn, flow, conversation, _(EMPTY))
        try:
            value = await step.answer.resolve(turn.context(text), text)
        except (ParseError, InvalidInputError) as error:
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
        await self._drop(turn)
        if flow.public:
            replies.extend(await self._menu_after_joining(turn))
        return replies

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
        command: Command | None,
    ) -> list[Outbound]:
        try:
            choice = "huy" if command == "cancel" else RESUME.parse(text)
        except ParseError as error:
            await self._save(turn, conversation, conversation.step)
            return [Outbound(error_text(error)), self._resume_question(flow, conversation)]
        if choice == "huy":
            await self._drop(turn)
            return [Outbound(_(CANCELLED))]
        if choice == "lam_lai":
            await self._drop(turn)
            return await self._start(turn, flow, "")
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


def _on_sqlite(sessions: async_sessionmaker[AsyncSession]) -> bool:
    bind = sessions.kw.get("bind")
    return bind is not None and bind.dialect.name == "sqlite"
