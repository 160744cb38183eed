"""``giamngheo zalo token`` (store the OA's first tokens) and ``giamngheo zalo status``.

The first access and refresh tokens come from authorising the app for the OA on
developers.zalo.me; after that the bot refreshes them itself. So that tokens do not land in the
shell history, they are read from ``GIAMNGHEO_ZALO_ACCESS_TOKEN`` / ``GIAMNGHEO_ZALO_REFRESH_TOKEN``
or from standard input: the OAuth server's JSON answer as it is (``access_token``,
``refresh_token``, ``expires_in``), or the two tokens on two lines. On a terminal they are
asked for without echo.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from bot.i18n import _, __
from bot.runtime import open_runtime, run
from bot.settings import Settings
from poverty.errors import InvalidInputError
from poverty.formatting import format_date
from storage.channel_tokens import Tokens, load_tokens, store_tokens

CHANNEL = "zalo"
DEFAULT_EXPIRES_IN = 90000
"""Seconds; what Zalo gives an access token (about 25 hours) when the answer does not say."""

STORED = __("Đã lưu token Zalo OA; access token còn hạn đến {time} ngày {date}.")
NO_TOKENS = __("Chưa có token Zalo OA. Hãy lưu token bằng: giamngheo zalo token")
STATUS = __("Token Zalo OA còn hạn đến {time} ngày {date}.")
EXPIRED = __("Access token Zalo OA đã hết hạn từ {time} ngày {date}; trợ lý sẽ tự làm mới.")
BAD_INPUT = __(
    "Không đọc được token. Xin đưa vào câu trả lời JSON của Zalo (access_token, refresh_token, "
    "expires_in) hoặc hai dòng: access token rồi refresh token."
)
BAD_EXPIRY = __("Thời hạn token phải là số giây lớn hơn 0.")
ASK_ACCESS = __("Access token")
ASK_REFRESH = __("Refresh token")

zalo_app = typer.Typer(help="Kênh Zalo OA: token truy cập.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(zalo_app, name="zalo")


def parse_tokens(text: str) -> tuple[str, str, int | None]:
    """``(access, refresh, expires_in)`` from the OAuth JSON answer or two lines."""
    text = text.strip()
    if text.startswith("{"):
        try:
            body: Any = json.loads(text)
        except json.JSONDecodeError:
            raise InvalidInputError(BAD_INPUT) from None
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not isinstance(access, str) or not isinstance(refresh, str):
            raise InvalidInputError(BAD_INPUT)
        seconds = body.get("expires_in")
        try:
            expires_in = int(seconds) if seconds is not None else None
        except (TypeError, ValueError):
            raise InvalidInputError(BAD_INPUT) from None
        return _checked(access), _checked(refresh), expires_in
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) != 2:
        raise InvalidInputError(BAD_INPUT)
    return _checked(lines[0]), _checked(lines[1]), None


def _checked(token: str) -> str:
    token = token.strip()
    if not token or len(token) > 4096 or any(c.isspace() for c in token):
        raise InvalidInputError(BAD_INPUT)
    return token


def _read_tokens(access: str | None, refresh: str | None) -> tuple[str, str, int | None]:
    if access and refresh:
        return _checked(access), _checked(refresh), None
    if sys.stdin.isatty():
        access = access or typer.prompt(_(ASK_ACCESS), hide_input=True)
        refresh = refresh or typer.prompt(_(ASK_REFRESH), hide_input=True)
        return _checked(access), _checked(refresh), None
    return parse_tokens(sys.stdin.read())


def _moment(at: datetime, timezone: str) -> dict[str, str]:
    local = at.astimezone(ZoneInfo(timezone))
    return {"time": local.strftime("%H:%M"), "date": format_date(local.date())}


@zalo_app.command("token", help="Lưu access token và refresh token ban đầu của Zalo OA.")
def token(
    access: Annotated[
        str | None,
        typer.Option(
            "--access",
            envvar="GIAMNGHEO_ZALO_ACCESS_TOKEN",
            show_envvar=True,
            help="Access token (nên đặt qua biến môi trường hoặc đầu vào chuẩn).",
        ),
    ] = None,
    refresh: Annotated[
        str | None,
        typer.Option(
            "--refresh",
            envvar="GIAMNGHEO_ZALO_REFRESH_TOKEN",
            show_envvar=True,
            help="Refresh token (nên đặt qua biến môi trường hoặc đầu vào chuẩn).",
        ),
    ] = None,
    expires_in: Annotated[
        int | None,
        typer.Option("--expires-in", help="Số giây access token còn hạn (mặc định 90000)."),
    ] = None,
) -> None:
    access_token, refresh_token, given = _read_tokens(access, refresh)
    seconds = expires_in if expires_in is not None else given or DEFAULT_EXPIRES_IN
    if seconds <= 0:
        raise InvalidInputError(BAD_EXPIRY)
    settings = Settings()

    async def go() -> datetime:
        async with open_runtime(settings) as rt, rt.sessions() as session, session.begin():
            now = rt.now()
            expires_at = now + timedelta(seconds=seconds)
            await store_tokens(
                session, CHANNEL, Tokens(access_token, refresh_token, expires_at), now
            )
            return expires_at

    expires_at = run(go())
    typer.echo(_(STORED).format(**_moment(expires_at, settings.timezone)))


@zalo_app.command("status", help="Xem token Zalo OA còn hạn đến khi nào (không in token).")
def status() -> None:
    settings = Settings()

    async def go() -> tuple[Tokens | None, datetime]:
        async with open_runtime(settings) as rt, rt.sessions() as session:
            return await load_tokens(session, CHANNEL), rt.now()

    tokens, now = run(go())
    if tokens is None:
        typer.echo(_(NO_TOKENS))
        raise typer.Exit(1)
    text = STATUS if tokens.expires_at > now else EXPIRED
    typer.echo(_(text).format(**_moment(tokens.expires_at, settings.timezone)))
