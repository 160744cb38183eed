"""``giamngheo run``: serve the configured channels until SIGTERM or Ctrl+C.

A channel is on when its settings are present; at least one must be. Telegram
(``GIAMNGHEO_TELEGRAM_TOKEN``) is served by long polling by default, or with
``--webhook https://…`` on the HTTP server (path ``/channels/telegram/webhook``), which then
needs ``GIAMNGHEO_TELEGRAM_WEBHOOK_SECRET``. SMS (``GIAMNGHEO_SMS_WEBHOOK_SECRET`` and
``GIAMNGHEO_SMS_SEND_URL``) is served at ``/channels/sms/inbound``, Zalo
(``GIAMNGHEO_ZALO_APP_ID`` and ``GIAMNGHEO_ZALO_OA_SECRET_KEY``) at ``/channels/zalo/webhook``.
Every webhook shares one HTTP server (``GIAMNGHEO_HTTP_HOST``/``_PORT``, plus ``/healthz``).
The scheduler runs inside (report reminders, follow-up digests, escalations) and its dispatcher
sends the outbox through every channel that is on; people without a chat identity, or outside
Zalo's free-reply window, get their reminders by SMS. ``GIAMNGHEO_PLAN_REMINDERS=false`` keeps
the dispatcher and leaves the planning to another process. The database must be initialised
(``giamngheo init``).

Adding a channel is one builder in :data:`CHANNELS`: it returns a :class:`Served` (its name,
its sender, its routes, and what to do once the server listens or when stopping).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

import typer

from bot.flows import registered_flows
from bot.flows.engine import Engine, FloodLimit
from bot.handlers.http import Route, build_app, start_http
from bot.i18n import _, __
from bot.logs import configure_logging
from bot.metrics import MeasuredEngine, MeasuredSender, Metrics
from bot.runtime import Runtime, freeze_start_up_heap, open_runtime, run
from bot.settings import Settings
from poverty.calendar import load_calendar
from scheduler.sending import ChannelRouter, Sender
from scheduler.service import start_scheduler

NO_CHANNEL = __(
    "Chưa cấu hình kênh nào. Để dùng Zalo, đặt GIAMNGHEO_ZALO_APP_ID và "
    "GIAMNGHEO_ZALO_OA_SECRET_KEY; để dùng SMS, đặt GIAMNGHEO_SMS_WEBHOOK_SECRET và "
    "GIAMNGHEO_SMS_SEND_URL; để dùng Telegram (bị chặn tại Việt Nam), tạo bot với @BotFather "
    "rồi đặt GIAMNGHEO_TELEGRAM_TOKEN. Sau đó chạy lại “giamngheo run”."
)
NO_TOKEN = __(
    "Chưa có token Telegram. Tạo bot với @BotFather rồi đặt biến môi trường "
    "GIAMNGHEO_TELEGRAM_TOKEN trước khi chạy “giamngheo run”."
)
NO_SECRET = __(
    "Chế độ webhook cần GIAMNGHEO_TELEGRAM_WEBHOOK_SECRET (1–256 ký tự: chữ, số, _ và -)."
)
BAD_SECRET = __("GIAMNGHEO_TELEGRAM_WEBHOOK_SECRET chỉ được gồm chữ, số, _ và - (1–256 ký tự).")
SMS_INCOMPLETE = __("Kênh SMS cần cả GIAMNGHEO_SMS_WEBHOOK_SECRET và GIAMNGHEO_SMS_SEND_URL.")
SMSGATE_USER = __(
    "Cổng SMSGate cần GIAMNGHEO_SMS_SEND_USER và GIAMNGHEO_SMS_SEND_TOKEN "
    "(tên đăng nhập và mật khẩu hiện trong ứng dụng)."
)
POLLING = __("Trợ lý đang nhận tin Telegram (long polling). Nhấn Ctrl+C để dừng.")
WEBHOOK = __("Trợ lý đang nhận tin Telegram qua webhook tại {host}:{port}. Nhấn Ctrl+C để dừng.")
SMS = __("Trợ lý đang nhận tin SMS tại {host}:{port}/channels/sms/inbound. Nhấn Ctrl+C để dừng.")
ZALO = __("Trợ lý đang nhận tin Zalo tại {host}:{port}/channels/zalo/webhook. Nhấn Ctrl+C để dừng.")
STOPPED = __("Đã dừng.")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


async def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Served:
    """One channel as ``giamngheo run`` serves it."""

    name: str
    sender: Sender
    routes: tuple[Route, ...] = ()
    started: Callable[[], Awaitable[None]] = _nothing
    """Called once the HTTP server listens (Telegram registers its webhook then)."""
    loop: Callable[[asyncio.Event], Coroutine[Any, Any, None]] | None = None
    """A loop of its own until the event is set (Telegram long polling)."""
    close: Callable[[], Awaitable[None]] = _nothing


Builder = Callable[[Settings, Runtime, Engine, str | None, Mapping[str, Sender]], Served | None]
"""Builds one channel from the settings; it sees the senders of the channels built before it
(Zalo hands messages outside its free-reply window to SMS)."""


def register(app: typer.Typer) -> None:
    app.command("run", help="Chạy trợ lý trên các kênh đã cấu hình (Zalo, SMS, Telegram).")(
        run_command
    )


def run_command(
    webhook: Annotated[
        str | None,
        typer.Option(
            "--webhook",
            help="Địa chỉ HTTPS công khai để Telegram gửi tin tới (mặc định: long polling).",
        ),
    ] = None,
) -> None:
    settings = Settings()
    problem = configuration_problem(settings, webhook)
    if problem is not None:
        typer.secho(problem, err=True, fg=typer.colors.RED)
        raise typer.Exit(1)
    configure_logging(fmt=settings.log_format)
    run(serve(settings, webhook))
    typer.echo(_(STOPPED), err=True)


def configuration_problem(settings: Settings, webhook: str | None) -> str | None:
    """What stops the command from starting, translated; None when it can start."""
    sms_partly = (settings.sms_webhook_secret is None) != (settings.sms_send_url is None)
    if sms_partly:
        return _(SMS_INCOMPLETE)
    smsgate = settings.sms_enabled and settings.sms_gateway == "smsgate"
    if smsgate and (settings.sms_send_user is None or settings.sms_send_token is None):
        return _(SMSGATE_USER)
    if webhook is not None and not settings.telegram_enabled:
        return _(NO_TOKEN)
    if not (settings.telegram_enabled or settings.sms_enabled or settings.zalo_enabled):
        return _(NO_CHANNEL)
    secret = settings.telegram_webhook_secret
    if settings.telegram_enabled and webhook is not None and secret is None:
        return _(NO_SECRET)
    if secret is not None and not _SECRET.match(secret.get_secret_value()):
        return _(BAD_SECRET)
    return None


def serve_telegram(
    settings: Settings,
    rt: Runtime,
    engine: Engine,
    webhook: str | None,
    built: Mapping[str, Sender],
) -> Served | None:
    """aiogram is imported here, not with the CLI: it takes seconds to load and no other
    command needs it."""
    if settings.telegram_token is None:
        return None
    from bot.handlers.telegram.outbox import TelegramOutboxSender
    from bot.handlers.telegram.paging import KeyboardPages
    from bot.handlers.telegram.photos import PhotoDesk
    from bot.handlers.telegram.service import DRAIN_SECONDS, prepare, serve_polling
    from bot.handlers.telegram.setup import build_telegram
    from bot.handlers.telegram.webhook import set_webhook, telegram_route

    token = settings.telegram_token.get_secret_value()
    telegram = build_telegram(
        token,
        settings.telegram_api_url,
        engine,
        PhotoDesk(rt.sessions, rt.now),
        KeyboardPages(rt.sessions, rt.now),
    )
    sender = TelegramOutboxSender(telegram.bot)
    if webhook is None:

        async def poll(stop: asyncio.Event) -> None:
            typer.echo(_(POLLING), err=True)
            await serve_polling(telegram, stop)

        return Served("telegram", sender, loop=poll)
    assert settings.telegram_webhook_secret is not None
    secret = settings.telegram_webhook_secret.get_secret_value()

    async def started() -> None:
        await prepare(telegram)
        await set_webhook(telegram, webhook, secret)
        host, port = settings.http_host, settings.http_port
        typer.echo(_(WEBHOOK).format(host=host, port=port), err=True)

    async def close() -> None:
        await telegram.ordering.wait_idle(DRAIN_SECONDS)
        await telegram.bot.session.close()

    return Served("telegram", sender, (telegram_route(telegram, secret),), started, close=close)


def serve_sms(
    settings: Settings,
    rt: Runtime,
    engine: Engine,
    webhook: str | None,
    built: Mapping[str, Sender],
) -> Served | None:
    if not settings.sms_enabled:
        return None
    from bot.handlers.sms.setup import build_sms

    sms = build_sms(settings, engine, rt.sessions, rt.now)

    async def started() -> None:
        host, port = settings.http_host, settings.http_port
        typer.echo(_(SMS).format(host=host, port=port), err=True)

    return Served("sms", sms.sender, (sms.route,), started, close=sms.sender.close)


def serve_zalo(
    settings: Settings,
    rt: Runtime,
    engine: Engine,
    webhook: str | None,
    built: Mapping[str, Sender],
) -> Served | None:
    """Zalo after SMS: a reminder outside Zalo's free-reply window goes by SMS instead."""
    if not settings.zalo_enabled:
        return None
    from bot.handlers.zalo.setup import build_zalo

    zalo = build_zalo(settings, engine, rt.sessions, rt.now, built.get("sms"))

    async def started() -> None:
        host, port = settings.http_host, settings.http_port
        typer.echo(_(ZALO).format(host=host, port=port), err=True)

    return Served("zalo", zalo.sender, (zalo.route,), started, close=zalo.close)


CHANNELS: tuple[Builder, ...] = (serve_telegram, serve_sms, serve_zalo)


async def serve(settings: Settings, webhook: str | None) -> None:
    """Serve until SIGTERM/SIGINT (or until a channel's own loop ends)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with open_runtime(settings) as rt:
        limit = FloodLimit(settings.flood_limit_per_minute, timedelta(minutes=1))
        metrics = Metrics()
        engine = MeasuredEngine(
            metrics, rt.sessions, rt.now, registered_flows(), tz=rt.tz, flood_limit=limit
        )
        channels: list[Served] = []
        for build in CHANNELS:
            built = {channel.name: channel.sender for channel in channels}
            channel = build(settings, rt, engine, webhook, built)
            if channel is not None:
                channels.append(channel)
        freeze_start_up_heap()
        try:
            scheduler = await start_scheduler(
                rt.sessions,
                load_calendar(timezone=settings.timezone),
                rt.now,
                ChannelRouter(
                    {channel.name: MeasuredSender(channel.sender, metrics) for channel in channels}
                ),
                worker=f"{socket.gethostname()}:{os.getpid()}",
                translate=_,
                plans=settings.plan_reminders,
                on_plan=metrics.planned,
            )
            try:
                await _serve_channels(settings, channels, stop, rt, metrics)
            finally:
                await scheduler.stop()
        finally:
            for channel in channels:
                await channel.close()


async def _serve_channels(
    settings: Settings, channels: list[Served], stop: asyncio.Event, rt: Runtime, metrics: Metrics
) -> None:
    """The HTTP server, when a channel has routes: theirs, ``/healthz`` and ``/metrics``."""
    routes = [route for channel in channels for route in channel.routes]
    runner = None
    if routes:
        app = build_app([*routes, metrics.route(rt.sessions, rt.now)], [metrics.middleware()])
        runner = await start_http(app, settings.http_host, settings.http_port)
    try:
        for channel in channels:
            await channel.started()
        tasks = [asyncio.create_task(c.loop(stop)) for c in channels if c.loop is not None]
        waiting = asyncio.create_task(stop.wait())
        await asyncio.wait({waiting, *tasks}, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        await asyncio.gather(waiting, *tasks)
    finally:
        if runner is not None:
            await runner.cleanup()
