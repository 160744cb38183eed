"""Household import speed: 50.000 fictional households from a CSV into a fresh SQLite database.

Runs the CLI's code path (``giamngheo import households``: read and check the file, then write it
in one transaction) and prints one line with households per second against the goal.
Run with ``.venv/bin/python -m bench.import``.
"""

from __future__ import annotations

import asyncio
import csv
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.figures import Figure, print_lines
from bot.commands.households import bulk_load, write_checked_file
from bot.settings import Settings
from exchange.importing import read_households
from poverty.formatting import format_decimal, format_int
from poverty.standards import INDICATOR_BITS
from storage.db import create_engine, upgrade

HOUSEHOLDS = 50_000
GOAL = 20_000
"""Households per second the import must reach on SQLite."""
YEAR = 2025
SEED = 2026

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thu")
GIVEN = (
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Khánh", "Lan",
    "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
)  # fmt: skip
COMMUNES = ("Hòa Bình", "Tân Lập", "Đồng Tâm", "Thống Nhất", "Quyết Thắng", "Trung Sơn")
STATUSES = ("ngheo", "can_ngheo", "trung_binh", "khong", "")
STATUS_WEIGHTS = (8, 6, 10, 50, 26)


def write_file(path: Path, count: int, rng: random.Random) -> None:
    """A CSV in the import format with ``count`` fictional households of one province."""
    indicators = [f"thieu_{code}" for code in INDICATOR_BITS]
    header = ["ma_ho", "chu_ho", "tinh", "xa", "thon", "khu_vuc", "so_nhan_khau"]
    header += ["dan_toc_thieu_so", "phan_loai", "nhom", "nam", "thu_nhap_binh_quan"]
    header += [*indicators, "nguoi_do_dau_sdt"]
    mentors = [f"09{n:08d}" for n in rng.sample(range(10**8), 200)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for number in range(count):
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            poor = status in ("ngheo", "can_ngheo")
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            writer.writerow(
                [
                    f"BENCH-{number:06d}",
                    name,
                    "Tỉnh Thử Nghiệm",
                    rng.choice(COMMUNES),
                    f"Thôn {rng.randint(1, 12)}",
                    "nong_thon" if rng.random() < 0.8 else "thanh_thi",
                    rng.randint(1, 9),
                    int(rng.random() < 0.15),
                    status,
                    rng.choice(("bao_tro_xa_hoi", "chinh_sach_giam_ngheo")) if poor else "",
                    YEAR,
                    rng.randrange(600_000, 6_000_000, 1000),
                    *(rng.choice(("1", "0", "0", "")) for _ in indicators),
                    rng.choice(mentors) if poor else "",
                ]
            )


async def migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def run(args: Sequence[str] = ()) -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ho.csv"
        write_file(path, HOUSEHOLDS, random.Random(SEED))
        settings = Settings(database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        asyncio.run(migrate(settings.database_url))
        start = time.perf_counter()
        with bulk_load():
            checked = read_households(path, default_year=YEAR)
            summary = asyncio.run(write_checked_file(settings, checked, YEAR, skip_invalid=False))
        seconds = time.perf_counter() - start
    if summary.created != HOUSEHOLDS:
        raise SystemExit(f"import: chỉ tạo được {summary.created} hộ")
    rate = HOUSEHOLDS / seconds
    return [
        Figure(
            f"import: {format_int(HOUSEHOLDS)} hộ từ CSV vào SQLite",
            f"{format_int(int(round(rate, -2)))} hộ/s",
            f"≥ {format_int(GOAL)} hộ/s",
            rate >= GOAL,
            f"{format_decimal(seconds, 1)} s",
        )
    ]


def main() -> None:
    print_lines(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
