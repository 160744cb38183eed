"""Backing up and restoring the whole database.

SQLite goes through SQLite's online backup API (:meth:`sqlite3.Connection.backup`): it copies
a consistent snapshot while the bot keeps writing. PostgreSQL goes through ``pg_dump -Fc`` and
``pg_restore`` (custom format), which must be installed; with ``GIAMNGHEO_DATABASE_SCHEMA``
only that schema is dumped, and a restore recreates it under the same name. The password never
appears on a command line: the tools get it from ``PGPASSWORD``.

A restore refuses a database that holds any row of ours unless forced, so a backup is never
laid over live data by mistake.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from poverty.errors import AppError
from poverty.i18n import N_
from storage.models import Base

TOOLS_MISSING = N_(
    "Không tìm thấy {tool}. Hãy cài gói công cụ PostgreSQL (ví dụ: apt install postgresql-client, "
    "cùng phiên bản với máy chủ) rồi thử lại."
)
TOOL_FAILED = N_("{tool} báo lỗi (mã {code}): {detail}")
NOT_EMPTY = N_(
    "Cơ sở dữ liệu đích đang có dữ liệu. Dừng trợ lý, sao lưu nếu cần, rồi chạy lại với --force "
    "để ghi đè."
)
NO_FILE = N_("Không tìm thấy tệp sao lưu {file}.")
NOT_A_BACKUP = N_("Tệp {file} không phải bản sao lưu cơ sở dữ liệu của trợ lý.")
NO_SQLITE_FILE = N_("GIAMNGHEO_DATABASE_URL không trỏ tới một tệp SQLite.")
TOOL_DETAIL = 300
"""How much of a tool's error output is shown."""


class BackupError(AppError):
    """A backup or restore that could not be done; nothing was changed."""


def sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(NO_SQLITE_FILE)
    return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as libpq reads it, without the password, and the environment carrying it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None, query={})
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(TOOLS_MISSING, tool=name)
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise BackupError(
            TOOL_FAILED,
            tool=Path(command[0]).name,
            code=done.returncode,
            detail=(detail[-1] if detail else "")[:TOOL_DETAIL],
        )


def backup(url: str, schema: str | None, target: Path) -> None:
    """Write the whole database to ``target`` (replaced only once the copy is complete)."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.startswith("sqlite"):
        source = sqlite3.connect(sqlite_file(url))
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        dsn, env = _libpq(url)
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}"]
        if schema:
            command.append(f"--schema={schema}")
        _run([*command, f"--dbname={dsn}"], env)
    partial.replace(target)


def restore(url: str, source: Path) -> None:
    """Replace the database with the backup in ``source``; the caller checked it may."""
    if not source.is_file():
        raise BackupError(NO_FILE, file=str(source))
    if url.startswith("sqlite"):
        _check_sqlite_backup(source)
        backup_file = sqlite3.connect(source)
        database = sqlite3.connect(sqlite_file(url))
        try:
            backup_file.backup(database)
        finally:
            database.close()
            backup_file.close()
        return
    dsn, env = _libpq(url)
    pg_restore = _tool("pg_restore")
    if subprocess.run([pg_restore, "--list", str(source)], capture_output=True).returncode:
        raise BackupError(NOT_A_BACKUP, file=str(source))
    command = [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    _run([*command, "--exit-on-error", f"--dbname={dsn}", str(source)], env)


def _check_sqlite_backup(source: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            found = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        found = None
    if not found or not found[0]:
        raise BackupError(NOT_A_BACKUP, file=str(source))


async def holds_data(engine: AsyncEngine) -> bool:
    """Whether any of our tables that exist has a row."""

    def ours(connection: Connection) -> list[str]:
        present = set(inspect(connection).get_table_names())
        return [t.name for t in Base.metadata.sorted_tables if t.name in present]

    async with engine.connect() as connection:
        for name in await connection.run_sync(ours):
            if await connection.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {name})")):
                return True
    return False
