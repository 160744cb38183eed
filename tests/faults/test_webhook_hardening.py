"""What an attacker holding one captured request, or a crowd of strangers, can do against
``giamngheo run`` as a real process (SQLite and PostgreSQL): replays are handled once whatever
their unsigned headers say, streamed bodies meet the same caps as declared ones, Zalo's window
holds both ways, strangers' replies stay within their budget, and no log line carries a phone
number, a name or a household code."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import (
    Assessment,
    OutboxMessage,
    ProcessedUpdate,
    SupportRecord,
    WebhookSignature,
)
from tests.faults.webhook_server import (
    CADRE_PHONE,
    SMS,
    TELEGRAM,
    ZALO,
    Server,
    running_server,
    settle,
    sms_event,
    sms_headers,
    telegram_headers,
    zalo_event,
    zalo_headers,
)

LOOP_LIMIT = 8
STRANGERS_PER_HOUR = 3
MANAGER_PHONE = "0900000002"
MENTOR_PHONE = "0900000004"
KNOWN_PHONE = "0966123457"
KNOWN_NAME = "Lò Văn Pháo"
KNOWN_CODE = "XY99999"
"""Personal data the PII test sends through every error path, then looks for in the log."""


@pytest.fixture(scope="module")
async def server(
    engine: AsyncEngine, database_url: str, test_schema: str | None
) -> AsyncIterator[Server]:
    async with running_server(
        engine,
        database_url,
        test_schema,
        GIAMNGHEO_SMS_LOOP_REPLIES=str(LOOP_LIMIT),
        GIAMNGHEO_STRANGER_REPLIES_PER_HOUR=str(STRANGERS_PER_HOUR),
    ) as running:
        yield running


async def test_a_captured_sms_replayed_under_new_event_ids_records_the_support_once(
    server: Server,
) -> None:
    body = sms_event("capture-1", CADRE_PHONE, "HT TL00001 vay_ho_ngheo 5tr DUNG")
    headers = sms_headers(body, event_id="capture-1")
    before = await server.count(SupportRecord)  # the demo's own support records
    assert (await server.post(SMS, body, headers))[0] == 200

    renamed = [
        (await server.post(SMS, body, {**headers, "X-Event-Id": f"replay-{n}"}))[0]
        for n in range(10)
    ]
    identical = [(await server.post(SMS, body, headers))[0] for _ in range(5)]
    without_id = {k: v for k, v in headers.items() if k != "X-Event-Id"}
    unnamed = (await server.post(SMS, body, without_id))[0]
    resigned = (await server.post(SMS, body, sms_headers(body, age=2)))[0]

    assert renamed == [400] * 10, "an X-Event-Id other than the signed id must be refused"
    assert identical == [200] * 5
    assert (unnamed, resigned) == (200, 200)
    assert await server.count(SupportRecord) == before + 1
    assert await server.count(ProcessedUpdate, ProcessedUpdate.update_id == "capture-1") == 1


async def test_one_check_sent_many_times_at_once_makes_one_assessment(server: Server) -> None:
    body = sms_event("capture-2", CADRE_PHONE, "KT TL00002 110000001100 1tr2")
    headers = sms_headers(body)
    statuses = await asyncio.gather(*(server.post(SMS, body, headers) for _ in range(8)))

    assert [status for status, _ in statuses] == [200] * 8
    assert await server.count(Assessment) == 1
    assert await server.count(OutboxMessage, OutboxMessage.idempotency_key.like("%capture-2")) == 1


async def test_messages_from_one_number_past_its_limit_are_not_handled(server: Server) -> None:
    ids = [f"limit-{n}" for n in range(LOOP_LIMIT + 3)]
    for event_id in ids:
        body = sms_event(event_id, MANAGER_PHONE, "menu")
        assert (await server.post(SMS, body, sms_headers(body)))[0] == 200

    handled = await server.count(ProcessedUpdate, ProcessedUpdate.update_id.in_(ids))
    assert handled == LOOP_LIMIT
    replies = await server.count(OutboxMessage, OutboxMessage.external_id == "+84900000002")
    assert replies == LOOP_LIMIT


async def test_strangers_get_one_reply_a_day_each_and_a_few_an_hour_together(
    server: Server,
) -> None:
    strangers = [f"098100000{n}" for n in range(1, 6)]
    for number in strangers:
        for attempt in range(2):
            event_id = f"stranger-{number}-{attempt}"
            body = sms_event(event_id, number, "xin chao")
            assert (await server.post(SMS, body, sms_headers(body)))[0] == 200
    body = sms_event("known-after-strangers", MENTOR_PHONE, "menu")
    assert (await server.post(SMS, body, sms_headers(body)))[0] == 200

    e164 = {"+84" + number[1:] for number in strangers}
    await server.gateway.wait_for(
        lambda: any(sent.to == "+84900000004" for sent in server.gateway.delivered), 20.0
    )
    await settle(1.5)
    delivered = [sent.to for sent in server.gateway.delivered if sent.to in e164]
    assert len(delivered) == STRANGERS_PER_HOUR
    assert len(set(delivered)) == STRANGERS_PER_HOUR, "a stranger got two replies in a day"
    async with server.sessions() as session:
        withheld = (
            await session.scalars(
                select(OutboxMessage.last_error).where(OutboxMessage.external_id.in_(e164))
            )
        ).all()
    assert sorted(withheld, key=str).count(None) == STRANGERS_PER_HOUR
    assert all(reason.startswith("withheld: stranger") for reason in withheld if reason is not None)
    assert len(withheld) == 2 * len(strangers), "every stranger's message is recorded"


async def streamed(body: bytes, piece: int = 8192) -> AsyncIterator[bytes]:
    for start in range(0, len(body), piece):
        yield body[start : start + piece]


async def test_bodies_streamed_past_the_caps_are_refused_and_not_handled(server: Server) -> None:
    sms = sms_event("streamed-1", CADRE_PHONE, "KT TL00003 " + "1" * 300_000)
    zalo = json.dumps(zalo_event("x" * 300_000, msg_id="streamed-zalo")).encode()
    telegram = json.dumps({"update_id": 1, "padding": "x" * 1_100_000}).encode()
    stamp = json.loads(zalo)["timestamp"]
    before = await server.count(ProcessedUpdate)

    statuses = [
        (await server.post(SMS, streamed(sms), sms_headers(sms)))[0],
        (await server.post(ZALO, streamed(zalo), zalo_headers(zalo, stamp)))[0],
        (await server.post(TELEGRAM, streamed(telegram), telegram_headers()))[0],
    ]

    assert statuses == [413, 413, 413]
    await settle()
    assert await server.count(ProcessedUpdate) == before


@pytest.mark.parametrize(
    ("case", "offset_ms", "status"),
    [
        ("100 years ahead", 100 * 365 * 86_400_000, 401),
        ("10 minutes ahead", 600_000, 401),
        ("2 days old", -2 * 86_400_000, 401),
        ("2 minutes ahead", 120_000, 200),
        ("a minute old", -60_000, 200),
    ],
)
async def test_zalo_events_outside_the_window_either_way_are_refused(
    server: Server, case: str, offset_ms: int, status: int
) -> None:
    millis = int(time.time() * 1000) + offset_ms
    event = zalo_event("menu", millis=millis, msg_id=f"window-{offset_ms}")
    raw = json.dumps(event).encode()

    answer, _ = await server.post(ZALO, raw, zalo_headers(raw, str(millis)))

    assert answer == status, case
    await settle()
    update_id = f"msg:window-{offset_ms}"
    seen = await server.count(ProcessedUpdate, ProcessedUpdate.update_id == update_id)
    assert seen == (1 if status == 200 else 0)


async def test_a_zalo_timestamp_that_is_not_a_number_is_refused(server: Server) -> None:
    event = zalo_event("menu", msg_id="not-a-number")
    event["timestamp"] = "abc"
    raw = json.dumps(event).encode()

    assert (await server.post(ZALO, raw, zalo_headers(raw, "abc")))[0] == 401
    await settle()
    assert await server.count(ProcessedUpdate, ProcessedUpdate.update_id == "msg:not-a-number") == 0


async def test_a_replayed_zalo_request_is_recognised_by_its_signature(server: Server) -> None:
    event = zalo_event("menu", msg_id="replayed-zalo")
    raw = json.dumps(event).encode()
    headers = zalo_headers(raw, event["timestamp"])

    statuses = [(await server.post(ZALO, raw, headers))[0] for _ in range(3)]

    assert statuses == [200, 200, 200]
    await settle()
    update = ProcessedUpdate.update_id == "msg:replayed-zalo"
    assert await server.count(ProcessedUpdate, update) == 1
    digest = headers["X-ZEvent-Signature"].removeprefix("mac=")
    assert await server.count(WebhookSignature, WebhookSignature.digest == digest) == 1
    assert server.log().count("zalo: a replayed text event ignored") >= 2


async def test_no_log_line_carries_a_phone_number_a_name_or_a_household_code(
    server: Server,
) -> None:
    words = f"{KNOWN_PHONE} {KNOWN_NAME} {KNOWN_CODE}"
    user = {"id": 7401, "is_bot": False, "first_name": KNOWN_NAME, "phone_number": KNOWN_PHONE}
    message = {"message_id": 9, "date": int(time.time()), "from": user, "text": words}
    telegram_cases = [
        {"update_id": 900_001, "message": message},  # no chat: pydantic quotes the input
        {"update_id": KNOWN_PHONE, "message": {**message, "chat": {"id": "x", "type": 1}}},
        {"update_id": 900_002, "callback_query": {"id": KNOWN_CODE, "data": words}},
    ]
    for update in telegram_cases:
        status, _ = await server.post(TELEGRAM, json.dumps(update), telegram_headers())
        assert status == 400
    sms_cases = [
        {"event": "sms.received", "id": "pii-1", "from": 912345678, "text": words},
        {"event": "sms.received", "id": "pii-2", "from": KNOWN_PHONE, "text": ["x", words]},
        {"event": "sms.received", "id": KNOWN_PHONE * 20, "from": KNOWN_PHONE, "text": words},
    ]
    for payload in sms_cases:
        body = json.dumps(payload).encode()
        assert (await server.post(SMS, body, sms_headers(body)))[0] == 400
    ordinary = sms_event("pii-ok", KNOWN_PHONE, f"KT {KNOWN_CODE} {KNOWN_NAME}")
    assert (await server.post(SMS, ordinary, sms_headers(ordinary)))[0] == 200
    unsigned = sms_event("pii-unsigned", KNOWN_PHONE, words)
    assert (await server.post(SMS, unsigned, {"X-Timestamp": KNOWN_PHONE}))[0] == 401
    zalo = json.dumps(zalo_event(words, sender=KNOWN_PHONE)).encode()
    broken = zalo[:-1] + b", }"  # signed, but not JSON
    stamp = json.loads(zalo)["timestamp"]
    assert (await server.post(ZALO, broken, zalo_headers(broken, stamp)))[0] == 400
    await raw_http(server, f"GET /{KNOWN_PHONE}?ten={KNOWN_CODE} HTTP/1.1\r\n\r\n".encode())
    await raw_http(server, f"{KNOWN_NAME} {KNOWN_PHONE}\r\n\r\n".encode())
    await settle(1.0)

    log = server.log()
    escaped = json.dumps(KNOWN_NAME)[1:-1]
    for secret in (KNOWN_PHONE, KNOWN_PHONE[1:], "912345678", KNOWN_NAME, escaped, KNOWN_CODE):
        assert secret not in log, f"{secret!r} is in the log"
    assert "Traceback" not in log


async def raw_http(server: Server, request: bytes) -> bytes:
    """Bytes straight onto the socket, as a broken or hostile client sends them."""
    host, port = server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(4096), 5.0)
    finally:
        writer.close()
        await writer.wait_closed()
