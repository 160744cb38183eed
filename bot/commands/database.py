"""``giamngheo init``: create or upgrade the database."""

from __future__ import annotations

import typer

from bot.i18n import _
from bot.runtime import open_runtime, run
from bot.settings import Settings
from storage.db import current_revision


def register(app: typer.Typer) -> None:
    app.command("init", help="Tạo hoặc nâng cấp cơ sở dữ liệu.")(init)


def init() -> None:
    async def go() -> str | None:
        async with open_runtime(Settings(), migrate=True) as rt:
            return await current_revision(rt.engine)

    revision = run(go())
    typer.echo(_("Cơ sở dữ liệu đã sẵn sàng (phiên bản {revision}).").format(revision=revision))
