"""``giamngheo backup FILE`` and ``giamngheo restore FILE [--force]`` (:mod:`storage.backup`).

A backup is safe while the bot runs. A restore replaces the whole database: stop every
``giamngheo run`` and ``giamngheo scheduler`` first; it refuses a database that holds data
unless ``--force`` is given. After restoring an older backup, ``giamngheo init`` brings the
schema up to date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.i18n import _, __
from bot.runtime import run
from bot.settings import Settings
from storage import backup as backups
from storage.db import create_engine, is_sqlite

BACKED_UP = __("Đã sao lưu cơ sở dữ liệu vào {file}.")
RESTORED = __(
    "Đã khôi phục cơ sở dữ liệu từ {file}. Nếu bản sao lưu cũ hơn phiên bản đang cài, hãy chạy "
    "“giamngheo init”."
)


def register(app: typer.Typer) -> None:
    app.command(
        "backup", help="Sao lưu toàn bộ cơ sở dữ liệu vào một tệp (chạy được khi trợ lý đang chạy)."
    )(backup)
    app.command("restore", help="Khôi phục cơ sở dữ liệu từ tệp sao lưu (dừng trợ lý trước).")(
        restore
    )


def backup(
    file: Annotated[Path, typer.Argument(help="Tệp sao lưu sẽ ghi (ghi đè nếu đã có).")],
) -> None:
    settings = Settings()
    backups.backup(settings.database_url, settings.database_schema, file)
    typer.echo(_(BACKED_UP).format(file=file))


def restore(
    file: Annotated[Path, typer.Argument(help="Tệp sao lưu đã tạo bằng “giamngheo backup”.")],
    force: Annotated[
        bool, typer.Option("--force", help="Ghi đè cả khi cơ sở dữ liệu đích đang có dữ liệu.")
    ] = False,
) -> None:
    settings = Settings()
    if not file.is_file():
        raise backups.BackupError(backups.NO_FILE, file=str(file))
    if not force and run(_holds_data(settings)):
        raise backups.BackupError(backups.NOT_EMPTY)
    backups.restore(settings.database_url, file)
    typer.echo(_(RESTORED).format(file=file))


async def _holds_data(settings: Settings) -> bool:
    url = settings.database_url
    if is_sqlite(url) and not backups.sqlite_file(url).exists():
        return False
    engine = create_engine(url, search_path=settings.database_schema)
    try:
        return await backups.holds_data(engine)
    finally:
        await engine.dispose()
