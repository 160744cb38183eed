"""A thin async client for the OA endpoints the bot calls: ``POST /v3.0/oa/message/cs`` (every
message: text, quick replies, a media message with an uploaded image, a file message, the request
to share the phone number), ZNS template messages (``ZALO_ZNS_URL``, §2.6) and the uploads
``POST /v2.0/oa/upload/image`` (JPG/PNG up to 1 MB, answers ``data.attachment_id``) and
``/v2.0/oa/upload/file`` (PDF/DOC/DOCX up to 5 MB, answers ``data.token``), multipart with the
field ``file`` (reference/channels.md §0, §2.2).

Every call carries the ``access_token`` header (not ``Authorization``). Zalo answers HTTP 200
with ``{"error": 0, …}`` on success and a non-zero ``error`` on failure; -216 means the access
token is no longer valid, so the token is refreshed once and the call repeated once. Network
failures and 5xx answers raise :class:`ZaloUnavailable`; the quota bucket Zalo reports is
logged, being the cheap way to notice when messages start to cost money.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, FormData

from bot.handlers.zalo.tokens import MissingTokensError, TokenKeeper, TokenRefreshError

SEND_PATH = "/v3.0/oa/message/cs"
UPLOAD_IMAGE_PATH = "/v2.0/oa/upload/image"
UPLOAD_FILE_PATH = "/v2.0/oa/upload/file"
TOKEN_INVALID = -216
REQUEST_SECONDS = 15

log = logging.getLogger(__name__)


class ZaloUnavailable(Exception):
    """The API could not be reached or answered 5xx, or no valid token could be had; trying
    later may work. The message names the cause without any message content."""


@dataclass(frozen=True)
class ZaloAnswer:
    error: int
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error == 0


class ZaloClient:
    def __init__(self, http: ClientSession, api_url: str, tokens: TokenKeeper) -> None:
        self._http = http
        self._base = api_url.rstrip("/")
        self._tokens = tokens

    async def send(self, user_id: str, message: dict[str, Any]) -> ZaloAnswer:
        """Send one consultation message to the follower ``user_id``."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        answer = await self._call(self._base + SEND_PATH, lambda: {"json": body})
        quota = answer.data.get("quota")
        if answer.ok and isinstance(quota, dict):
            log.info("zalo: sent (quota %s, %s left)", quota.get("quota_type"), quota.get("remain"))
        return answer

    async def upload_image(self, filename: str, data: bytes, content_type: str) -> str | None:
        """The ``attachment_id`` of the uploaded image, or None when Zalo refused it."""
        answer = await self._upload(UPLOAD_IMAGE_PATH, filename, data, content_type)
        found = answer.data.get("attachment_id") if answer.ok else None
        return str(found) if found else None

    async def upload_file(self, filename: str, data: bytes, content_type: str) -> str | None:
        """The ``token`` of the uploaded file, or None when Zalo refused it."""
        answer = await self._upload(UPLOAD_FILE_PATH, filename, data, content_type)
        found = answer.data.get("token") if answer.ok else None
        return str(found) if found else None

    async def _upload(self, path: str, filename: str, data: bytes, content_type: str) -> ZaloAnswer:
        def form() -> dict[str, Any]:
            fields = FormData()
            fields.add_field("file", data, filename=filename, content_type=content_type)
            return {"data": fields}

        answer = await self._call(self._base + path, form)
        if not answer.ok:
            log.warning("zalo: upload refused with error %d", answer.error)
        return answer

    async def send_template(self, url: str, body: dict[str, Any]) -> ZaloAnswer:
        """A ZNS template message (``body`` with ``phone``, ``template_id``, ``template_data``,
        ``tracking_id``) to ``url``, with the OA's access token like every other call."""
        return await self._call(url, lambda: {"json": body})

    async def _call(self, url: str, request: Callable[[], dict[str, Any]]) -> ZaloAnswer:
        """POST to ``url``; ``request`` gives the body arguments afresh for each attempt."""
        try:
            token = await self._tokens.access_token()
            answer = await self._post(url, token, request())
            if answer.error == TOKEN_INVALID:
                token = await self._tokens.replace(token)
                answer = await self._post(url, token, request())
        except (TokenRefreshError, MissingTokensError) as error:
            raise ZaloUnavailable(f"token: {type(error).__name__}") from None
        return answer

    async def _post(self, url: str, token: str, body: dict[str, Any]) -> ZaloAnswer:
        try:
            async with self._http.post(
                url,
                headers={"access_token": token},
                timeout=ClientTimeout(total=REQUEST_SECONDS),
                **body,
            ) as response:
                if response.status >= 500:
                    raise ZaloUnavailable(f"http {response.status}")
                payload = await response.json(content_type=None)
        except (ClientError, TimeoutError, ValueError) as error:
            raise ZaloUnavailable(type(error).__name__) from None
        if not isinstance(payload, dict):
            raise ZaloUnavailable("unreadable answer")
        try:
            error_code = int(payload.get("error", -1))
        except (TypeError, ValueError):
            error_code = -1
        data = payload.get("data")
        return ZaloAnswer(
            error_code, str(payload.get("message", "")), data if isinstance(data, dict) else {}
        )
