"""A fake SMS gateway for end-to-end tests (aiohttp on 127.0.0.1).

It accepts sends in both shapes the channel speaks: the project's contract
(``POST /send``: ``{"to", "text", "client_ref"}``, ``Authorization: Bearer``,
``Idempotency-Key``) and SMSGate's (``POST /3rdparty/v1/messages``: ``{"textMessage": {"text"},
"phoneNumbers", "id"}`` with Basic auth). Every request is recorded; a request with a key the
gateway has already accepted is answered 2xx and not delivered again, as a gateway with
idempotency keys does. :meth:`FakeSmsGateway.fail_next` makes the next sends answer 429 (with
``Retry-After``) or 5xx first.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_server import LocalServer, wait_until

TOKEN = "send-token"
USER, PASSWORD = "sms", "gate-password"


@dataclass(frozen=True)
class Sent:
    """One SMS the gateway accepted and delivered."""

    to: str
    text: str
    key: str
    shape: str


@dataclass
class FakeSmsGateway:
    requests: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[Sent] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    retry_after: str = "7"
    _local: LocalServer = field(default_factory=LocalServer)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def port(self) -> int:
        return self._local.port

    @property
    def url(self) -> str:
        return f"{self._local.url}/send"

    @property
    def smsgate_url(self) -> str:
        return f"{self._local.url}/3rdparty/v1/messages"

    def fail_next(self, *statuses: int) -> None:
        self.failures.extend(statuses)

    def sent_to(self, phone: str) -> list[str]:
        return [sent.text for sent in self.delivered if sent.to == phone]

    async def wait_for(self, ready: Callable[[], bool], seconds: float = 10.0) -> None:
        await wait_until(self._changed, ready, seconds)

    async def __aenter__(self) -> FakeSmsGateway:
        app = web.Application()
        app.router.add_post("/send", self._generic)
        app.router.add_post("/3rdparty/v1/messages", self._smsgate)
        await self._local.start(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._local.stop()

    async def _generic(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append({"shape": "generic", "headers": dict(request.headers), **body})
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "unauthorized"}, status=401)
        key = request.headers.get("Idempotency-Key", "")
        if not key or body.get("client_ref") != key:
            return web.json_response({"error": "missing key"}, status=400)
        return await self._accept(Sent(body["to"], body["text"], key, "generic"))

    async def _smsgate(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append({"shape": "smsgate", "headers": dict(request.headers), **body})
        expected = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response({"error": "unauthorized"}, status=401)
        [phone] = body["phoneNumbers"]
        return await self._accept(Sent(phone, body["textMessage"]["text"], body["id"], "smsgate"))

    async def _accept(self, sent: Sent) -> web.Response:
        if self.failures:
            status = self.failures.pop(0)
            headers = {"Retry-After": self.retry_after} if status == 429 else {}
            return web.json_response({"error": "scripted"}, status=status, headers=headers)
        async with self._changed:
            if all(old.key != sent.key for old in self.delivered):
                self.delivered.append(sent)
            self._changed.notify_all()
        return web.json_response({"id": sent.key, "status": "queued"}, status=202)
