"""A fake Zalo OA API for end-to-end tests (aiohttp on 127.0.0.1).

It serves the two endpoints the bot calls, the way integrators describe them
(reference/channels.md §2.1–2.2):

- ``POST /v3.0/oa/message/cs`` with the ``access_token`` header: records the message and
  answers ``{"error": 0, "data": {"message_id", "user_id", "quota"}}``; an unknown or revoked
  token gets ``{"error": -216}`` (HTTP 200, as Zalo does);
- ``POST /v4/oa/access_token`` (form ``refresh_token``, ``app_id``, ``grant_type``; header
  ``secret_key``): refresh tokens are single use, so a second use of one is refused, and every
  refresh returns a new pair with ``expires_in`` as a string.

Tests script failures with :meth:`FakeZalo.fail_next` (a Zalo error code, or an HTTP status),
revoke the current access token with :meth:`FakeZalo.revoke_access`, and slow the OAuth
endpoint down with ``refresh_delay`` to make two refreshes overlap.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

APP_ID = "360846524940903967"
APP_SECRET = "app-secret-for-tests"
OA_SECRET = "oa-secret-for-tests"
SEND_PATH = "/v3.0/oa/message/cs"
OAUTH_PATH = "/v4/oa/access_token"


@dataclass(frozen=True)
class Sent:
    """One message the bot sent: recipient, the ``message`` object and the token it used."""

    user_id: str
    message: dict[str, Any]
    token: str

    @property
    def text(self) -> str:
        return str(self.message.get("text", ""))

    @property
    def buttons(self) -> list[tuple[str, str, str]]:
        """``(title, type, payload)`` of every quick-reply button."""
        attachment = self.message.get("attachment") or {}
        found = attachment.get("payload", {}).get("buttons", [])
        return [(b["title"], b["type"], b["payload"]) for b in found]


@dataclass(frozen=True)
class Refresh:
    form: dict[str, str]
    secret_key: str | None
    accepted: bool


class FakeZalo:
    def __init__(self, refresh_delay: float = 0.0) -> None:
        self.sent: list[Sent] = []
        self.refreshes: list[Refresh] = []
        self.refused: list[tuple[str, int]] = []
        self.refresh_delay = refresh_delay
        self._numbers = itertools.count(1)
        self.access_token = "access-0"
        self.refresh_token = "refresh-0"
        self._failures: list[int] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def oauth_url(self) -> str:
        return self.url + OAUTH_PATH

    async def __aenter__(self) -> FakeZalo:
        app = web.Application()
        app.router.add_post(SEND_PATH, self._send)
        app.router.add_post(OAUTH_PATH, self._oauth)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests do -------------------------------------------------------------------

    def fail_next(self, code: int) -> None:
        """Answer the next send with this Zalo error code (negative) or HTTP status (5xx)."""
        self._failures.append(code)

    def revoke_access(self) -> None:
        """The current access token stops working (Zalo answers -216 to it)."""
        self.access_token = f"revoked-{next(self._numbers)}"

    def to(self, user_id: str) -> list[Sent]:
        return [s for s in self.sent if s.user_id == user_id]

    async def wait_for(self, check: Callable[[], bool], seconds: float = 10.0) -> None:
        async with asyncio.timeout(seconds):
            async with self._changed:
                await self._changed.wait_for(check)

    async def wait_sent(self, user_id: str, count: int, seconds: float = 10.0) -> list[Sent]:
        await self.wait_for(lambda: len(self.to(user_id)) >= count, seconds)
        return self.to(user_id)

    # --- the API -------------------------------------------------------------------------

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        token = request.headers.get("access_token", "")
        user_id = str(body.get("recipient", {}).get("user_id", ""))
        if self._failures:
            code = self._failures.pop(0)
            await self._note_refused(user_id, code)
            if code >= 500:
                return web.Response(status=code, text="Bad Gateway")
            return web.json_response({"error": code, "message": "scripted failure"})
        if token != self.access_token:
            await self._note_refused(user_id, -216)
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        async with self._changed:
            self.sent.append(Sent(user_id, body["message"], token))
            self._changed.notify_all()
        return web.json_response(
            {
                "error": 0,
                "message": "Success",
                "data": {
                    "message_id": f"m{next(self._numbers)}",
                    "user_id": user_id,
                    "quota": {"quota_type": "reply", "remain": "7", "total": "8"},
                },
            }
        )

    async def _note_refused(self, user_id: str, code: int) -> None:
        async with self._changed:
            self.refused.append((user_id, code))
            self._changed.notify_all()

    async def _oauth(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        secret = request.headers.get("secret_key")
        await asyncio.sleep(self.refresh_delay)
        accepted = (
            secret == APP_SECRET
            and form.get("app_id") == APP_ID
            and form.get("grant_type") == "refresh_token"
            and form.get("refresh_token") == self.refresh_token
        )
        self.refreshes.append(Refresh(form, secret, accepted))
        if not accepted:
            return web.json_response(
                {"error": -14014, "error_name": "Invalid refresh token", "error_reason": "..."}
            )
        number = next(self._numbers)
        self.access_token, self.refresh_token = f"access-{number}", f"refresh-{number}"
        return web.json_response(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": "90000",
            }
        )
