"""The OA access token: read from the database, refreshed before it runs out.

Zalo's access token lives about 25 hours and its refresh token is single use
(reference/channels.md §2.1). The token is refreshed when less than ``refresh_before`` (one
hour) remains, and once more when the API answers -216 (token invalid). The refresh itself runs
under the database lock of :func:`storage.channel_tokens.refresh_tokens`, so several workers
never spend one refresh token twice; within one process a lock also keeps callers from queueing
on the database for the same refresh.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from poverty.errors import AppError
from poverty.i18n import N_
from storage.channel_tokens import Tokens, load_tokens, refresh_tokens

CHANNEL = "zalo"
REFRESH_BEFORE = timedelta(hours=1)
DEFAULT_LIFETIME = 90000
REQUEST_SECONDS = 15

log = logging.getLogger(__name__)


NO_TOKENS = N_("Chưa có token cho kênh {channel}. Hãy lưu token bằng: giamngheo zalo token")


class MissingTokensError(AppError):
    """No tokens were stored for the channel yet."""


class TokenRefreshError(Exception):
    """The OAuth server refused or could not be reached; the stored tokens are unchanged."""


def tokens_from_response(body: Any, now: datetime) -> Tokens:
    """Tokens from the OAuth answer (``expires_in`` comes as a string of seconds)."""
    if not isinstance(body, dict):
        raise TokenRefreshError("unreadable answer")
    access, refresh = body.get("access_token"), body.get("refresh_token")
    if not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh:
        raise TokenRefreshError(f"refused ({body.get('error', 'no tokens')})")
    try:
        seconds = int(body.get("expires_in") or DEFAULT_LIFETIME)
    except (TypeError, ValueError):
        seconds = DEFAULT_LIFETIME
    return Tokens(access, refresh, now + timedelta(seconds=seconds))


class TokenKeeper:
    """Hands out a valid access token for the OA."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        http: ClientSession,
        *,
        oauth_url: str,
        app_id: str,
        app_secret: str,
        clock: Callable[[], datetime],
        refresh_before: timedelta = REFRESH_BEFORE,
    ) -> None:
        self._sessions = sessions
        self._http = http
        self._oauth_url = oauth_url
        self._app_id = app_id
        self._app_secret = app_secret
        self._clock = clock
        self._refresh_before = refresh_before
        self._lock = asyncio.Lock()

    async def access_token(self) -> str:
        """The stored access token, refreshed first when it is about to run out."""
        async with self._sessions() as session:
            current = await load_tokens(session, CHANNEL)
        if current is None:
            raise MissingTokensError(NO_TOKENS, channel=CHANNEL)
        if not self._expiring(current):
            return current.access_token
        return (await self._refresh(self._expiring)).access_token

    async def replace(self, rejected: str) -> str:
        """A new access token after the API refused ``rejected`` (-216); when another worker
        has replaced it meanwhile, that one."""
        fresh = await self._refresh(
            lambda tokens: tokens.access_token == rejected or self._expiring(tokens)
        )
        return fresh.access_token

    def _expiring(self, tokens: Tokens) -> bool:
        return tokens.expires_at - self._clock() < self._refresh_before

    async def _refresh(self, is_needed: Callable[[Tokens], bool]) -> Tokens:
        async with self._lock:
            fresh = await refresh_tokens(
                self._sessions, CHANNEL, self._call_oauth, self._clock, is_needed=is_needed
            )
        if fresh is None:
            raise MissingTokensError(NO_TOKENS, channel=CHANNEL)
        return fresh

    async def _call_oauth(self, refresh_token: str) -> Tokens:
        form = {
            "refresh_token": refresh_token,
            "app_id": self._app_id,
            "grant_type": "refresh_token",
        }
        try:
            async with self._http.post(
                self._oauth_url,
                data=form,
                headers={"secret_key": self._app_secret},
                timeout=ClientTimeout(total=REQUEST_SECONDS),
            ) as response:
                if response.status >= 400:
                    raise TokenRefreshError(f"http {response.status}")
                body = await response.json(content_type=None)
        except (ClientError, TimeoutError, ValueError) as error:
            raise TokenRefreshError(type(error).__name__) from None
        tokens = tokens_from_response(body, self._clock())
        log.info("zalo: access token refreshed, valid until %s", tokens.expires_at.isoformat())
        return tokens
