"""``giamngheo run``: serve the chat channels until SIGTERM or Ctrl+C.

The scheduler runs inside (report reminders, follow-up digests, escalations) and its dispatcher
sends the outbox through Telegram. Telegram is served when ``GIAMNGHEO_TELEGRAM_TOKEN`` is set:
by long polling by default, or
with ``--webhook https://…`` on the HTTP server (``GIAMNGHEO_HTTP_HOST``/``_PORT``, path
``/channels/telegram/webhook``, plus ``/healthz``), which then needs
``GIAMNGHEO_TELEGRAM_WEBHOOK_SECRET``. The database must be initialised (``giamngheo init``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import socket
from contextlib import suppress
from datetime import timedelta
from typing import Annotated

import typer

from bot.flows import registered_flows
from bot.flows.engine import Engine, FloodLimit
from bot.i18n import _, __
from bot.runtime import open_runtime, run
from bot.settings import Settings
from scheduler.calendar import load_calendar
from scheduler.sending import ChannelRouter
from scheduler.service import start_scheduler

NO_TOKEN = __(
    "Chưa có token Telegram. Tạo bot với @BotFather rồi đặt biến môi trường "
    "GIAMNGHEO_TELEGRAM_TOKEN trước khi chạy “giamngheo run”."
)
NO_SECRET = __(
    "Chế độ webhook cần GIAMNGHEO_TELEGRAM_WEBHOOK_SECRET (1–256 ký tự: chữ, số, _ và -)."
)
BAD_SECRET = __("GIAMNGHEO_TELEGRAM_WEBHOOK_SECRET chỉ được gồm chữ, số, _ và - (1–256 ký tự).")
POLLING = __("Trợ lý đang nhận tin Telegram (long polling). Nhấn Ctrl+C để dừng.")
WEBHOOK = __("Trợ lý đang nhận tin Telegram qua webhook tại {host}:{port}. Nhấn Ctrl+C để dừng.")
STOPPED = __("Đã dừng.")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def register(app: typer.Typer) -> None:
    app.command("run", help="Chạy trợ lý trên các kênh đã cấu hình (Telegram).")(run_command)


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
    if settings.telegram_token is None:
        typer.secho(_(NO_TOKEN), err=True, fg=typer.colors.RED)
        raise typer.Exit(1)
    secret = settings.telegram_webhook_secret
    if webhook is not None and secret is None:
        typer.secho(_(NO_SECRET), err=True, fg=typer.colors.RED)
        raise typer.Exit(1)
    if secret is not None and not _SECRET.match(secret.get_secret_value()):
        typer.secho(_(BAD_SECRET), err=True, fg=typer.colors.RED)
        raise typer.Exit(1)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run(serve(settings, webhook))
    typer.echo(_(STOPPED), err=True)


async def serve(settings: Settings, webhook: str | None) -> None:
    """Serve until SIGTERM/SIGINT. aiogram is imported here, not with the CLI: it takes
    seconds to load and no other command needs it."""
    from bot.handlers.telegram.outbox import TelegramOutboxSender
    from bot.handlers.telegram.service import serve_polling, serve_webhook
    from bot.handlers.telegram.setup import build_telegram

    assert settings.telegram_token is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with open_runtime(settings) as rt:
        limit = FloodLimit(settings.flood_limit_per_minute, timedelta(minutes=1))
        engine = Engine(rt.sessions, rt.now, registered_flows(), tz=rt.tz, flood_limit=limit)
        telegram = build_telegram(
            settings.telegram_token.get_secret_value(), settings.telegram_api_url, engine
        )
        scheduler = await start_scheduler(
            rt.sessions,
            load_calendar(),
            rt.now,
            ChannelRouter({"telegram": TelegramOutboxSender(telegram.bot)}),
            worker=f"{socket.gethostname()}:{os.getpid()}",
            translate=_,
        )
        try:
            if webhook is None:
                typer.echo(_(POLLING), err=True)
                await serve_polling(telegram, stop)
            else:
                assert settings.telegram_webhook_secret is not None
                host, port = settings.http_host, settings.http_port
                typer.echo(_(WEBHOOK).format(host=host, port=port), err=True)
                secret = settings.telegram_webhook_secret.get_secret_value()
                await serve_webhook(telegram, webhook, secret, host, port, stop)
        finally:
            await scheduler.stop()
