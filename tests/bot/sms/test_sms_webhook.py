"""The SMS channel end to end over HTTP: signed inbound → engine → outbox → fake gateway
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import Engine, ReplyHook
from bot.flows.messages import Inbound, Outbound
from bot.handlers.sms.events import SmsEvent
from bot.handlers.sms.generic import GenericSender
from bot.handlers.sms.gsm7 import is_gsm7, parts_needed
from bot.handlers.sms.inbox import LoopGuard, SmsInbox
from storage.models import ConversationState, OutboxMessage, ProcessedUpdate
from tests.bot.conftest import Clock
from tests.bot.fake_sms import TOKEN, FakeSmsGateway
from tests.bot.sms.conftest import SmsLine, count, dispatcher_for, signed_headers
from tests.conftest import PEOPLE_TZ

PHONE = "+84912345678"
"""The seeded cadre who has no chat identity, only a phone number."""


def body_of(sender: str, text: str, event: str = "evt-x") -> bytes:
    payload = {"event": "sms.received", "id": event, "from": sender, "to": "+84987000000",
               "text": text}  # fmt: skip
    return json.dumps(payload).encode()


async def nothing_stored(sessions: async_sessionmaker[AsyncSession]) -> bool:
    counts = [await count(sessions, m) for m in (ProcessedUpdate, ConversationState, OutboxMessage)]
    return counts == [0, 0, 0]


async def test_signed_message_is_answered_at_the_gateway_in_gsm7_within_two_parts(
    line: SmsLine,
) -> None:
    [reply] = await line.say("0912345678", "menu")
    [request] = line.gateway.requests
    pages = [reply]
    while pages[-1].endswith("\n(gui TIEP de xem tiep)") and len(pages) < 10:
        pages += await line.say("0912345678", "TIEP")

    assert line.gateway.delivered[0].to == PHONE
    assert reply.startswith("Anh/chi muon lam gi?")
    assert len(pages) > 1, "the long menu comes in pages"
    assert "1. Kiem tra ho  2. Tra cuu chinh sach" in pages[-1]
    assert all(is_gsm7(sms) and parts_needed(sms) <= 2 for sms in pages)
    assert request["headers"]["Idempotency-Key"] == request["client_ref"]
    assert request["client_ref"].startswith("sms-reply:")


@pytest.mark.parametrize(
    "problem", ["unsigned", "wrong signature", "wrong secret", "stale", "future", "no timestamp"]
)
async def test_unsigned_wrongly_signed_or_stale_requests_get_401_and_change_nothing(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession], clock: Clock, problem: str
) -> None:
    body = body_of("0912345678", "menu")
    now = int(clock.now.timestamp())
    headers = signed_headers(body, now, "evt-bad")
    if problem == "unsigned":
        del headers["X-Signature"]
    elif problem == "wrong signature":
        headers["X-Signature"] = headers["X-Signature"][:-4] + "0000"
    elif problem == "wrong secret":
        from bot.handlers.sms.generic import sign

        headers["X-Signature"] = sign(b"another secret", str(now), body)
    elif problem == "stale":
        headers = signed_headers(body, now - 301, "evt-bad")
    elif problem == "future":
        headers = signed_headers(body, now + 301, "evt-bad")
    else:
        del headers["X-Timestamp"]

    assert await line.post(body, headers) == 401

    await line.flush()
    assert line.gateway.requests == []
    assert await nothing_stored(sessions)


async def test_a_body_changed_after_signing_is_refused(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    headers = signed_headers(body_of("0912345678", "menu"), int(clock.now.timestamp()), "e1")

    assert await line.post(body_of("0912345678", "kiem tra"), headers) == 401
    assert await nothing_stored(sessions)


async def test_signed_but_malformed_bodies_get_400_and_change_nothing(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    now = int(clock.now.timestamp())
    for body in (b"not json", b"[1, 2]", json.dumps({"event": "sms.received", "id": "e"}).encode()):
        assert await line.post(body, signed_headers(body, now, "evt-malformed")) == 400
    long_id = "x" * 101
    body = body_of("0912345678", "menu", long_id)
    headers = signed_headers(body, now, long_id)
    assert await line.post(body, headers) == 400
    assert await nothing_stored(sessions)


async def test_a_repeated_event_id_is_acknowledged_and_answered_once(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert await line.receive("0912345678", "kiem tra", "evt-twice") == 200
    assert await line.receive("0912345678", "kiem tra", "evt-twice") == 200
    await line.flush()

    assert len(line.gateway.delivered) == 1
    assert await count(sessions, ProcessedUpdate) == 1


async def test_the_same_person_from_09_84_and_plus84_is_one_conversation(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    [asked] = await line.say("0912345678", "kiem tra")
    [household] = await line.say("84912345678", "TL00001")
    [income] = await line.say("+84912345678", "1200000")

    assert asked.startswith("Anh/chi muon kiem tra ho nao?")
    assert "TL00001" in household
    assert income != household
    async with sessions() as session:
        rows = (await session.scalars(select(ConversationState))).all()
    assert [(row.channel, row.external_id) for row in rows] == [("sms", PHONE)]
    assert {sent.to for sent in line.gateway.delivered} == {PHONE}


async def test_a_stranger_gets_the_polite_note_without_tone_marks(line: SmsLine) -> None:
    [reply] = await line.say("0987654321", "xin chao")

    assert reply.startswith("Xin loi, so nay chua duoc cap quyen")
    assert is_gsm7(reply)


@pytest.fixture
def guard() -> LoopGuard:
    return LoopGuard(replies=3, window=timedelta(minutes=10))


async def test_messages_past_the_loop_limit_are_neither_handled_nor_answered(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    answered = [bool(await line.say("0912345678", text)) for text in ("menu", "1", "huy")]
    assert answered == [True, True, True]
    past_limit = [bool(await line.say("0912345678", text)) for text in ("kiem tra", "menu")]

    assert past_limit == [False, False]
    assert await count(sessions, ConversationState) == 0, "a message past the limit was handled"
    assert await count(sessions, ProcessedUpdate) == 3
    clock.advance(timedelta(minutes=10))
    assert await line.say("0912345678", "menu")


@pytest.mark.parametrize("sender", ["Viettel", "VNPT-HCM", "1414", "9029", "+842437654321", ""])
async def test_operators_short_codes_and_fixed_lines_get_no_reply(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession], sender: str
) -> None:
    assert await line.say(sender, "Tai khoan cua ban con 5.000d") == []
    assert await nothing_stored(sessions)


@pytest.mark.parametrize(
    "text",
    [
        "Đây là tin nhắn trả lời tự động. Tôi sẽ liên hệ lại sau.",
        "Auto-reply: I am out of office until Monday",
        "TK chinh cua quy khach con 12.000d",
    ],
)
async def test_automatic_replies_from_a_mobile_number_are_never_answered(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession], text: str
) -> None:
    assert await line.say("0912345678", text) == []
    assert await nothing_stored(sessions)


async def test_delivery_reports_are_acknowledged_and_never_reach_the_engine(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    now = int(clock.now.timestamp())
    for n, event in enumerate(("sms.delivered", "sms.failed", "sms.sent", "system.ping")):
        body = json.dumps({"event": event, "id": f"s{n}", "message_id": "m1"}).encode()
        assert await line.post(body, signed_headers(body, now, f"s{n}")) == 200

    assert await nothing_stored(sessions)


async def test_bad_input_gets_a_short_answer_and_stores_no_step(
    line: SmsLine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await line.say("0912345678", "kiem tra")
    [too_long] = await line.say("0912345678", "a" * 600)
    [emoji] = await line.say("0912345678", "😀😀")

    assert too_long.startswith("Tin nhan dai qua (toi da 500 ky tu)")
    assert emoji.startswith("Xin chi nhap chu, so va dau cau thong thuong.\nAnh/chi muon kiem tra")
    for reply in (too_long, emoji):
        assert is_gsm7(reply)
        assert parts_needed(reply) <= 2


async def test_gateway_429_and_500_are_retried_and_the_reply_delivered_once(
    line: SmsLine, gateway: FakeSmsGateway, clock: Clock
) -> None:
    gateway.fail_next(429, 500)
    assert await line.receive("0912345678", "menu") == 200

    first = await line.flush()
    clock.advance(timedelta(seconds=8))
    second = await line.flush()
    clock.advance(timedelta(seconds=10))
    third = await line.flush()

    assert (first.throttled, second.retried, third.sent) == (1, 1, 1)
    assert len(gateway.delivered) == 1
    keys = {request["client_ref"] for request in gateway.requests}
    assert len(gateway.requests) == 3
    assert len(keys) == 1


class BrokenEngine(Engine):
    async def handle(
        self, inbound: Inbound, *, before_commit: ReplyHook | None = None
    ) -> list[Outbound]:
        raise RuntimeError("database exploded")


async def test_an_unexpected_failure_gets_one_apology_and_the_webhook_keeps_serving(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, gateway: FakeSmsGateway
) -> None:
    inbox = SmsInbox(BrokenEngine(sessions, clock, [], tz=PEOPLE_TZ), sessions, clock)
    sender = GenericSender(gateway.url, TOKEN, max_parts=2)
    try:
        for _ in range(2):
            await inbox.receive(SmsEvent("received", "evt-broken", "0912345678", "menu"))
        await dispatcher_for(sessions, sender, clock).run_once()
    finally:
        await sender.close()

    [apology] = gateway.delivered
    assert apology.text == "Xin loi, tro ly dang gap su co. Xin thu lai sau it phut."
    assert await count(sessions, ProcessedUpdate) == 0
