"""A fake Telegram Bot API server for end-to-end tests (aiohttp on 127.0.0.1).

It answers ``POST /bot<token>/<method>`` the way the Bot API does, closely enough for aiogram:
``getUpdates`` serves updates from a queue (long polling: it waits until one is queued or the
poll times out), and the calls a bot makes (``sendMessage``, ``sendPhoto``, ``sendDocument``,
``editMessageText``, ``answerCallbackQuery``, ``setMyCommands``, ``setWebhook`` …) are recorded
with their parameters and files. Tests queue updates with :meth:`FakeTelegram.send_text` and
:meth:`FakeTelegram.press`, and wait for the bot's calls with :meth:`FakeTelegram.wait_for`.

Updates are handed out once each, in order, whatever ``offset`` the bot sends, so queueing the
same update twice simulates Telegram delivering it twice.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from tests.fake_server import LocalServer, wait_until

BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Trợ lý Giảm nghèo",
    "username": "TroLyGiamNgheoTestBot",
}
MAX_POLL_SECONDS = 10.0


@dataclass(frozen=True)
class Call:
    """One Bot API call the bot made: the method (Bot API casing), its fields and files."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    result: dict[str, Any] | None = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """``(label, callback data)`` of every inline button, in order."""
        markup = self.params.get("reply_markup")
        if not markup:
            return []
        keyboard = json.loads(markup) if isinstance(markup, str) else markup
        return [
            (button["text"], button["callback_data"])
            for row in keyboard.get("inline_keyboard", [])
            for button in row
        ]


class FakeTelegram:
    """The server and what it saw. Use ``async with FakeTelegram() as fake``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._local = LocalServer()
        self._closing = False
        self._failures: list[tuple[int, dict[str, Any]]] = []
        self.files: dict[str, bytes] = {}
        """Files people sent (photos), by ``file_id``, for ``getFile`` and the download."""

    @property
    def port(self) -> int:
        return self._local.port

    @property
    def url(self) -> str:
        return self._local.url

    async def __aenter__(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/photos/{file_id}", self._file)
        await self._local.start(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        await self._local.stop()

    # --- what tests do -------------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._ids)

    async def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (an ``update_id`` is added when missing)."""
        update.setdefault("update_id", self.next_update_id())
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update

    async def send_photo(self, chat_id: int, data: bytes) -> dict[str, Any]:
        """A person sends a photo (Telegram offers it in sizes; the largest is ``data``, kept
        for ``getFile`` and the file download)."""
        file_id = f"ph{next(self._ids)}"
        self.files[file_id] = data
        message = self.message_update(chat_id, "")
        del message["text"]
        message["photo"] = [
            {"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 90},
            {"file_id": file_id, "file_unique_id": file_id, "width": 1280, "height": 960,
             "file_size": len(data)},
        ]  # fmt: skip
        return await self.push({"message": message})

    async def send_text(self, chat_id: int, text: str, first_name: str = "Lan") -> dict[str, Any]:
        """A person types ``text`` in their private chat with the bot."""
        return await self.push({"message": self.message_update(chat_id, text, first_name)})

    def message_update(self, chat_id: int, text: str, first_name: str = "Lan") -> dict[str, Any]:
        user = {"id": chat_id, "is_bot": False, "first_name": first_name}
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": first_name},
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return message

    async def press(self, call: Call, data: str) -> dict[str, Any]:
        """The person presses the button with callback ``data`` under the message ``call``
        sent."""
        assert call.result is not None, "only a sent message has buttons"
        chat_id = call.chat_id
        assert chat_id is not None
        query = {
            "id": f"cb{next(self._ids)}",
            "from": {"id": chat_id, "is_bot": False, "first_name": "Lan"},
            "chat_instance": f"ci{chat_id}",
            "data": data,
            "message": call.result,
        }
        return await self.push({"callback_query": query})

    def sent(self, chat_id: int, *methods: str) -> list[Call]:
        """The calls to ``chat_id`` (of the given methods; default the three send methods)."""
        wanted = methods or ("sendMessage", "sendPhoto", "sendDocument")
        return [c for c in self.calls if c.method in wanted and c.chat_id == chat_id]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    async def wait_for(self, check: Callable[[], bool], seconds: float = 15.0) -> None:
        """Wait until ``check()`` holds, at most ``seconds``."""
        await wait_until(self._changed, check, seconds)

    async def wait_sent(self, chat_id: int, count: int, seconds: float = 15.0) -> list[Call]:
        """Wait until the bot has sent ``count`` messages or files to ``chat_id`` in all."""
        await self.wait_for(lambda: len(self.sent(chat_id)) >= count, seconds)
        return self.sent(chat_id)

    # --- the Bot API ---------------------------------------------------------------------

    def fail_next(self, status: int, description: str, retry_after: int | None = None) -> None:
        """Answer the next sending call with this Bot API error (429 with ``retry_after``)."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self._failures.append((status, body))

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await self._read(request)
        if method.lower() == "getupdates":
            return _ok(await self._get_updates(params))
        if self._failures and method.lower() != "getme":
            status, body = self._failures.pop(0)
            return web.json_response(body, status=status)
        result = self._answer(method, params, files)
        call = Call(method, params, files, result if isinstance(result, dict) else None)
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return _ok(result)

    async def _file(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["file_id"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/jpeg")

    async def _read(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        if request.content_type == "application/json":
            return dict(await request.json()), {}
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                data = await part.read()
                if part.filename:
                    files[name] = (part.filename, bytes(data))
                else:
                    params[name] = bytes(data).decode("utf-8")
        else:
            params = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                attached = files.pop(value.removeprefix("attach://"), None)
                if attached is not None:
                    files[key] = attached
        return params, files

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.calls.append(Call("getUpdates", params))
        wait = min(float(params.get("timeout") or 0), MAX_POLL_SECONDS)
        async with self._changed:
            self._changed.notify_all()
            try:
                async with asyncio.timeout(wait):
                    await self._changed.wait_for(lambda: bool(self._updates) or self._closing)
            except TimeoutError:
                pass
            batch, self._updates = self._updates, []
        return batch

    def _answer(
        self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> Any:
        name = method.lower()
        if name == "getme":
            return BOT_USER
        if name in ("sendmessage", "editmessagetext", "sendphoto", "senddocument"):
            return self._message(name, params, files)
        if name == "editmessagereplymarkup":
            return self._message(name, params, files)
        if name == "getfile":
            file_id = str(params["file_id"])
            size = len(self.files.get(file_id, b""))
            return {"file_id": file_id, "file_unique_id": file_id, "file_size": size,
                    "file_path": f"photos/{file_id}"}  # fmt: skip
        if name == "getwebhookinfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True

    def _message(
        self, name: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message_id = params.get("message_id")
        message: dict[str, Any] = {
            "message_id": int(message_id) if message_id else next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Lan"},
            "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
        }
        if "text" in params:
            message["text"] = params["text"]
        if params.get("reply_markup"):
            markup = params["reply_markup"]
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        if name == "sendphoto":
            message["photo"] = [
                {"file_id": "photo1", "file_unique_id": "p1", "width": 1200, "height": 650}
            ]
        if name == "senddocument":
            filename = next(iter(files.values()))[0] if files else "file"
            message["document"] = {
                "file_id": "doc1",
                "file_unique_id": "d1",
                "file_name": filename,
            }
        if params.get("caption"):
            message["caption"] = params["caption"]
        return message


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})
