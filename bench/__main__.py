"""``make bench``: every benchmark in turn, each printing its figure beside its goal.

Each module keeps its own command line (``python -m bench.flow 50``); here they run with their
defaults. The appendix benchmark needs the PostgreSQL named in its ``--database-url``.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = (
    "bench.import",
    "bench.flow",
    "bench.report",
    "bench.telegram",
    "bench.dispatch",
    "bench.memory",
)


def main() -> None:
    for name in BENCHMARKS:
        module = importlib.import_module(name)
        sys.argv = [name]
        module.main()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
