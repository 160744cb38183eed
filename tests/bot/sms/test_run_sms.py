"""``giamngheo run`` with only SMS configured: it starts, answers a signed SMS through the
gateway, and stops on SIGTERM; what it says when the configuration is incomplete."""

from __future__ import annotations

import asyncio
import json
import signal
import tempfile
import time

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands.run import configuration_problem
from bot.handlers.sms.gsm7 import is_gsm7
from bot.settings import Settings
from tests.bot.conftest import Area
from tests.bot.fake_sms import TOKEN, FakeSmsGateway
from tests.bot.sms.conftest import SECRET, signed_headers
from tests.bot.telegram_harness import GIAMNGHEO, free_port

READY_SECONDS = 30.0


async def wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + READY_SECONDS
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline and process.returncode is None:
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("giamngheo run did not start serving")


async def test_run_with_only_sms_settings_answers_an_sms_and_stops_on_sigterm(
    sessions: async_sessionmaker[AsyncSession],
    area: Area,
    database_url: str,
    test_schema: str | None,
    gateway: FakeSmsGateway,
) -> None:
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "GIAMNGHEO_DATABASE_URL": database_url,
        "GIAMNGHEO_HTTP_PORT": str(port),
        "GIAMNGHEO_SMS_WEBHOOK_SECRET": SECRET.decode(),
        "GIAMNGHEO_SMS_SEND_URL": gateway.url,
        "GIAMNGHEO_SMS_SEND_TOKEN": TOKEN,
        "GIAMNGHEO_PLAN_REMINDERS": "false",  # real clock: no reminders amid the test's SMS
        **({"GIAMNGHEO_DATABASE_SCHEMA": test_schema} if test_schema else {}),
    }
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as output:
        process = await asyncio.create_subprocess_exec(
            str(GIAMNGHEO), "run", env=env, stdout=output, stderr=output
        )
        try:
            await wait_healthy(f"{base}/healthz", process)
            payload = {"event": "sms.received", "id": "run-1", "from": "0912345678",
                       "to": "+84987000000", "text": "menu"}  # fmt: skip
            body = json.dumps(payload).encode()
            headers = signed_headers(body, int(time.time()), "run-1")
            async with aiohttp.ClientSession() as http:
                async with http.post(f"{base}/channels/sms/inbound", data=body) as unsigned:
                    assert unsigned.status == 401
                url = f"{base}/channels/sms/inbound"
                async with http.post(url, data=body, headers=headers) as response:
                    assert response.status == 200
            await gateway.wait_for(lambda: bool(gateway.delivered), 20.0)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 20)
        output.seek(0)
        log = output.read().decode(errors="replace")
    [sms] = gateway.delivered
    assert sms.to == "+84912345678"
    assert sms.text.startswith("Anh/chi muon lam gi?")
    assert is_gsm7(sms.text)
    assert code == 0, log
    assert "0912345678" not in log
    assert "84912345678" not in log


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("values", "webhook", "expected"),
    [
        ({}, None, "Chưa cấu hình kênh nào"),
        ({"sms_webhook_secret": SecretStr("s")}, None, "Kênh SMS cần cả"),
        ({"sms_send_url": "http://x"}, None, "Kênh SMS cần cả"),
        (
            {"sms_webhook_secret": SecretStr("s"), "sms_send_url": "http://x",
             "sms_gateway": "smsgate"},
            None,
            "Cổng SMSGate cần GIAMNGHEO_SMS_SEND_USER",
        ),
        (
            {"sms_webhook_secret": SecretStr("s"), "sms_send_url": "http://x"},
            "https://bot.example.vn",
            "Chưa có token Telegram",
        ),
    ],
)  # fmt: skip
def test_an_incomplete_configuration_is_named(
    values: dict[str, object], webhook: str | None, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TELEGRAM_TOKEN", "SMS_WEBHOOK_SECRET", "SMS_SEND_URL", "SMS_GATEWAY"):
        monkeypatch.delenv(f"GIAMNGHEO_{name}", raising=False)

    problem = configuration_problem(settings(**values), webhook)

    assert problem is not None
    assert problem.startswith(expected)


def test_sms_alone_or_telegram_alone_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TELEGRAM_TOKEN", "SMS_WEBHOOK_SECRET", "SMS_SEND_URL", "SMS_GATEWAY"):
        monkeypatch.delenv(f"GIAMNGHEO_{name}", raising=False)
    sms = {"sms_webhook_secret": SecretStr("s"), "sms_send_url": "http://x"}

    assert configuration_problem(settings(**sms), None) is None
    assert configuration_problem(settings(telegram_token=SecretStr("1:x")), None) is None
    smsgate = {**sms, "sms_gateway": "smsgate", "sms_send_user": "u",
               "sms_send_token": SecretStr("p")}  # fmt: skip
    assert configuration_problem(settings(**smsgate), None) is None
