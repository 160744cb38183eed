"""Appendix report speed on PostgreSQL: Phụ lục 1 and 2 for a whole province and for one commune,
at 100.000 and at 1.000.000 households.

Builds one fictional province shaped like a post-2025 one (100 communes directly under the
province, 10 villages each; about 4% poor households with deprivations, 4% near-poor, a tenth
of households assessed) in a schema of its own, with server-side ``INSERT … SELECT
generate_series(…)``, runs ``VACUUM ANALYZE`` (what autovacuum leaves behind on a settled table),
then prints the median of a few runs of each report against its goal. The schema is dropped at
the end. Run with ``.venv/bin/python -m bench.report [--database-url URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import BigInteger, TextClause, bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.figures import Figure, print_lines
from poverty.formatting import format_decimal, format_int
from storage.db import create_engine, session_factory, upgrade
from storage.reports import Report, appendix_1, appendix_2
from storage.units import Unit, get_unit

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
SIZES = (100_000, 1_000_000)
COMMUNES = 100
VILLAGES_PER_COMMUNE = 10
YEAR = 2026
PROVINCE_GOAL_S = 1.0
COMMUNE_GOAL_S = 0.050
PROVINCE_RUNS = 5
COMMUNE_RUNS = 9

Query = Callable[[AsyncSession, Unit, int], Awaitable[Report]]

UNITS_SQL = """
INSERT INTO admin_units (id, code, name, name_key, level, parent_id, path, urban)
VALUES (1, 'bench', 'Tỉnh Thử Nghiệm', 'thu nghiem', 'province', NULL, '/1/', false);
INSERT INTO admin_units (id, code, name, name_key, level, parent_id, path, urban)
SELECT 1 + c, 'bench/xa_' || c, 'Xã Thử ' || c, 'thu ' || c, 'commune', 1,
       '/1/' || (1 + c) || '/', false
FROM generate_series(1, :communes) AS c;
INSERT INTO admin_units (id, code, name, name_key, level, parent_id, path, urban)
SELECT 1000 + v, 'bench/thon_' || v, 'Thôn ' || v, 'thon ' || v, 'village',
       1 + (v - 1) / :villages + 1,
       '/1/' || (1 + (v - 1) / :villages + 1) || '/' || (1000 + v) || '/', false
FROM generate_series(1, :communes * :villages) AS v;
"""

# Household g lives in village (g - 1) * villages_total / total + 1, so each commune's households
# are stored together, as they are after a commune-by-commune import. ``h`` is a fixed hash of g
# that decides status, group, deprivations and assessment.
HOUSEHOLDS_SQL = """
INSERT INTO households (id, code, head_name, head_name_key, unit_id, province_id, district_id,
    commune_id, village_id, area, members, ethnic_minority, official_status, official_group,
    official_year, latest_class, created_at, updated_at)
SELECT g, 'B' || g, 'Chủ hộ ' || g, 'chu ho ' || g, 1000 + v, 1, NULL, 1 + (v - 1) / :villages + 1,
    1000 + v, CASE WHEN h % 7 = 0 THEN 'thanh_thi' ELSE 'nong_thon' END, 1 + h % 6, g % 10 = 0,
    status, grp, :year,
    CASE WHEN h % 10 <> 3 THEN NULL WHEN h % 50 = 3 THEN 'can_ngheo' ELSE status END,
    now(), now()
FROM (
    SELECT g, v, h,
        CASE WHEN h % 1000 < 40 THEN 'ngheo' WHEN h % 1000 < 80 THEN 'can_ngheo'
             WHEN h % 1000 < 200 THEN 'trung_binh' ELSE 'khong' END AS status,
        CASE WHEN h % 1000 >= 80 OR h % 97 = 0 THEN NULL
             WHEN h % 3 = 0 THEN 'bao_tro_xa_hoi' ELSE 'chinh_sach_giam_ngheo' END AS grp
    FROM (
        SELECT g, ((g - 1) * :village_total / :total) + 1 AS v,
               (g * 2654435761 % 4294967296)::bigint / 4096 AS h
        FROM generate_series(:first, :last) AS g
    ) AS numbered
) AS households
"""

RECORDS_SQL = """
INSERT INTO official_records (household_id, year, province_id, district_id, commune_id,
    village_id, ethnic_minority, area, status, poor_group, income_per_person, deprived_mask,
    known_mask, standard_id, updated_at)
SELECT id, official_year, province_id, district_id, commune_id, village_id, ethnic_minority, area,
    official_status, official_group,
    CASE WHEN official_status IN ('ngheo', 'can_ngheo') THEN 900000 + id % 500000 END,
    CASE WHEN official_status = 'ngheo' THEN (id * 2654435761 % 4093 + 7)::int & 4095 ELSE 0 END,
    4095, '2022-2025', now()
FROM households WHERE id BETWEEN :first AND :last
"""


def integer_sql(sql: str, **values: int) -> tuple[TextClause, dict[str, int]]:
    """The statement with typed integer parameters (asyncpg needs to know their type)."""
    typed = [bindparam(name, type_=BigInteger) for name in values if f":{name}" in sql]
    return text(sql).bindparams(*typed), {b.key: values[b.key] for b in typed}


async def fill(engine: AsyncEngine, first: int, last: int, total: int) -> None:
    """Households ``first``..``last`` (of ``total`` planned) with their official records."""
    params = {
        "first": first,
        "last": last,
        "total": total,
        "villages": VILLAGES_PER_COMMUNE,
        "village_total": COMMUNES * VILLAGES_PER_COMMUNE,
        "year": YEAR,
    }
    async with engine.begin() as connection:
        await connection.execute(*integer_sql(HOUSEHOLDS_SQL, **params))
        await connection.execute(*integer_sql(RECORDS_SQL, **params))
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE households"))
        await autocommit.execute(text("VACUUM ANALYZE official_records"))


async def create_units(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for statement in UNITS_SQL.split(";"):
            if statement.strip():
                await connection.execute(
                    *integer_sql(statement, communes=COMMUNES, villages=VILLAGES_PER_COMMUNE)
                )


async def median_seconds(
    sessions: async_sessionmaker[AsyncSession], query: Query, unit: Unit, runs: int
) -> float:
    """Median wall time of ``runs`` reports, after one warm-up run."""
    times = []
    for attempt in range(runs + 1):
        async with sessions() as session:
            started = time.perf_counter()
            await query(session, unit, YEAR)
            if attempt:
                times.append(time.perf_counter() - started)
    return statistics.median(times)


def figure(seconds: float, goal: float) -> tuple[str, str]:
    """``("0,42 s", "≤ 1 s")`` for goals of a second or more, milliseconds below."""
    if goal >= 1:
        return f"{format_decimal(seconds)} s", f"≤ {format_int(round(goal))} s"
    milliseconds = format_int(round(seconds * 1000))
    return f"{milliseconds} ms", f"≤ {format_int(round(goal * 1000))} ms"


async def measure(url: str) -> list[Figure]:
    schema = f"gn_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    async with admin.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(url, search_path=schema)
    try:
        await upgrade(engine)
        await create_units(engine)
        sessions = session_factory(engine)
        async with sessions() as session:
            province = await get_unit(session, 1)
            commune = await get_unit(session, 1 + COMMUNES // 2)
        filled = 0
        figures: list[Figure] = []
        for size in SIZES:
            await fill(engine, filled + 1, size, SIZES[-1])
            filled = size
            for number, query in ((1, appendix_1), (2, appendix_2)):
                for label, unit, goal, runs in (
                    ("toàn tỉnh", province, PROVINCE_GOAL_S, PROVINCE_RUNS),
                    ("một xã", commune, COMMUNE_GOAL_S, COMMUNE_RUNS),
                ):
                    seconds = await median_seconds(sessions, query, unit, runs)
                    where = f"report: phụ lục {number}, {label}, {format_int(size)} hộ (PostgreSQL)"
                    value, limit = figure(seconds, goal)
                    figures.append(Figure(where, value, limit, seconds <= goal))
        return figures
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


def run(args: Sequence[str] = ()) -> list[Figure]:
    parser = argparse.ArgumentParser(description="Đo thời gian lập phụ lục 1 và 2 trên PostgreSQL.")
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL (asyncpg) URL.")
    parsed = parser.parse_args(args)
    return asyncio.run(measure(parsed.database_url))


def main() -> None:
    print_lines(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
