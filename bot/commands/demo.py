"""``giamngheo demo-data`` (fictional commune, households and users) and ``giamngheo demo``
(the one command that sets up the database and shows the product on demo data)."""

from __future__ import annotations

from datetime import datetime

import typer

from bot.i18n import _
from bot.runtime import Runtime, open_runtime, run
from bot.settings import Settings
from poverty.formatting import format_int
from storage.demo import COMMUNE, PROVINCE, create_demo_data, has_households


def register(app: typer.Typer) -> None:
    app.command("demo-data", help="Tạo dữ liệu mẫu: một xã, vài nghìn hộ và người dùng mẫu.")(
        demo_data
    )


def current_year(rt: Runtime) -> int:
    return datetime.now(rt.tz).year


async def ensure_demo_data(rt: Runtime, households: int) -> bool:
    """Create the demo data unless the database already has households; True when created."""
    async with rt.sessions() as session, session.begin():
        if await has_households(session):
            return False
        result = await create_demo_data(session, rt.now(), current_year(rt), households)
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
