"""Migration 0009 on a database that already holds units and households: the table of units is
rebuilt on SQLite with rows pointing at it, and the kinds are read from the names."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, is_sqlite, upgrade

pytestmark = pytest.mark.db


@pytest.fixture
async def empty_engine(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database of its own, at no revision yet."""
    if is_sqlite(database_url):
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
        yield engine
        await engine.dispose()
        return
    schema = f"gn_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url)
    async with admin.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(database_url, search_path=schema)
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


async def test_units_with_households_upgrade_and_get_their_kinds(
    empty_engine: AsyncEngine,
) -> None:
    await upgrade(empty_engine, "0008")
    async with empty_engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO admin_units (id, code, name, name_key, level, parent_id, path, urban)"
                " VALUES (1, 'qt', 'Tỉnh Quảng Trị', 'quang tri', 'province', NULL, '/1/', false),"
                " (2, 'qt/cl', 'Huyện Cam Lộ', 'cam lo', 'district', 1, '/1/2/', false),"
                " (3, 'qt/cl/cl', 'Thị trấn Cam Lộ', 'cam lo', 'commune', 2, '/1/2/3/', false),"
                " (4, 'qt/cl/ct', 'Cam Tuyền', 'cam tuyen', 'commune', 2, '/1/2/4/', false)"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO households (code, head_name, head_name_key, unit_id, province_id,"
                " district_id, commune_id, members, area, ethnic_minority, created_at, updated_at)"
                " VALUES ('H1', 'A', 'a', 3, 1, 2, 3, 4, 'nong_thon', false, :at, :at)"
            ),
            {"at": datetime(2026, 1, 1, tzinfo=UTC)},
        )

    await upgrade(empty_engine)

    async with empty_engine.connect() as connection:
        kinds = (
            await connection.execute(text("SELECT id, kind FROM admin_units ORDER BY id"))
        ).all()
        households = (await connection.execute(text("SELECT unit_id FROM households"))).all()
        await connection.execute(
            text(
                "INSERT INTO admin_units"
                " (id, code, name, name_key, level, kind, parent_id, path, urban) VALUES"
                " (5, 'qt/xcl', 'Xã Cam Lộ', 'cam lo', 'commune', 'xa', 1, '/1/5/', false)"
            )
        )
    assert [tuple(row) for row in kinds] == [(1, "tinh"), (2, "huyen"), (3, "thi_tran"), (4, "")]
    assert [tuple(row) for row in households] == [(3,)]
