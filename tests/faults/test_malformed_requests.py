"""A corpus of malformed requests against every webhook of ``giamngheo run`` as a real process
(SQLite and PostgreSQL): each gets 401 (not authenticated), 400 (authenticated but malformed) or
413 (too large) with a short body of our own that echoes nothing of the request, never a 500,
and the log gets one line for it, never a traceback.

The fixed corpus names each case; :func:`junk` adds generated ones (``GIAMNGHEO_JUNK_REQUESTS``
of them per webhook, a few dozen by default, thousands under ``make faults``).
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import AsyncIterator, Callable
from typing import NamedTuple

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import ProcessedUpdate
from tests.faults.webhook_server import (
    SMS,
    SMS_SECRET,
    TELEGRAM,
    ZALO,
    ZALO_APP_ID,
    Server,
    running_server,
    settle,
    sms_headers,
    telegram_headers,
    zalo_headers,
)

JUNK = int(os.environ.get("GIAMNGHEO_JUNK_REQUESTS", "40"))
NESTED = b"[" * 30_000 + b"]" * 30_000
MARKER = "Zq7-marker"
"""Put in every body, so an answer or a log line that echoes the request is found."""


class Case(NamedTuple):
    path: str
    body: bytes
    headers: Callable[[bytes], dict[str, str]]
    status: int


def signed_sms(body: bytes) -> dict[str, str]:
    return sms_headers(body)


def no_headers(body: bytes) -> dict[str, str]:
    return {}


def sms_timestamp(value: str) -> Callable[[bytes], dict[str, str]]:
    def headers(body: bytes) -> dict[str, str]:
        return {**sms_headers(body), "X-Timestamp": value}

    return headers


def zalo_signed(body: bytes) -> dict[str, str]:
    """Signed over the body with the first timestamp it holds (now when it holds none)."""
    found = body.split(b'"timestamp": "', 1)
    stamp = found[1].split(b'"', 1)[0].decode() if len(found) == 2 else str(int(time.time()))
    return zalo_headers(body, stamp)


def zalo_body(tail: bytes) -> bytes:
    """A Zalo body that opens like a genuine event (so its signature can be checked) and goes
    on with ``tail``."""
    stamp = int(time.time() * 1000)
    head = f'{{"app_id": "{ZALO_APP_ID}", "timestamp": "{stamp}", "note": "{MARKER}", "x": '
    return head.encode() + tail


def sms_json(**fields: object) -> bytes:
    return json.dumps({"note": MARKER, **fields}).encode()


def corpus() -> dict[str, Case]:
    huge = "9" * 5000
    telegram = telegram_headers
    return {
        "telegram-not-json": Case(TELEGRAM, b"hello " + MARKER.encode(), lambda b: telegram(), 400),
        "telegram-array": Case(TELEGRAM, b"[1]", lambda b: telegram(), 400),
        "telegram-empty-object": Case(TELEGRAM, b"{}", lambda b: telegram(), 400),
        "telegram-update-id-text": Case(
            TELEGRAM, json.dumps({"update_id": MARKER}).encode(), lambda b: telegram(), 400
        ),
        "telegram-nested": Case(TELEGRAM, NESTED, lambda b: telegram(), 400),
        "telegram-truncated": Case(
            TELEGRAM, b'{"update_id": 1, "message": {"text": "' + MARKER.encode(),
            lambda b: telegram(), 400,
        ),
        "telegram-huge-number": Case(
            TELEGRAM, b'{"update_id": ' + huge.encode() + b"}", lambda b: telegram(), 400
        ),
        "telegram-not-utf8": Case(TELEGRAM, b'{"update_id": 1, "x": "\xff\xfe"}',
                                  lambda b: telegram(), 400),
        "telegram-empty-body": Case(TELEGRAM, b"", lambda b: telegram(), 400),
        "telegram-nested-unsigned": Case(TELEGRAM, NESTED, no_headers, 401),
        "sms-nested-unsigned": Case(SMS, NESTED, no_headers, 401),
        "sms-timestamp-superscript": Case(SMS, sms_json(id="a"), sms_timestamp("²"), 401),
        "sms-timestamp-5000-digits": Case(SMS, sms_json(id="a"), sms_timestamp(huge), 401),
        "sms-timestamp-negative": Case(SMS, sms_json(id="a"), sms_timestamp("-5"), 401),
        "sms-nested-signed": Case(SMS, NESTED, signed_sms, 400),
        "sms-truncated-signed": Case(SMS, sms_json(id="a")[:-3], signed_sms, 400),
        "sms-not-utf8-signed": Case(SMS, b'{"id": "\xff\xfe", "x": 1}', signed_sms, 400),
        "sms-array-signed": Case(SMS, b"[1, 2]", signed_sms, 400),
        "sms-id-number-signed": Case(SMS, sms_json(id=5, event="sms.received"), signed_sms, 400),
        "sms-huge-number-signed": Case(SMS, b'{"id": ' + huge.encode() + b"}", signed_sms, 400),
        "sms-from-wrong-type-signed": Case(
            SMS, sms_json(id="w1", event="sms.received", **{"from": [1]}, text="x"),
            signed_sms, 400,
        ),
        "sms-event-id-mismatch": Case(
            SMS, sms_json(id="one", event="sms.received", **{"from": "0912345678"}, text="x"),
            lambda b: {**sms_headers(b), "X-Event-Id": "two"}, 400,
        ),
        "zalo-nested-bad-signature": Case(
            ZALO, NESTED, lambda b: {"X-ZEvent-Signature": "x"}, 401
        ),
        "zalo-nested-signed": Case(ZALO, zalo_body(NESTED + b"}"), zalo_signed, 400),
        "zalo-truncated-signed": Case(ZALO, zalo_body(b'{"y": '), zalo_signed, 400),
        "zalo-not-utf8-signed": Case(ZALO, zalo_body(b'"\xff\xfe"}'), zalo_signed, 400),
        "zalo-timestamp-text": Case(
            ZALO, json.dumps({"app_id": ZALO_APP_ID, "timestamp": "abc", "n": MARKER}).encode(),
            lambda b: {"X-ZEvent-Signature": "mac=" + "0" * 64}, 401,
        ),
        "zalo-no-timestamp": Case(ZALO, sms_json(app_id=ZALO_APP_ID), zalo_signed, 401),
        "zalo-huge-timestamp": Case(
            ZALO, json.dumps({"app_id": ZALO_APP_ID, "timestamp": huge}).encode(),
            zalo_signed, 401,
        ),
    }  # fmt: skip


@pytest.fixture(scope="module")
async def server(
    engine: AsyncEngine, database_url: str, test_schema: str | None
) -> AsyncIterator[Server]:
    async with running_server(engine, database_url, test_schema) as running:
        yield running


CORPUS = corpus()


@pytest.mark.parametrize("name", list(CORPUS))
async def test_malformed_request_gets_a_short_fixed_answer_and_changes_nothing(
    server: Server, name: str
) -> None:
    case = CORPUS[name]
    before = await server.count(ProcessedUpdate)

    status, answer = await server.post(case.path, case.body, case.headers(case.body))

    assert status == case.status, name
    assert len(answer) < 64, answer
    assert json.loads(answer)["error"], answer
    assert MARKER.encode() not in answer
    await settle(0.05)
    assert await server.count(ProcessedUpdate) == before


def junk(seed: int) -> bytes:
    """A body a broken client might send: random bytes, a JSON document cut short, a genuine
    shape with a field of the wrong type, or deep nesting."""
    rng = random.Random(seed)
    kind = rng.randrange(4)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 400))
    message = {"chat": {"id": 1, "type": "private"}, "date": 0, "message_id": 1}
    shape = {"update_id": 1, "event": "sms.received", "id": f"j{seed}", "from": "0912345678",
             "text": MARKER, "app_id": ZALO_APP_ID, "timestamp": str(int(time.time() * 1000)),
             "message": message}  # fmt: skip
    if kind == 1:
        raw = json.dumps(shape).encode()
        return raw[: rng.randrange(1, len(raw) - 1)]
    if kind == 2:
        key = rng.choice(list(shape))
        shape[key] = rng.choice([None, [], {}, 1.5, -1, "", "x" * 200, [MARKER], True])
        return json.dumps(shape).encode()
    depth = rng.randrange(100, 20_000)
    return b"[" * depth + b"]" * rng.randrange(0, depth)


@pytest.mark.parametrize("path", [TELEGRAM, SMS, ZALO])
async def test_generated_junk_with_valid_credentials_is_never_a_server_error(
    server: Server, path: str
) -> None:
    credentials: dict[str, Callable[[bytes], dict[str, str]]] = {
        TELEGRAM: lambda b: telegram_headers(),
        SMS: signed_sms,
        ZALO: zalo_signed,
    }
    statuses: dict[int, int] = {}
    for seed in range(JUNK):
        body = junk(seed)
        status, answer = await server.post(path, body, credentials[path](body))
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500, (path, seed, status)
        assert MARKER.encode() not in answer
    assert set(statuses) <= {200, 400, 401}, statuses
    log = server.log()
    assert "Traceback" not in log
    assert SMS_SECRET not in log


async def test_unknown_paths_and_methods_get_short_answers_of_our_own(server: Server) -> None:
    async with server.http.get(server.url + f"/{MARKER}") as missing:
        assert missing.status == 404
        assert await missing.json() == {"error": "not found"}
    async with server.http.get(server.url + SMS) as wrong_method:
        assert wrong_method.status == 405
        assert await wrong_method.json() == {"error": "method not allowed"}
