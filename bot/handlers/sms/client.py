"""What every outbound SMS gateway client shares: rendering, one HTTP session, and reading
the gateway's answer as a :class:`scheduler.sending.SendResult`.

2xx → sent; 429 → wait for ``Retry-After`` seconds (30 when absent); 5xx, a timeout or a
connection error → temporary (the dispatcher retries with back-off); any other 4xx → rejected
(retrying the same request cannot help). The text is rendered here, so reminders the scheduler
queued with tone marks and choices leave as GSM-7 like every reply. A reminder longer than
``max_parts`` parts leaves as its first page, the rest kept for ``TIEP`` once the gateway has
taken it (:mod:`~bot.handlers.sms.pages`); without a page store (tests of the HTTP contract) the
whole text leaves as one message and the gateway splits it into as many parts as it needs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import aiohttp

from bot.handlers.sms.pages import PageStore, more_line
from bot.handlers.sms.render import render_message
from poverty.text import normalize_phone
from scheduler.sending import SendResult, SendStatus
from storage.outbox import ClaimedMessage

DEFAULT_RETRY_AFTER = 30.0


def result_for(status: int, retry_after: str | None) -> SendResult:
    if 200 <= status < 300:
        return SendResult.sent()
    if status == 429:
        return SendResult.wait(_seconds(retry_after))
    if status >= 500 or status == 408:
        return SendResult.temporary(f"http {status}")
    return SendResult.rejected(f"http {status}")


def _seconds(value: str | None) -> float:
    try:
        seconds = float(value) if value is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER
    return seconds if 0 <= seconds <= 3600 else DEFAULT_RETRY_AFTER


class GatewayClient(ABC):
    """Base of the ``sms`` channel's senders; subclasses build the request in :meth:`deliver`."""

    def __init__(
        self, url: str, *, max_parts: int, timeout: float = 10.0, pages: PageStore | None = None
    ) -> None:
        self.url = url
        self._max_parts = max_parts
        self._pages = pages
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._http: aiohttp.ClientSession | None = None

    async def send(self, message: ClaimedMessage) -> SendResult:
        phone = normalize_phone(message.external_id)
        if phone is None:
            return SendResult.rejected("not a phone number")
        if self._pages is None:
            pages = ["\n".join(render_message(message.text, message.choices, self._max_parts))]
        else:
            pages = render_message(message.text, message.choices, self._max_parts, more_line())
        if not pages or not pages[0]:
            return SendResult.rejected("nothing to send")
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        try:
            result = await self.deliver(self._http, message, phone, pages[0])
        except (aiohttp.ClientError, TimeoutError) as error:
            return SendResult.temporary(type(error).__name__)
        if self._pages is not None and result.status is SendStatus.SENT:
            await self._pages.keep_rest(phone, pages)
        return result

    @abstractmethod
    async def deliver(
        self, http: aiohttp.ClientSession, message: ClaimedMessage, phone: str, text: str
    ) -> SendResult:
        """Send ``text`` to ``phone`` the gateway's way and map its answer."""

    async def post(
        self,
        http: aiohttp.ClientSession,
        payload: dict[str, Any],
        headers: dict[str, str],
    ) -> SendResult:
        async with http.post(self.url, json=payload, headers=headers) as response:
            await response.read()
            return result_for(response.status, response.headers.get("Retry-After"))

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
