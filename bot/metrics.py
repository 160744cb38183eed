"""What a running process tells Prometheus at ``/metrics`` (``prometheus_client``).

Each ``giamngheo run`` process has its own :class:`Metrics` (its own registry) and serves it on
its own port: with several workers, Prometheus scrapes each one and sums (no multiprocess mode
is needed). The outbox figures are read from the database when scraped, so every worker reports
the same shared queue.

Labels are channels, outcomes, results and kinds, never anything about a person: no phone
number, name, household code or message text can become a label.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.engine import AdmitHook, Engine, ReplyHook
from bot.flows.messages import Inbound, Outbound
from scheduler.reminders import PlanResult
from scheduler.sending import Sender, SendResult, SendStatus
from storage.outbox import ClaimedMessage, waiting

METRICS_PATH = "/metrics"
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
SEND_RESULTS = {SendStatus.SENT: "sent", SendStatus.RETRY_AFTER: "429"}
"""Every other status (timeout, 5xx, blocked, refused) counts as ``failed``."""
WEBHOOK_PREFIX = "/channels/"

log = logging.getLogger(__name__)


class Metrics:
    """The metrics of one process, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.messages = Counter(
            "giamngheo_messages",
            "Messages handled, by channel and outcome (answered; silent: a duplicate or a "
            "flood; error: an exception).",
            ["channel", "outcome"],
            registry=r,
        )
        self.handling = Histogram(
            "giamngheo_message_handling_seconds",
            "Time to handle one message, its database transaction included, by channel.",
            ["channel"],
            buckets=SECONDS_BUCKETS,
            registry=r,
        )
        self.sends = Counter(
            "giamngheo_sends",
            "Outbox messages handed to a channel, by channel and result (sent, 429, failed).",
            ["channel", "result"],
            registry=r,
        )
        self.reminders = Counter(
            "giamngheo_reminders_planned",
            "Reminders planned by this process's scheduler ticks, by kind.",
            ["kind"],
            registry=r,
        )
        self.refusals = Counter(
            "giamngheo_webhook_refusals",
            "Webhook requests refused (401: unsigned, wrongly signed or stale), by channel.",
            ["channel"],
            registry=r,
        )
        self.outbox_unsent = Gauge(
            "giamngheo_outbox_pending",
            "Outbox messages not sent yet (waiting or being sent), read when scraped.",
            registry=r,
        )
        self.outbox_oldest = Gauge(
            "giamngheo_outbox_oldest_due_seconds",
            "How long the oldest message that is due has waited to be sent (0 when none).",
            registry=r,
        )
        self.database_up = Gauge(
            "giamngheo_database_up",
            "1 when this scrape could read the outbox, 0 when the database failed.",
            registry=r,
        )

    def planned(self, plan: PlanResult) -> None:
        """Count what one scheduler tick planned."""
        for kind, count in (
            ("mentor_digest", plan.digests),
            ("escalation", plan.escalations),
            ("report", plan.report_reminders),
            ("escape_check", plan.escape_checks),
            ("review", plan.review_reminders),
        ):
            if count:
                self.reminders.labels(kind).inc(count)

    def middleware(self) -> Middleware:
        """Counts the 401 answers of the webhook routes (``/channels/<name>/…``). Only routes
        that exist answer 401, so the label is always one of the channels' names."""

        @web.middleware
        async def refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
            response = await handler(request)
            if response.status == 401:
                resource = request.match_info.route.resource
                path = resource.canonical if resource is not None else ""
                if path.startswith(WEBHOOK_PREFIX):
                    self.refusals.labels(path[len(WEBHOOK_PREFIX) :].split("/", 1)[0]).inc()
            return response

        return refusals

    def route(
        self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]
    ) -> Callable[[web.Application], None]:
        """``GET /metrics``: the outbox is read first (two aggregates), then everything is
        rendered in the Prometheus text format."""

        async def scrape(request: web.Request) -> web.Response:
            await self._read_outbox(sessions, clock())
            return web.Response(
                body=generate_latest(self.registry),
                headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4},
            )

        def add(app: web.Application) -> None:
            app.router.add_get(METRICS_PATH, scrape)

        return add

    async def _read_outbox(self, sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
        try:
            async with sessions() as session:
                queue = await waiting(session, now)
        except (SQLAlchemyError, OSError) as error:
            log.warning("metrics: outbox not read (%s)", type(error).__name__)
            self.database_up.set(0)
            return
        self.database_up.set(1)
        self.outbox_unsent.set(queue.unsent)
        age = (now - queue.oldest_due).total_seconds() if queue.oldest_due is not None else 0.0
        self.outbox_oldest.set(max(age, 0.0))


class MeasuredEngine(Engine):
    """The engine, counting each message it handles by outcome and timing it."""

    def __init__(self, metrics: Metrics, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        self._metrics = metrics

    async def handle(
        self,
        inbound: Inbound,
        *,
        admit: AdmitHook | None = None,
        before_commit: ReplyHook | None = None,
    ) -> list[Outbound]:
        channel = inbound.identity.channel
        started = time.perf_counter()
        outcome = "error"
        try:
            replies = await super().handle(inbound, admit=admit, before_commit=before_commit)
            outcome = "answered" if replies else "silent"
            return replies
        finally:
            self._metrics.handling.labels(channel).observe(time.perf_counter() - started)
            self._metrics.messages.labels(channel, outcome).inc()


class MeasuredSender:
    """A :class:`Sender` counting every result of the one it wraps."""

    def __init__(self, sender: Sender, metrics: Metrics) -> None:
        self._sender = sender
        self._metrics = metrics

    async def send(self, message: ClaimedMessage) -> SendResult:
        result = await self._sender.send(message)
        label = SEND_RESULTS.get(result.status, "failed")
        self._metrics.sends.labels(message.channel, label).inc()
        return result
