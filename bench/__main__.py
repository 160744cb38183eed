"""``make bench``: every benchmark in turn, then one table of their figures beside their goals.

Each module keeps its own command line (``python -m bench.flow 50``); here they run with their
defaults, each printing its lines as it finishes. The appendix and load benchmarks need the local
PostgreSQL (``bench.report --database-url``; ``bench.load`` runs 2 workers at 20 updates/s for 10
seconds by default).
"""

from __future__ import annotations

import importlib
import os
import platform
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import cast

from bench.figures import Figure, people_tz, print_lines, print_table

BENCHMARKS = (
    "bench.import",
    "bench.flow",
    "bench.report",
    "bench.telegram",
    "bench.dispatch",
    "bench.memory",
    "bench.load",
)
Runner = Callable[[Sequence[str]], list[Figure]]


def machine() -> str:
    now = datetime.now(people_tz()).strftime("%d/%m/%Y %H:%M")
    return (
        f"{now}; {os.cpu_count()} lõi, Python {platform.python_version()},"
        f" SQLite {sqlite3.sqlite_version}, {platform.machine()}"
    )


def main() -> None:
    figures: list[Figure] = []
    for name in BENCHMARKS:
        run = cast(Runner, importlib.import_module(name).run)
        found = run([])
        print_lines(found)
        figures += found
    print_table(figures, f"Kết quả đo ({machine()})")


if __name__ == "__main__":
    main()
