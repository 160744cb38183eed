"""How the outbound SMS client reads the gateway's answers (no database needed)."""

from __future__ import annotations

from bot.handlers.sms.client import result_for
from bot.handlers.sms.generic import GenericSender
from scheduler.sending import SendStatus
from storage.outbox import ClaimedMessage
from tests.bot.fake_sms import TOKEN, FakeSmsGateway
from tests.bot.telegram_harness import free_port

REMINDER = ClaimedMessage(1, "followup:1:2026-12-08", "sms", "0912345678", "Nhắc việc “đỡ đầu”…")


def test_gateway_answers_map_to_send_results() -> None:
    assert result_for(202, None).status is SendStatus.SENT
    assert result_for(429, "12").retry_after == 12.0
    assert result_for(429, "Wed, 21 Oct 2026 07:28:00 GMT").retry_after == 30.0
    assert result_for(503, None).status is SendStatus.TEMPORARY
    assert result_for(400, None).status is SendStatus.REJECTED
    assert result_for(401, None).status is SendStatus.REJECTED


async def test_a_reminder_is_sent_as_gsm7_to_the_e164_number_with_its_key() -> None:
    async with FakeSmsGateway() as gateway:
        sender = GenericSender(gateway.url, TOKEN, max_parts=2)
        try:
            result = await sender.send(REMINDER)
        finally:
            await sender.close()

    assert result.status is SendStatus.SENT
    [request] = gateway.requests
    assert request["to"] == "+84912345678"
    assert request["text"] == 'Nhac viec "do dau"...'
    assert request["client_ref"] == request["headers"]["Idempotency-Key"] == REMINDER.key
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"


async def test_a_wrong_token_is_a_rejection_and_an_unreachable_gateway_a_temporary_failure() -> (
    None
):
    async with FakeSmsGateway() as gateway:
        wrong = GenericSender(gateway.url, "wrong", max_parts=2)
        try:
            assert (await wrong.send(REMINDER)).status is SendStatus.REJECTED
        finally:
            await wrong.close()
    nowhere = GenericSender(f"http://127.0.0.1:{free_port()}/send", TOKEN, max_parts=2)
    try:
        assert (await nowhere.send(REMINDER)).status is SendStatus.TEMPORARY
    finally:
        await nowhere.close()


async def test_a_recipient_that_is_not_a_phone_number_is_rejected_without_a_request() -> None:
    async with FakeSmsGateway() as gateway:
        sender = GenericSender(gateway.url, TOKEN, max_parts=2)
        message = ClaimedMessage(2, "k", "sms", "Viettel", "xin chao")
        try:
            assert (await sender.send(message)).status is SendStatus.REJECTED
        finally:
            await sender.close()
        assert gateway.requests == []
