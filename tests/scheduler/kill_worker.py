"""A dispatcher in its own process, for the kill -9 test.

``python -m tests.scheduler.kill_worker URL SCHEMA LOG`` sends every due outbox row to a "gateway"
that appends the message key to ``LOG`` (flushed to disk before answering), then pauses before
answering, so a kill leaves rows the gateway has but the outbox still holds as ``sending``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scheduler.dispatcher import DispatchConfig, Dispatcher
from scheduler.sending import SendResult
from storage.db import create_engine, session_factory
from storage.outbox import ClaimedMessage

LEASE = timedelta(seconds=600)


class LoggingGateway:
    """Appends each key to a file, as a gateway that keeps what it accepted."""

    def __init__(self, log: Path, pause: float) -> None:
        self.log = log
        self.pause = pause

    async def send(self, message: ClaimedMessage) -> SendResult:
        with self.log.open("a", encoding="utf-8") as handle:
            handle.write(message.key + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        await asyncio.sleep(self.pause)
        return SendResult.sent()


async def main(url: str, schema: str, log: Path) -> None:
    engine = create_engine(url, search_path=schema or None)
    config = DispatchConfig(per_second=50, chat_interval=0.0, batch=10, lease=LEASE)
    dispatcher = Dispatcher(
        session_factory(engine),
        LoggingGateway(log, 0.05),
        worker=f"pid{os.getpid()}",
        clock=lambda: datetime.now(UTC),
        config=config,
    )
    await dispatcher.run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3])))
