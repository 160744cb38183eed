"""``giamngheo invite create`` and ``giamngheo users list|revoke``: who may use the bot.

An administrator creates an invite for a role over a unit and passes the code (or the Telegram
link that carries it) to the person; the first message with the code registers them
(:mod:`bot.flows.onboarding`). ``users revoke`` takes access away at once.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

import typer

from bot.flows.routing import ROLE_LABELS
from bot.i18n import _, __
from bot.runtime import Runtime, open_runtime, run
from bot.settings import Settings
from poverty.errors import InvalidInputError
from poverty.formatting import format_date
from storage.audit import Actor
from storage.invites import CreatedInvite, create_invite
from storage.units import find_unit, former_note, unit_label
from storage.users import UserSummary, list_users, revoke_user

CLI_ACTOR = Actor("cli:people")
BOT_PLACEHOLDER = "<ten_bot>"
_DURATION = re.compile(r"^\s*(\d{1,4})\s*([dh]?)\s*$")

BAD_DURATION = __("Thời hạn “{text}” không đúng; ví dụ: 7d (bảy ngày) hoặc 12h (mười hai giờ).")
FORMER_UNIT = __("{note} Hãy tạo mã mời cho đơn vị hiện nay.")
INVITE_CREATED = __("Mã mời: {code}")
INVITE_DETAILS = __("Vai trò {role}, địa bàn {unit}; dùng được một lần, đến {expires}.")
INVITE_LINK = __("Liên kết Telegram: {link}")
INVITE_TYPED = __("Hoặc gõ trong trò chuyện: dang ky {code}")
INVITE_PHONE = __(
    "Trên Zalo: người có số {phone} chỉ cần quan tâm OA và bấm chia sẻ số điện thoại, "
    "không phải gõ mã."
)
NO_BOT_NAME = __(
    "Chưa biết tên bot: thêm --bot <tên_bot>, hoặc đặt GIAMNGHEO_TELEGRAM_TOKEN để tự tra."
)
NO_USERS = __("Chưa có người dùng nào.")
USER_REVOKED = __("Đã thu hồi quyền của người dùng {id} ({name}).")
REVOKED_MARK = __("đã thu hồi {date}")
ACTIVE_MARK = __("đang hoạt động")

invite_app = typer.Typer(help="Mã mời người dùng mới.", no_args_is_help=True)
users_app = typer.Typer(help="Người dùng và quyền của họ.", no_args_is_help=True)


class RoleName(StrEnum):
    """The roles an invite can give."""

    cadre = "cadre"
    mentor = "mentor"
    manager = "manager"
    admin = "admin"


def register(app: typer.Typer) -> None:
    app.add_typer(invite_app, name="invite")
    app.add_typer(users_app, name="users")


def parse_duration(text: str) -> timedelta:
    """``7d``, ``7`` (days) or ``12h``."""
    match = _DURATION.match(text)
    if match is None or int(match[1]) == 0:
        raise InvalidInputError(BAD_DURATION, text=text)
    amount = int(match[1])
    return timedelta(hours=amount) if match[2] == "h" else timedelta(days=amount)


@invite_app.command("create", help="Tạo mã mời dùng một lần cho một vai trò và địa bàn.")
def invite_create(
    role: Annotated[RoleName, typer.Option("--role", help="Vai trò của người được mời.")],
    unit: Annotated[
        str,
        typer.Option("--unit", help="Địa bàn, ví dụ “Quảng Trị / Tân Lập”.", show_default=False),
    ],
    expires: Annotated[str, typer.Option("--expires", help="Thời hạn: 7d, 12h…")] = "7d",
    bot_name: Annotated[
        str | None,
        typer.Option("--bot", help="Tên bot Telegram (mặc định: tra bằng token)."),
    ] = None,
    phone: Annotated[
        str | None,
        typer.Option(
            "--phone",
            help="Số điện thoại người được mời: chia sẻ số này trên Zalo là đăng ký xong.",
            show_default=False,
        ),
    ] = None,
) -> None:
    validity = parse_duration(expires)
    settings = Settings()

    async def go() -> tuple[CreatedInvite, str, str, str | None]:
        async with open_runtime(settings) as rt:
            async with rt.sessions() as session, session.begin():
                found = await find_unit(session, unit)
                note = await former_note(session, found)
                if note is not None:
                    raise InvalidInputError(FORMER_UNIT, note=note.render(_))
                created = await create_invite(
                    session, role.value, found, CLI_ACTOR, rt.now(), validity, phone
                )
                label = await unit_label(session, found)
            name = bot_name or await telegram_bot_name(settings)
            return created, label, _expiry(rt, created), name or None

    created, unit_text, expiry, name = run(go())
    typer.echo(_(INVITE_CREATED).format(code=created.code))
    role_text = _(ROLE_LABELS[created.role])
    typer.echo(_(INVITE_DETAILS).format(role=role_text, unit=unit_text, expires=expiry))
    link = f"https://t.me/{(name or BOT_PLACEHOLDER).lstrip('@')}?start={created.code}"
    typer.echo(_(INVITE_LINK).format(link=link))
    typer.echo(_(INVITE_TYPED).format(code=created.code))
    if created.phone is not None:
        typer.echo(_(INVITE_PHONE).format(phone=created.phone))
    if name is None:
        typer.echo(_(NO_BOT_NAME), err=True)


def _expiry(rt: Runtime, created: CreatedInvite) -> str:
    local = created.expires_at.astimezone(rt.tz)
    return f"{local:%H:%M} {format_date(local.date())}"


async def telegram_bot_name(settings: Settings) -> str | None:
    """The bot's username from the Bot API when a token is set (aiogram is imported only
    then: it takes seconds to load, and every other command can do without it)."""
    if settings.telegram_token is None:
        return None
    from bot.handlers.telegram.setup import fetch_bot_name

    return await fetch_bot_name(
        settings.telegram_token.get_secret_value(), settings.telegram_api_url
    )


@users_app.command("list", help="Liệt kê người dùng, vai trò, địa bàn và kênh.")
def users_list(
    unit: Annotated[
        str | None, typer.Option("--unit", help="Chỉ người có quyền trong địa bàn này.")
    ] = None,
) -> None:
    async def go() -> tuple[list[UserSummary], Runtime]:
        async with open_runtime(Settings()) as rt, rt.sessions() as session:
            under = await find_unit(session, unit) if unit else None
            return await list_users(session, under), rt

    users, rt = run(go())
    if not users:
        typer.echo(_(NO_USERS))
        return
    for user in users:
        typer.echo(_user_line(user, rt))


def _user_line(user: UserSummary, rt: Runtime) -> str:
    roles = ", ".join(
        f"{_(ROLE_LABELS.get(r.role, r.role))} ({r.unit_name})" for r in user.roles if not r.revoked
    )
    channels = ", ".join(user.channels) or "-"
    if user.revoked_at is not None:
        state = _(REVOKED_MARK).format(date=format_date(user.revoked_at.astimezone(rt.tz).date()))
    else:
        state = _(ACTIVE_MARK)
    return f"{user.id:>5}  {user.name}  [{roles or '-'}]  {channels}  {state}"


@users_app.command("revoke", help="Thu hồi mọi quyền của một người dùng, có hiệu lực ngay.")
def users_revoke(
    user_id: Annotated[int, typer.Argument(help="Số của người dùng (xem users list).")],
) -> None:
    async def go() -> str:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            await revoke_user(session, user_id, CLI_ACTOR, rt.now())
            users = await list_users(session)
            return next((u.name for u in users if u.id == user_id), "")

    name = run(go())
    typer.echo(_(USER_REVOKED).format(id=user_id, name=name))
