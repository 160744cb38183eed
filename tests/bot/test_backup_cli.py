"""``giamngheo backup`` and ``giamngheo restore`` as an operator runs them (the console script
of this virtualenv), on a database of their own: SQLite, or a schema of its own on PostgreSQL
when the test run uses it. The drill: demo data, backup, drop, restore, and every table's row
count and both appendix tables come back equal."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from storage.db import create_engine, is_sqlite
from storage.models import Base
from tests.bot.telegram_harness import GIAMNGHEO

pytestmark = pytest.mark.db

REPORT = ("report", "{}", "--under", "Tân Lập", "--format", "json")


@dataclass
class Database:
    url: str
    env: dict[str, str]
    schema: str | None
    sqlite_file: Path | None

    def cli(self, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**self.env, "PATH": path} if path is not None else self.env
        return subprocess.run(
            [str(GIAMNGHEO), *args], env=env, capture_output=True, text=True, timeout=300
        )

    def ok(self, *args: str) -> str:
        done = self.cli(*args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    async def counts(self) -> dict[str, int]:
        engine = create_engine(self.url, search_path=self.schema)
        try:
            async with engine.connect() as connection:
                return {
                    table.name: int(
                        await connection.scalar(select(func.count()).select_from(table)) or 0
                    )
                    for table in Base.metadata.sorted_tables
                }
        finally:
            await engine.dispose()

    async def drop(self) -> None:
        if self.sqlite_file is not None:
            _remove(self.sqlite_file)
            return
        await _execute(self.url, f"DROP SCHEMA {self.schema} CASCADE")

    def reports(self) -> list[object]:
        return [
            json.loads(self.ok(*(part.format(name) for part in REPORT)))
            for name in ("phu-luc-1", "phu-luc-2")
        ]


def _remove(sqlite_file: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)


async def _execute(url: str, statement: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


@pytest.fixture
async def database(database_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIAMNGHEO_")}
    if is_sqlite(database_url):
        file = tmp_path / "live.db"
        url = f"sqlite+aiosqlite:///{file}"
        yield Database(url, {**env, "GIAMNGHEO_DATABASE_URL": url}, None, file)
        return
    schema = f"gn_backup_{uuid.uuid4().hex[:10]}"
    await _execute(database_url, f"CREATE SCHEMA {schema}")
    env = {**env, "GIAMNGHEO_DATABASE_URL": database_url, "GIAMNGHEO_DATABASE_SCHEMA": schema}
    try:
        yield Database(database_url, env, schema, None)
    finally:
        await _execute(database_url, f"DROP SCHEMA IF EXISTS {schema} CASCADE")


async def test_backup_drop_restore_gives_back_every_row_and_both_appendices(
    database: Database, tmp_path: Path
) -> None:
    database.ok("init")
    database.ok("demo-data", "--households", "300")
    counts, reports = await database.counts(), database.reports()
    assert counts["households"] == 300
    file = tmp_path / "giamngheo.backup"
    assert "giamngheo.backup" in database.ok("backup", str(file))

    await database.drop()
    restored = database.ok("restore", str(file))
    assert "Đã khôi phục" in restored

    assert await database.counts() == counts
    assert database.reports() == reports


async def test_restore_refuses_a_database_with_data_unless_forced(
    database: Database, tmp_path: Path
) -> None:
    database.ok("init")
    database.ok("demo-data", "--households", "100")
    file = tmp_path / "before.backup"
    database.ok("backup", str(file))
    database.ok("invite", "create", "--role", "cadre", "--unit", "Tân Lập")
    counts = await database.counts()

    refused = database.cli("restore", str(file))
    assert refused.returncode == 1
    assert "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert await database.counts() == counts

    database.ok("restore", "--force", str(file))
    assert (await database.counts())["invites"] == counts["invites"] - 1


async def test_a_file_that_is_not_a_backup_is_refused_with_a_clear_message(
    database: Database, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("không phải bản sao lưu")
    done = database.cli("restore", str(junk))
    assert done.returncode == 1
    assert "không phải bản sao lưu" in done.stderr
    missing = database.cli("restore", str(tmp_path / "none.backup"))
    assert missing.returncode == 1
    assert "Không tìm thấy tệp sao lưu" in missing.stderr


async def test_without_the_postgresql_tools_backup_says_what_to_install(
    database: Database, tmp_path: Path
) -> None:
    if database.schema is None:
        pytest.skip("SQLite needs no tool")
    database.ok("init")
    done = database.cli("backup", str(tmp_path / "x.backup"), path=str(tmp_path))
    assert done.returncode == 1
    assert "Không tìm thấy pg_dump" in done.stderr
    assert "postgresql-client" in done.stderr
    assert not (tmp_path / "x.backup").exists()
