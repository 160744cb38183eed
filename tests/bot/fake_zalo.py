"""A fake Zalo OA API for end-to-end tests (aiohttp on 127.0.0.1).

It serves the endpoints the bot calls, the way integrators describe them
(reference/channels.md §0, §2.1–2.2):

- ``POST /v3.0/oa/message/cs`` with the ``access_token`` header: records the message and
  answers ``{"error": 0, "data": {"message_id", "user_id", "quota"}}``; an unknown or revoked
  token gets ``{"error": -216}`` (HTTP 200, as Zalo does);
- ``POST /v2.0/oa/upload/image`` and ``/v2.0/oa/upload/file`` (multipart, field ``file``):
  an image must be JPG/PNG of at most 1 MB and answers ``data.attachment_id``; a file must be
  PDF/DOC/DOCX of at most 5 MB and answers ``data.token``; anything else is refused with a
  non-zero ``error`` (the codes here are the fake's own, Zalo's are not documented). Every
  upload is kept (:attr:`FakeZalo.uploads`), so a test can check that a media or file message
  names a real upload and read the file;
- ``POST /message/template`` (ZNS, §2.6; the fake serves it on the same port): ``phone`` in
  the ``84…`` form, ``template_id``, ``template_data``, ``tracking_id``; answers
  ``{"error": 0, "data": {"msg_id", "sent_time"}}`` and keeps the message (:attr:`FakeZalo.zns`);
  :meth:`FakeZalo.fail_next_zns` scripts a refusal or a 5xx;
- ``GET /photos/<name>``: a photo a follower sent, as Zalo's CDN would serve it (tests put
  the bytes in :attr:`FakeZalo.photos` and the URL in a ``user_send_image`` event);
- ``POST /v4/oa/access_token`` (form ``refresh_token``, ``app_id``, ``grant_type``; header
  ``secret_key``): refresh tokens are single use, so a second use of one is refused, and every
  refresh returns a new pair with ``expires_in`` as a string.

Tests script failures with :meth:`FakeZalo.fail_next` (a Zalo error code, or an HTTP status),
make the next upload fail with :meth:`FakeZalo.fail_next_upload`, revoke the current access
token with :meth:`FakeZalo.revoke_access`, and slow the OAuth endpoint down with
``refresh_delay`` to make two refreshes overlap.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fake_server import LocalServer, wait_until

APP_ID = "360846524940903967"
APP_SECRET = "app-secret-for-tests"
OA_SECRET = "oa-secret-for-tests"
SEND_PATH = "/v3.0/oa/message/cs"
OAUTH_PATH = "/v4/oa/access_token"
ZNS_PATH = "/message/template"
UPLOAD_IMAGE_PATH = "/v2.0/oa/upload/image"
UPLOAD_FILE_PATH = "/v2.0/oa/upload/file"
IMAGE_LIMIT = 1024 * 1024
FILE_LIMIT = 5 * 1024 * 1024
IMAGE_EXTENSIONS = {"png", "jpg", "jpeg"}
FILE_EXTENSIONS = {"pdf", "doc", "docx"}
REFUSED_UPLOAD = -210


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

    @property
    def template_type(self) -> str | None:
        attachment = self.message.get("attachment") or {}
        kind = attachment.get("payload", {}).get("template_type")
        return str(kind) if kind else None

    @property
    def image_id(self) -> str | None:
        """The ``attachment_id`` of a media message's image."""
        if self.template_type != "media":
            return None
        elements = self.message["attachment"]["payload"].get("elements", [])
        return str(elements[0]["attachment_id"]) if elements else None

    @property
    def file_token(self) -> str | None:
        attachment = self.message.get("attachment") or {}
        if attachment.get("type") != "file":
            return None
        return str(attachment.get("payload", {}).get("token"))


@dataclass(frozen=True)
class ZnsSent:
    """One ZNS template message the bot sent."""

    phone: str
    template_id: str
    data: dict[str, str]
    tracking_id: str
    mode: str | None


@dataclass(frozen=True)
class Upload:
    """One file the bot uploaded: ``kind`` is ``image`` or ``file``; ``handle`` is the
    ``attachment_id`` or ``token`` it was given."""

    kind: str
    filename: str
    content_type: str
    data: bytes
    handle: str


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
        self.uploads: list[Upload] = []
        self.refused_uploads: list[tuple[str, int]] = []
        self._upload_failures: list[tuple[str | None, int]] = []
        self._attachment_failures: list[int] = []
        self.zns: list[ZnsSent] = []
        self.photos: dict[str, bytes] = {}
        self._zns_failures: list[int] = []
        self.refresh_delay = refresh_delay
        self._numbers = itertools.count(1)
        self.access_token = "access-0"
        self.refresh_token = "refresh-0"
        self._failures: list[int] = []
        self._changed = asyncio.Condition()
        self._local = LocalServer()

    @property
    def port(self) -> int:
        return self._local.port

    @property
    def url(self) -> str:
        return self._local.url

    @property
    def oauth_url(self) -> str:
        return self.url + OAUTH_PATH

    @property
    def zns_url(self) -> str:
        return self.url + ZNS_PATH

    def photo_url(self, name: str) -> str:
        return f"{self.url}/photos/{name}"

    async def __aenter__(self) -> FakeZalo:
        app = web.Application()
        app.router.add_post(SEND_PATH, self._send)
        app.router.add_post(OAUTH_PATH, self._oauth)
        app.router.add_post(ZNS_PATH, self._zns)
        app.router.add_get("/photos/{name}", self._photo)
        app.router.add_post(UPLOAD_IMAGE_PATH, self._upload)
        app.router.add_post(UPLOAD_FILE_PATH, self._upload)
        await self._local.start(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._local.stop()

    # --- what tests do -------------------------------------------------------------------

    def fail_next(self, code: int) -> None:
        """Answer the next send with this Zalo error code (negative) or HTTP status (5xx)."""
        self._failures.append(code)

    def fail_next_zns(self, code: int) -> None:
        """Answer the next ZNS message with this Zalo error code (negative) or HTTP status."""
        self._zns_failures.append(code)

    def fail_next_attachment(self, code: int) -> None:
        """Answer the next message that carries an image or a file with this Zalo error code."""
        self._attachment_failures.append(code)

    def fail_next_upload(self, code: int, kind: str | None = None) -> None:
        """Answer the next upload (of ``kind``, ``image`` or ``file``, when given) with this
        Zalo error code (negative) or HTTP status (5xx)."""
        self._upload_failures.append((kind, code))

    def upload_of(self, handle: str | None) -> Upload:
        """The upload an ``attachment_id`` or file ``token`` names."""
        return next(u for u in self.uploads if u.handle == handle)

    def revoke_access(self) -> None:
        """The current access token stops working (Zalo answers -216 to it)."""
        self.access_token = f"revoked-{next(self._numbers)}"

    def to(self, user_id: str) -> list[Sent]:
        return [s for s in self.sent if s.user_id == user_id]

    async def wait_for(self, check: Callable[[], bool], seconds: float = 10.0) -> None:
        await wait_until(self._changed, check, seconds)

    async def wait_sent(self, user_id: str, count: int, seconds: float = 10.0) -> list[Sent]:
        await self.wait_for(lambda: len(self.to(user_id)) >= count, seconds)
        return self.to(user_id)

    # --- the API -------------------------------------------------------------------------

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        token = request.headers.get("access_token", "")
        user_id = str(body.get("recipient", {}).get("user_id", ""))
        attachment = body.get("message", {}).get("attachment") or {}
        carries_file = attachment.get("type") == "file" or (
            attachment.get("payload", {}).get("template_type") == "media"
        )
        if carries_file and self._attachment_failures:
            self._failures.insert(0, self._attachment_failures.pop(0))
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

    async def _photo(self, request: web.Request) -> web.Response:
        data = self.photos.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/jpeg")

    async def _zns(self, request: web.Request) -> web.Response:
        if request.headers.get("access_token", "") != self.access_token:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        body = await request.json()
        if self._zns_failures:
            code = self._zns_failures.pop(0)
            if code >= 500:
                return web.Response(status=code, text="Bad Gateway")
            return web.json_response({"error": code, "message": "scripted failure"})
        phone = str(body.get("phone", ""))
        if not (phone.startswith("84") and phone.isdigit()) or not body.get("template_id"):
            return web.json_response({"error": -108, "message": "Phone number is invalid"})
        sent = ZnsSent(
            phone,
            str(body["template_id"]),
            {str(k): str(v) for k, v in body.get("template_data", {}).items()},
            str(body.get("tracking_id", "")),
            body.get("mode"),
        )
        async with self._changed:
            self.zns.append(sent)
            self._changed.notify_all()
        number = next(self._numbers)
        return web.json_response(
            {"error": 0, "message": "Success", "data": {"msg_id": f"z{number}", "sent_time": "0"}}
        )

    async def _upload(self, request: web.Request) -> web.Response:
        image = request.path == UPLOAD_IMAGE_PATH
        if request.headers.get("access_token", "") != self.access_token:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        form = await request.post()
        field = form.get("file")
        if not isinstance(field, web.FileField):
            return await self._refuse_upload("", REFUSED_UPLOAD)
        data = field.file.read()
        name = field.filename or ""
        kind = "image" if image else "file"
        failure = next((f for f in self._upload_failures if f[0] in (None, kind)), None)
        if failure is not None:
            self._upload_failures.remove(failure)
            code = failure[1]
            if code >= 500:
                await self._refuse_upload(name, code)
                return web.Response(status=code, text="Bad Gateway")
            return await self._refuse_upload(name, code)
        extension = name.rpartition(".")[2].lower()
        allowed, limit = (IMAGE_EXTENSIONS, IMAGE_LIMIT) if image else (FILE_EXTENSIONS, FILE_LIMIT)
        if extension not in allowed or len(data) > limit:
            return await self._refuse_upload(name, REFUSED_UPLOAD)
        handle = f"{kind}-{next(self._numbers)}"
        async with self._changed:
            self.uploads.append(Upload(kind, name, field.content_type, data, handle))
            self._changed.notify_all()
        key = "attachment_id" if image else "token"
        return web.json_response({"error": 0, "message": "Success", "data": {key: handle}})

    async def _refuse_upload(self, name: str, code: int) -> web.Response:
        async with self._changed:
            self.refused_uploads.append((name, code))
            self._changed.notify_all()
        return web.json_response({"error": code, "message": "upload refused"})

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
