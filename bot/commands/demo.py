"""``giamngheo demo-data`` (fictional commune, households and users) and ``giamngheo demo``
(the one command that sets up the database and shows the product on demo data)."""

from __future__ import annotations

import sys
from datetime import datetime

import typer

from bot.handlers.console import run_console_chat
from bot.i18n import _
from bot.runtime import Runtime, open_runtime, run
from bot.settings import Settings
from poverty.formatting import format_int
from storage.demo import COMMUNE, PROVINCE, create_demo_data, has_households

DEMO_INTRO = (
    "Đây là bản dùng thử trên dữ liệu mẫu (hư cấu) của xã {commune}, tỉnh {province}.\n"
    "Anh/chị đang trò chuyện với vai trò cán bộ thôn. Có thể thử:\n"
    "  • kiểm tra TL00001 (kiểm tra một hộ; trả lời bằng số hoặc có/không)\n"
    "  • bảo hiểm y tế (tra cứu chính sách)\n"
    "  • chính sách cho hộ TL00001\n"
    'Bảng tổng hợp: giamngheo report phu-luc-1 --under "{commune}" --format table'
)


def register(app: typer.Typer) -> None:
    app.command("demo-data", help="Tạo dữ liệu mẫu: một xã, vài nghìn hộ và người dùng mẫu.")(
        demo_data
    )
    app.command("demo", help="Chuẩn bị cơ sở dữ liệu mẫu và mở trò chuyện với vai trò cán bộ.")(
        demo
    )


def current_year(rt: Runtime) -> int:
    return datetime.now(rt.tz).year


async def ensure_demo_data(rt: Runtime, households: int) -> bool:
    """Create the demo data unless the database already has households; True when created."""
    async with rt.sessions() as session, session.begin():
        if await has_households(session):
            return False
        result = await create_demo_data(session, rt.now(), current_year(rt), households, tz=rt.tz)
    typer.echo(
        _("Đã tạo dữ liệu mẫu: xã {commune} ({province}), {count} hộ.").format(
            commune=COMMUNE, province=PROVINCE, count=format_int(result.created)
        )
    )
    return True


def demo_data(
    households: int = typer.Option(3000, min=100, max=200_000, help="Số hộ cần tạo."),
) -> None:
    async def go() -> bool:
        async with open_runtime(Settings(), migrate=True) as rt:
            return await ensure_demo_data(rt, households)

    if not run(go()):
        typer.echo(_("Cơ sở dữ liệu đã có hộ gia đình; không tạo thêm dữ liệu mẫu."))


def demo(
    as_user: str = typer.Option(
        "cadre", "--as", help="Vai trò mẫu: cadre, mentor, manager, admin."
    ),
) -> None:
    """Set up the database (migrations, demo data once) and open the chat as a demo user."""
    lines = None if sys.stdin.isatty() else sys.stdin

    async def go() -> None:
        async with open_runtime(Settings(), migrate=True) as rt:
            await ensure_demo_data(rt, 3000)
            typer.echo(_(DEMO_INTRO).format(commune=COMMUNE, province=PROVINCE) + "\n")
            await run_console_chat(rt, as_user, lines, sys.stdout)

    run(go())
