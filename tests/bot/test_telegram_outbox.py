"""Reminders from the outbox reach Telegram, and the Bot API's answers steer the dispatcher."""

from __future__ import annotations

import json

import pytest

from bot.handlers.telegram.outbox import TelegramOutboxSender
from bot.handlers.telegram.setup import build_bot
from scheduler.sending import SendStatus
from storage.outbox import ClaimedMessage
from tests.bot.fake_telegram import FakeTelegram

CHAT = 4242


def claimed(
    text: str = "Nhắc việc: 2 hộ cần theo dõi.", choices: tuple[str, ...] = ()
) -> ClaimedMessage:
    return ClaimedMessage(1, "digest:mentor:7:2026-12-01", "telegram", str(CHAT), text, choices)


async def test_reminder_is_sent_with_its_choices_as_buttons(fake: FakeTelegram) -> None:
    bot = build_bot("123456:TEST", fake.url)
    try:
        result = await TelegramOutboxSender(bot).send(claimed(choices=("Đã xong", "Đang làm")))
    finally:
        await bot.session.close()
    assert result.status is SendStatus.SENT
    [call] = fake.sent(CHAT)
    assert call.params["text"] == "Nhắc việc: 2 hộ cần theo dõi."
    markup = call.params["reply_markup"]
    buttons = json.loads(markup) if isinstance(markup, str) else markup
    assert [b["text"] for row in buttons["inline_keyboard"] for b in row] == ["Đã xong", "Đang làm"]


@pytest.mark.parametrize(
    ("status", "description", "retry_after", "expected"),
    [
        (429, "Too Many Requests: retry after 7", 7, SendStatus.RETRY_AFTER),
        (403, "Forbidden: bot was blocked by the user", None, SendStatus.BLOCKED),
        (400, "Bad Request: chat not found", None, SendStatus.BLOCKED),
        (400, "Bad Request: message text is empty", None, SendStatus.REJECTED),
        (502, "Bad Gateway", None, SendStatus.TEMPORARY),
    ],
)
async def test_bot_api_errors_become_dispatcher_answers(
    fake: FakeTelegram, status: int, description: str, retry_after: int | None, expected: SendStatus
) -> None:
    fake.fail_next(status, description, retry_after)
    bot = build_bot("123456:TEST", fake.url)
    try:
        result = await TelegramOutboxSender(bot).send(claimed())
    finally:
        await bot.session.close()
    assert result.status is expected
    if expected is SendStatus.RETRY_AFTER:
        assert result.retry_after == 7
    assert fake.sent(CHAT) == []
