"""A worker killed with SIGKILL in the middle of a batch loses nothing and records nothing twice.

The gateway (a file the worker appends each key to) may see a key again when the next worker
takes over an expired lease; deduplicating by the key, as gateways with idempotency keys do,
every message is delivered exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.dispatcher import DispatchConfig, Dispatcher
from storage.outbox import NewMessage, count_by_state, enqueue
from tests.scheduler.kill_worker import LEASE, LoggingGateway

ROOT = Path(__file__).resolve().parents[2]
COUNT = 60

pytestmark = pytest.mark.slow


def keys_in(log: Path) -> Counter[str]:
    return Counter(log.read_text().splitlines()) if log.exists() else Counter()


async def wait_for_lines(log: Path, lines: int) -> None:
    """Poll the gateway's file (another process writes it; there is nothing to await)."""
    async with asyncio.timeout(30):
        while True:
            if keys_in(log).total() >= lines:
                return
            await asyncio.sleep(0.02)


async def test_killed_worker_loses_nothing_and_sends_nothing_twice(
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    test_schema: str | None,
    tmp_path: Path,
) -> None:
    keys = [f"kill:{i}" for i in range(COUNT)]
    async with sessions() as session, session.begin():
        await enqueue(
            session,
            [
                NewMessage(k, "sms", f"+8491{i:07d}", "Nhắc việc", quiet=False)
                for i, k in enumerate(keys)
            ],
            datetime.now(UTC),
        )
    log = tmp_path / "gateway.log"
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.scheduler.kill_worker",
        database_url, test_schema or "", str(log),
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    await wait_for_lines(log, 15)
    worker.send_signal(signal.SIGKILL)
    await worker.wait()

    async with sessions() as session:
        after_kill = await count_by_state(session)
    assert after_kill.get("sending", 0) > 0, after_kill
    sent_before = keys_in(log)

    later = datetime.now(UTC) + LEASE * 2
    survivor = Dispatcher(
        sessions,
        LoggingGateway(log, 0.0),
        worker="survivor",
        clock=lambda: later,
        config=DispatchConfig(per_second=500, chat_interval=0.0, batch=COUNT),
    )
    while (await survivor.run_once()).claimed:
        pass

    delivered = keys_in(log)
    async with sessions() as session:
        assert await count_by_state(session) == {"sent": COUNT}
    assert set(delivered) == set(keys)
    repeated = {key for key, times in delivered.items() if times > 1}
    assert len(repeated) <= after_kill["sending"]
    assert all(delivered[key] == 1 for key in sent_before if key not in repeated)
    assert all(times <= 2 for times in delivered.values())
