"""The Telegram side of the outbox: sends a reminder or digest the dispatcher claimed, and
turns the Bot API's answer into a :class:`scheduler.sending.SendResult`.

Telegram has no idempotency key, so a message is delivered at least once: the dispatcher marks
it sent right after this returns. A digest longer than one message is sent in parts; if a later
part fails, the retry sends the whole digest again (digests are short, so this is rare).
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.flows.messages import Option
from bot.handlers.telegram.rendering import keyboard, split_text
from scheduler.sending import SendResult
from storage.outbox import ClaimedMessage

GONE_CHATS = ("chat not found", "user is deactivated", "bot was blocked")


class TelegramOutboxSender:
    """:class:`scheduler.sending.Sender` for the ``telegram`` channel."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, message: ClaimedMessage) -> SendResult:
        chat_id = int(message.external_id)
        parts = split_text(message.text)
        markup = keyboard([Option(choice, choice) for choice in message.choices], paged=False)
        try:
            for number, part in enumerate(parts, 1):
                last = number == len(parts)
                await self._bot.send_message(chat_id, part, reply_markup=markup if last else None)
        except TelegramRetryAfter as error:
            return SendResult.wait(float(error.retry_after))
        except (TelegramForbiddenError, TelegramNotFound):
            return SendResult.blocked()
        except TelegramBadRequest as error:
            if any(gone in error.message.lower() for gone in GONE_CHATS):
                return SendResult.blocked()
            return SendResult.rejected(error.message)
        except (TelegramServerError, TelegramNetworkError, TimeoutError) as error:
            return SendResult.temporary(type(error).__name__)
        return SendResult.sent()
