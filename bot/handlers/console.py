"""The console channel: talk to the flows from a terminal as one of the users.

``--as`` names a console identity (the demo users ``admin``, ``manager``, ``cadre``,
``mentor``) or a user's phone number. On a terminal the chat is interactive; otherwise each
line of input is one message and every reply is printed, so a conversation can be scripted::

    printf 'kiem tra\\nTL00001\\n' | giamngheo chat --as cadre

The console opens every session with ``/start``, so an unfinished check is offered to be
continued, restarted or cancelled, exactly as on the other channels. Files a reply carries
(a chart, an xlsx table) are written to a folder (the current one, or ``--files DIR``) and
their paths printed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.flows.messages import IdentityRef, Inbound, Outbound
from bot.flows.routing import roles_text
from bot.i18n import _, __
from bot.runtime import Runtime
from poverty.errors import AppError
from poverty.text import fold, normalize_phone
from storage.access import access_for_identity

CHANNEL = "console"
QUIT_WORDS = frozenset({"thoat", "/thoat", "exit", "quit", "/quit"})
UNKNOWN_USER = __(
    "Không tìm thấy người dùng “{name}”. Dùng admin, manager, cadre, mentor "
    "hoặc số điện thoại của một người dùng đã đăng ký."
)
GREETING = __("Xin chào {name}! Anh/chị đang dùng trợ lý với vai trò {roles}.")
HOW_TO_QUIT = __("Gõ “thoat” hoặc nhấn Ctrl+D để kết thúc.")
FILE_SAVED = __("Đã lưu tệp: {path}")
FAILED = __("Xin lỗi, trợ lý đang gặp sự cố. Xin thử lại sau ít phút.")


class UnknownConsoleUserError(AppError):
    """``--as`` names nobody the database knows."""


def render(replies: Sequence[Outbound]) -> str:
    """Replies as console text: each message, its options numbered underneath."""
    blocks = []
    for reply in replies:
        lines = [reply.text]
        lines.extend(f"  {i}. {option.label}" for i, option in enumerate(reply.choices, 1))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def save_attachments(replies: Sequence[Outbound], folder: Path) -> list[Path]:
    """Write every attachment of ``replies`` into ``folder``; an existing name gets a number."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for reply in replies:
        for attachment in reply.attachments:
            name = Path(attachment.filename).name or "tep"
            path = folder / name
            number = 1
            while path.exists():
                number += 1
                path = folder / f"{Path(name).stem}-{number}{Path(name).suffix}"
            path.write_bytes(attachment.data)
            paths.append(path)
    return paths


def show(replies: Sequence[Outbound], folder: Path) -> str:
    """The replies as text, with a line for each file written to ``folder``."""
    lines = [render(replies)]
    lines += [_(FILE_SAVED).format(path=path) for path in save_attachments(replies, folder)]
    return "\n".join(lines)


def console_identity(as_user: str) -> IdentityRef:
    """The identity ``--as`` names: a console name, or a phone number in E.164 form."""
    phone = normalize_phone(as_user)
    return IdentityRef(CHANNEL, phone if phone is not None else as_user.strip())


async def run_console_chat(
    runtime: Runtime,
    as_user: str,
    lines: Iterable[str] | None,
    out: TextIO,
    files: Path | None = None,
) -> None:
    """Chat as ``as_user``: from ``lines`` (one message each, echoed with ``>``), or
    interactively with ``input()`` when ``lines`` is None. Returns at the end of input.
    Attachments are written to ``files`` (default: the current folder)."""
    folder = files if files is not None else Path.cwd()
    engine = Engine(runtime.sessions, runtime.now, registered_flows(), tz=runtime.tz)
    identity = console_identity(as_user)
    async with runtime.sessions() as session:
        access = await access_for_identity(session, identity.channel, identity.external_id)
    if access is None:
        raise UnknownConsoleUserError(UNKNOWN_USER, name=as_user)
    greeting = _(GREETING).format(name=access.name, roles=roles_text(access))
    out.write(f"{greeting}\n{_(HOW_TO_QUIT)}\n\n")
    out.write(await _answer(engine, Inbound(identity, "/start"), folder) + "\n")
    for text in _messages(lines, out):
        if fold(text) in QUIT_WORDS:
            break
        out.write(await _answer(engine, Inbound(identity, text), folder) + "\n")
        out.flush()


async def _answer(engine: Engine, inbound: Inbound, folder: Path) -> str:
    """The replies as text; a database failure (the message's transaction was rolled back, so
    nothing is half-saved) gets a short apology and the chat goes on."""
    try:
        replies = await engine.handle(inbound)
    except SQLAlchemyError:
        return _(FAILED)
    return show(replies, folder)


def _messages(lines: Iterable[str] | None, out: TextIO) -> Iterable[str]:
    if lines is not None:
        for line in lines:
            text = line.rstrip("\r\n")
            out.write(f"\n> {text}\n")
            yield text
        return
    while True:
        try:
            yield input("\n> ")
        except (EOFError, KeyboardInterrupt):
            out.write("\n")
            return
