"""``giamngheo costs``: messages sent lately by channel and cost class."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from storage.db import create_engine, session_factory
from storage.models import OutboxMessage


async def sent(url: str, rows: list[tuple[str, str, str | None, str | None, timedelta]]) -> None:
    engine = create_engine(url)
    now = datetime.now(UTC)
    async with session_factory(engine)() as session, session.begin():
        for key, channel, via, cost, ago in rows:
            session.add(
                OutboxMessage(
                    idempotency_key=key, channel=channel, external_id="x", text="t", choices=[],
                    quiet=True, state="sent", attempts=1, next_try_at=now - ago,
                    created_at=now - ago, sent_at=now - ago, sent_via=via, cost_class=cost,
                )
            )  # fmt: skip
    await engine.dispose()


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'costs.db'}"
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", url)
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    return runner, url


def test_costs_count_free_zalo_paid_zns_and_sms_of_the_last_days(
    runner: tuple[CliRunner, str],
) -> None:
    cli, url = runner
    day = timedelta(days=1)
    asyncio.run(
        sent(
            url,
            [
                ("a", "zalo", "zalo", "free", day),
                ("b", "zalo", "zns", "zns", day),
                ("c", "zalo", "zns", "zns", 2 * day),
                ("d", "zalo", "sms", "sms", day),
                ("e", "sms", None, None, 40 * day),
            ],
        )
    )

    result = cli.invoke(app, ["costs", "--days", "7"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Tin đã gửi trong 7 ngày qua:",
        "• SMS: 1 tin (SMS, tính phí theo tin)",
        "• Zalo: 1 tin (miễn phí)",
        "• Zalo ZNS: 2 tin (ZNS, tính phí theo tin)",
    ]
    assert "Chưa gửi tin nào" in cli.invoke(app, ["costs", "--days", "1"]).stdout
