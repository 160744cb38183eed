"""Newly escaped households and re-poverty, derived from the official records of consecutive
years (never from a flag set by an import).
Pure rules; the queries are in :mod:`storage.escape_watch`.

Rules (the numbers are data: ``escape_watch`` in ``poverty/support_plans.yaml``):

- **Escape** in year Y: the household's official record of year Y−1 is poor or near-poor and
  its record of year Y is above (``trung_binh`` or ``khong``). Years must be consecutive: a gap
  says nothing.
- **Watch**: from :meth:`EscapeWatch.start_for` (Y) (by default 1 January of Y+1, when the list
  approved at the end of year Y's review takes effect) for ``months`` months. A household that
  falls back ends its watch.
- **Re-poverty** (tái nghèo) in year Z: a household that had escaped is poor or near-poor again
  in its record of year Z, its record of Z−1 being above.
- **Checks**: the watch is cut into periods of ``check_every_months``; a check is due for each
  period after the first (so the first check comes one period after the watch starts).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from poverty.support_plans import EscapeWatch

POOR = frozenset({"ngheo", "can_ngheo"})
ABOVE = frozenset({"trung_binh", "khong"})


@dataclass(frozen=True)
class HouseholdHistory:
    """What the official records say about one household's way out of poverty."""

    household_id: int
    escape_year: int | None
    """The latest escape, if any."""
    repoverty_years: tuple[int, ...]

    def fell_back_after(self, year: int) -> bool:
        return any(z > year for z in self.repoverty_years)


def add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def history_of(household_id: int, records: Sequence[tuple[int, str]]) -> HouseholdHistory:
    """Escape and re-poverty years from ``(year, status)`` records sorted by year."""
    escape: int | None = None
    escaped_before = False
    repoverty: list[int] = []
    for (prev_year, prev_status), (year, status) in pairwise(records):
        if year != prev_year + 1:
            continue
        if prev_status in POOR and status in ABOVE:
            escape, escaped_before = year, True
        elif prev_status in ABOVE and status in POOR and escaped_before:
            repoverty.append(year)
    return HouseholdHistory(household_id, escape, tuple(repoverty))


@dataclass(frozen=True)
class Watched:
    """A newly escaped household under watch on a given day."""

    household_id: int
    escape_year: int
    start: date
    end: date
    period_start: date | None
    """Start of the check period ``today`` falls in; None before the first check is due."""


def watch_on(history: HouseholdHistory, watch: EscapeWatch, today: date) -> Watched | None:
    """The watch of this household on ``today``, or None (never escaped, fell back since,
    watch not started or over)."""
    if history.escape_year is None or history.fell_back_after(history.escape_year):
        return None
    start = watch.start_for(history.escape_year)
    end = add_months(start, watch.months)
    if not start <= today < end:
        return None
    elapsed = (today.year - start.year) * 12 + today.month - start.month
    if today.day < start.day:
        elapsed -= 1
    periods = elapsed // watch.check_every_months
    period_start = add_months(start, periods * watch.check_every_months) if periods else None
    return Watched(history.household_id, history.escape_year, start, end, period_start)


def first_relevant_year(watch: EscapeWatch, today: date) -> int:
    """The earliest record year that can still matter to a watch running on ``today``: the
    year before the oldest escape whose watch has not ended."""
    years_watched = -(-watch.months // 12)
    return today.year - watch.start_year_offset - years_watched - 1


def due_checks(watched: Iterable[Watched], answered: Collection[tuple[int, date]]) -> list[Watched]:
    """The watched households whose current check period is due and has no answer yet
    (``answered`` holds ``(household_id, period_start)`` pairs)."""
    return [
        w
        for w in watched
        if w.period_start is not None and (w.household_id, w.period_start) not in answered
    ]
