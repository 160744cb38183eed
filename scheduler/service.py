"""The scheduler inside a process: APScheduler ticks, the dispatcher drains the outbox.

APScheduler 3 (``AsyncIOScheduler``) only calls :func:`scheduler.tick.tick` every
``tick_every`` seconds; what is due lives in the database, so a restart loses nothing and several
instances can run side by side. The dispatcher is a plain asyncio task when a :class:`Sender` is
given (``giamngheo scheduler`` without one only plans); with ``plans`` off there are no ticks,
only the dispatcher (a worker that sends while another process plans).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from poverty.calendar import ReportCalendar
from scheduler.dispatcher import DispatchConfig, Dispatcher
from scheduler.quiet import QuietHours
from scheduler.reminders import PlanResult
from scheduler.sending import Sender
from scheduler.texts import Translate
from scheduler.tick import TickResult, tick

log = logging.getLogger(__name__)

TICK_JOB = "giamngheo-tick"


@dataclass
class SchedulerService:
    """Start with :meth:`start` inside a running event loop; stop with :meth:`stop`."""

    sessions: async_sessionmaker[AsyncSession]
    calendar: ReportCalendar
    clock: Callable[[], datetime]
    sender: Sender | None = None
    worker: str = "worker"
    dispatch: DispatchConfig = field(default_factory=DispatchConfig)
    translate: Translate = str
    tick_every: float = 300.0
    plans: bool = True
    on_plan: Callable[[PlanResult], None] | None = None
    """Told what each tick planned (the process's metrics count it)."""
    _scheduler: AsyncIOScheduler | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _dispatching: asyncio.Task[object] | None = None

    async def tick_now(self) -> TickResult:
        result = await tick(self.sessions, self.calendar, self.clock(), self.translate)
        log.info("tick ran=%s %s", result.ran, result.plan)
        if self.on_plan is not None:
            self.on_plan(result.plan)
        return result

    def start(self) -> None:
        if self.plans:
            scheduler = AsyncIOScheduler(timezone=self.calendar.timezone)
            scheduler.add_job(
                self.tick_now,
                "interval",
                seconds=self.tick_every,
                id=TICK_JOB,
                next_run_time=datetime.now(UTC),  # APScheduler keeps wall-clock time
                max_instances=1,
                coalesce=True,
            )
            scheduler.start()
            self._scheduler = scheduler
        if self.sender is not None:
            config = self.dispatch
            if config.quiet is None:  # reminders wait out the night in the people's time zone
                config = replace(config, quiet=QuietHours(self.calendar.timezone))
            dispatcher = Dispatcher(
                self.sessions, self.sender, worker=self.worker, clock=self.clock, config=config
            )
            self._dispatching = asyncio.create_task(dispatcher.run(self._stop))

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        self._stop.set()
        if self._dispatching is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatching
            self._dispatching = None


async def start_scheduler(
    sessions: async_sessionmaker[AsyncSession],
    calendar: ReportCalendar,
    clock: Callable[[], datetime],
    sender: Sender | None,
    *,
    worker: str,
    translate: Translate = str,
    dispatch: DispatchConfig | None = None,
    plans: bool = True,
    on_plan: Callable[[PlanResult], None] | None = None,
) -> SchedulerService:
    """What ``giamngheo run`` calls once its loop runs; call ``await service.stop()`` on exit."""
    service = SchedulerService(
        sessions,
        calendar,
        clock,
        sender,
        worker=worker,
        dispatch=dispatch or DispatchConfig(),
        translate=translate,
        plans=plans,
        on_plan=on_plan,
    )
    service.start()
    return service
