"""A thin async client for the one OA endpoint the bot calls: ``POST /v3.0/oa/message/cs``.

Every call carries the ``access_token`` header (not ``Authorization``). Zalo answers HTTP 200
with ``{"error": 0, …}`` on success and a non-zero ``error`` on failure; -216 means the access
token is no longer valid, so the token is refreshed once and the call repeated once. Network
failures and 5xx answers raise :class:`ZaloUnavailable`; the quota bucket Zalo reports is
logged, being the cheap way to notice when messages start to cost money.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout

from bot.handlers.zalo.tokens import TokenKeeper, TokenRefreshError
from storage.channel_tokens import MissingTokensError

SEND_PATH = "/v3.0/oa/message/cs"
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
        self._url = api_url.rstrip("/") + SEND_PATH
        self._tokens = tokens

    async def send(self, user_id: str, message: dict[str, Any]) -> ZaloAnswer:
        """Send one consultation message to the follower ``user_id``."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        try:
            token = await self._tokens.access_token()
            answer = await self._post(token, body)
            if answer.error == TOKEN_INVALID:
                token = await self._tokens.replace(token)
                answer = await self._post(token, body)
        except (TokenRefreshError, MissingTokensError) as error:
            raise ZaloUnavailable(f"token: {type(error).__name__}") from None
        quota = answer.data.get("quota")
        if answer.ok and isinstance(quota, dict):
            log.info("zalo: sent (quota %s, %s left)", quota.get("quota_type"), quota.get("remain"))
        return answer

    async def _post(self, token: str, body: dict[str, Any]) -> ZaloAnswer:
        try:
            async with self._http.post(
                self._url,
                json=body,
                headers={"access_token": token},
                timeout=ClientTimeout(total=REQUEST_SECONDS),
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
