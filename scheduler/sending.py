"""The sending port: what the dispatcher needs from a channel, and what it gets back.

A channel adapter (Telegram, Zalo, SMS) implements :class:`Sender`; the dispatcher never sees
HTTP. The adapter passes ``message.key`` on as the gateway's idempotency key where the gateway
has one (the SMS contract's ``Idempotency-Key``/``client_ref``), so a message sent again after a
crash is delivered once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Literal, Protocol

from storage.outbox import ClaimedMessage


class SendStatus(Enum):
    SENT = "sent"
    RETRY_AFTER = "retry_after"
    """The channel asked to wait (Telegram 429 ``retry_after``)."""
    TEMPORARY = "temporary"
    """Timeout, connection error or 5xx: try again later with back-off."""
    BLOCKED = "blocked"
    """The person blocked the bot or the chat no longer exists: never retry."""
    REJECTED = "rejected"
    """Any other refusal (bad request): retrying would not help."""


CostClass = Literal["free", "zns", "sms"]
"""What a sent message costs: ``free`` (Telegram; a Zalo reply inside the free-reply window),
``zns`` (a Zalo template message to a phone number, paid per message), ``sms`` (paid per part)."""

CHANNEL_COSTS: Mapping[str, CostClass] = {
    "telegram": "free",
    "zalo": "free",
    "zns": "zns",
    "sms": "sms",
}


@dataclass(frozen=True)
class SendResult:
    """``via`` names the channel a sent message went out on when it is not the row's own (a
    Zalo reminder sent as ZNS or SMS); ``cost`` its cost class when the channel's default
    (:data:`CHANNEL_COSTS`) is not right."""

    status: SendStatus
    retry_after: float = 0.0
    detail: str = ""
    via: str | None = None
    cost: CostClass | None = None

    @classmethod
    def sent(cls, via: str | None = None, cost: CostClass | None = None) -> SendResult:
        return cls(SendStatus.SENT, via=via, cost=cost)

    def delivery(self, channel: str) -> tuple[str, CostClass | None]:
        """The channel the message went out on and its cost class."""
        via = self.via or channel
        return via, self.cost or CHANNEL_COSTS.get(via)

    @classmethod
    def wait(cls, seconds: float, detail: str = "429") -> SendResult:
        return cls(SendStatus.RETRY_AFTER, seconds, detail)

    @classmethod
    def temporary(cls, detail: str) -> SendResult:
        return cls(SendStatus.TEMPORARY, 0.0, detail)

    @classmethod
    def blocked(cls, detail: str = "blocked") -> SendResult:
        return cls(SendStatus.BLOCKED, 0.0, detail)

    @classmethod
    def rejected(cls, detail: str) -> SendResult:
        return cls(SendStatus.REJECTED, 0.0, detail)


class Sender(Protocol):
    """One channel's way out. ``send`` must not raise for channel answers; it returns them."""

    async def send(self, message: ClaimedMessage) -> SendResult: ...


@dataclass(frozen=True)
class ChannelRouter:
    """One :class:`Sender` per channel (``telegram``, ``zalo``, ``sms``) behind one ``send``.

    The dispatcher claims only rows of the channels listed here, so a message for a channel that
    is not configured waits in the outbox instead of failing.
    """

    senders: Mapping[str, Sender]

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(sorted(self.senders))

    async def send(self, message: ClaimedMessage) -> SendResult:
        sender = self.senders.get(message.channel)
        if sender is None:
            return SendResult.temporary(f"no sender for {message.channel}")
        return await sender.send(message)
