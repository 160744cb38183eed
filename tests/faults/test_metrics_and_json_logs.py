"""``/metrics`` and JSON-lines logs of ``giamngheo run`` as a real process (SQLite and
PostgreSQL): messages with personal data in them go through the three webhooks, and neither the
metrics nor the log carry a phone number, a name or a household code, while the figures count
what happened."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import Household
from tests.bot.telegram_harness import CHATS
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

KNOWN_NAME = "Hà Thị Bảo Mật"
KNOWN_PHONE = "0966123458"
ZALO_USER = "246845883529197555"

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
async def server(
    engine: AsyncEngine, database_url: str, test_schema: str | None
) -> AsyncIterator[Server]:
    async with running_server(
        engine, database_url, test_schema, GIAMNGHEO_LOG_FORMAT="json"
    ) as running:
        yield running


async def scrape(server: Server) -> tuple[str, Samples]:
    async with server.http.get(server.url + "/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_messages_sends_and_refusals_without_personal_data(
    server: Server,
) -> None:
    async with server.sessions() as session:
        household = (await session.execute(select(Household).limit(1))).scalar_one()
    code, head = household.code, household.head_name
    update = {
        "update_id": server.telegram.next_update_id(),
        "message": server.telegram.message_update(
            CHATS["cadre"], f"kiểm tra {code} {KNOWN_PHONE}", first_name=KNOWN_NAME
        ),
    }
    assert (await server.post(TELEGRAM, json.dumps(update), telegram_headers()))[0] == 200
    sms = sms_event("metrics-1", CADRE_PHONE, f"KT {code} {head} {KNOWN_PHONE}")
    assert (await server.post(SMS, sms, sms_headers(sms, event_id="metrics-1")))[0] == 200
    zalo = json.dumps(zalo_event(f"{KNOWN_NAME} {KNOWN_PHONE} {code}", sender=ZALO_USER))
    raw = zalo.encode()
    stamp = json.loads(raw)["timestamp"]
    assert (await server.post(ZALO, raw, zalo_headers(raw, stamp)))[0] == 200
    unsigned = {**telegram_headers(), "X-Telegram-Bot-Api-Secret-Token": "wrong"}
    assert (await server.post(TELEGRAM, json.dumps(update), unsigned))[0] == 401
    assert (await server.post(SMS, sms, {"X-Timestamp": str(int(time.time()))}))[0] == 401

    await server.gateway.wait_for(lambda: bool(server.gateway.sent_to("+84900000003")), 15.0)
    deadline = time.monotonic() + 15.0
    while True:
        text, samples = await scrape(server)
        if value(samples, "giamngheo_sends_total", channel="sms", result="sent") >= 1:
            break
        assert time.monotonic() < deadline, text
        await settle(0.3)

    for channel in ("telegram", "sms", "zalo"):
        handled = value(samples, "giamngheo_messages_total", channel=channel, outcome="answered")
        assert handled >= 1, f"{channel}: {text}"
        timed = value(samples, "giamngheo_message_handling_seconds_count", channel=channel)
        assert timed >= 1
    assert value(samples, "giamngheo_webhook_refusals_total", channel="telegram") == 1
    assert value(samples, "giamngheo_webhook_refusals_total", channel="sms") == 1
    assert value(samples, "giamngheo_webhook_refusals_total", channel="zalo") == 0
    assert value(samples, "giamngheo_database_up") == 1
    assert ("giamngheo_outbox_pending", ()) in samples
    assert ("giamngheo_outbox_oldest_due_seconds", ()) in samples
    names = {name for name, _ in samples}
    assert all(name.startswith("giamngheo_") for name in names if "giamngheo" in name)

    await settle(0.5)
    log = server.log()
    for secret in _personal(code, head):
        assert secret not in text, f"{secret!r} is in /metrics"
        assert secret not in log, f"{secret!r} is in the log"


async def test_json_log_lines_are_objects_with_level_logger_and_message(server: Server) -> None:
    status, _ = await server.post(TELEGRAM, b"{}", {"X-Telegram-Bot-Api-Secret-Token": "x"})
    assert status == 401
    await settle(0.3)
    lines = [line for line in server.log().splitlines() if line.startswith("{")]
    assert lines, server.log()
    for line in lines:
        record = json.loads(line)
        assert {"time", "level", "logger", "message"} <= record.keys()


def _personal(code: str, head: str) -> list[str]:
    """Each piece of personal data sent, as written and as JSON would escape it."""
    found = []
    for secret in (KNOWN_NAME, head, code, KNOWN_PHONE, CADRE_PHONE):
        found += [secret, json.dumps(secret)[1:-1]]
    found += [KNOWN_PHONE[1:], CADRE_PHONE[1:]]
    return found
