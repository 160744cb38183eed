"""One measured figure of a benchmark, with its goal, printed as a line or gathered in a table.

Every benchmark module has ``run(args) -> list[Figure]``: its own command line prints the
figures one per line; ``make bench`` (``bench/__main__.py``) runs them all and prints one table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from bot.settings import Settings


@dataclass(frozen=True)
class Figure:
    """``value`` is what was measured, in Vietnamese number forms; ``met`` is None when the
    figure has no goal."""

    name: str
    value: str
    goal: str | None = None
    met: bool | None = None
    detail: str = ""

    def line(self) -> str:
        text = f"{self.name}: {self.value}"
        if self.goal is not None:
            text += f" (mục tiêu {self.goal}: {verdict(self.met)})"
        return f"{text}; {self.detail}" if self.detail else text


def verdict(met: bool | None) -> str:
    return "—" if met is None else "đạt" if met else "chưa đạt"


def print_lines(figures: Sequence[Figure]) -> None:
    for figure in figures:
        print(figure.line(), flush=True)


def print_table(figures: Sequence[Figure], title: str) -> None:
    table = Table(title=title, show_lines=True)
    for column in ("Phép đo", "Kết quả", "Mục tiêu", "Đạt", "Ghi chú"):
        table.add_column(column, overflow="fold")
    for figure in figures:
        table.add_row(
            figure.name, figure.value, figure.goal or "—", verdict(figure.met), figure.detail
        )
    Console(width=160).print(table)


def people_tz() -> ZoneInfo:
    """The people's time zone, from the settings as the bot reads them."""
    return ZoneInfo(Settings().timezone)
