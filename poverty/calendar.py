"""The report calendar: which deadlines fall when, moved off weekends and public holidays.

Loaded from YAML (``poverty/calendar.yaml`` by default, see its comments for the source in the
Cam Lộ plan). Public holidays come from ``holidays.VN`` (Tết included), so no date list is kept
by hand. Every deadline is a calendar day in Vietnam.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import cache
from importlib import resources
from types import MappingProxyType

import holidays
import yaml

from poverty.errors import AppError
from poverty.i18n import N_

KINDS: Mapping[str, str] = MappingProxyType(
    {
        "quy": N_("Báo cáo quý {number}/{year}"),
        "sau_thang": N_("Báo cáo 6 tháng đầu năm {year}"),
        "nam": N_("Báo cáo năm {year}"),
        "ra_soat": N_("Kết quả rà soát hộ nghèo, cận nghèo năm {year}"),
    }
)
"""Report kinds and how each is named to people."""

BAD_CALENDAR = N_("Tệp lịch báo cáo không hợp lệ: {detail}")


class CalendarError(AppError):
    """The calendar file cannot be used."""


@dataclass(frozen=True)
class FollowUpSettings:
    remind_before_due_days: int = 7
    remind_every_days: int = 3
    escalate_after_days: int = 7
    due_days: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DeadlineRule:
    kind: str
    dates: tuple[tuple[int, int], ...]
    """(day, month) of each deadline in a year."""
    opens: tuple[int, int] | None = None


@dataclass(frozen=True)
class Deadline:
    """One report due from every unit: ``period`` is its key (``2026-Q4``, ``2026-Y``)."""

    kind: str
    period: str
    year: int
    number: int
    nominal: date
    due: date
    opens: date | None = None
    """First day the report may be submitted, when the plan sets one (the review window)."""

    @property
    def moved(self) -> bool:
        return self.due != self.nominal

    def open_from(self, remind_days: int) -> date:
        """The earlier of the opening day and the first reminder."""
        first = self.due - timedelta(days=remind_days)
        return min(first, self.opens) if self.opens else first


@dataclass(frozen=True)
class ReportCalendar:
    timezone: str
    unit_level: str
    remind_days_before: tuple[int, ...]
    remind_at: time
    rules: tuple[DeadlineRule, ...]
    followups: FollowUpSettings

    def deadlines(self, year: int) -> list[Deadline]:
        """Every deadline of ``year``, by due date (same day: in the order of the file)."""
        found = []
        for rule in self.rules:
            for index, (day, month) in enumerate(rule.dates, start=1):
                nominal = date(year, month, day)
                number = (month - 1) // 3 + 1 if rule.kind == "quy" else index
                found.append(
                    Deadline(
                        rule.kind,
                        _period(rule.kind, year, number),
                        year,
                        number,
                        nominal,
                        previous_working_day(nominal),
                        date(year, rule.opens[1], rule.opens[0]) if rule.opens else None,
                    )
                )
        return sorted(found, key=lambda d: d.due)

    def reminders_on(self, day: date) -> list[tuple[Deadline, int]]:
        """Deadlines that have a reminder on ``day``, with how many days are left."""
        found = []
        for year in (day.year, day.year + 1):
            for deadline in self.deadlines(year):
                left = (deadline.due - day).days
                if left in self.remind_days_before:
                    found.append((deadline, left))
        return found

    def deadline(self, period: str) -> Deadline | None:
        year = int(period[:4]) if period[:4].isdigit() else 0
        if year == 0:
            return None
        return next((d for d in self.deadlines(year) if d.period == period), None)

    def current(self, day: date, late_days: int = 0) -> list[Deadline]:
        """Deadlines open for submission on ``day``: from their opening day or first reminder
        to ``late_days`` after the deadline."""
        first = max(self.remind_days_before, default=0)
        return [
            d
            for year in (day.year - 1, day.year, day.year + 1)
            for d in self.deadlines(year)
            if d.open_from(first) <= day <= d.due + timedelta(days=late_days)
        ]


def _period(kind: str, year: int, number: int) -> str:
    suffix = {"quy": f"Q{number}", "sau_thang": f"H{number}", "nam": "Y", "ra_soat": "RS"}
    return f"{year}-{suffix.get(kind, kind)}"


@cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def previous_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _day_month(text: object, where: str) -> tuple[int, int]:
    try:
        day, month = (int(part) for part in str(text).split("/"))
        date(2000, month, day)
    except ValueError:
        raise CalendarError(BAD_CALENDAR, detail=f"{where}: {text!r}") from None
    return day, month


def parse_calendar(raw: object, timezone: str) -> ReportCalendar:
    """Validate the YAML mapping; a mistake names where it is. ``timezone`` is the people's
    (``Settings.timezone``): deadlines and reminder times are local to it."""
    if not isinstance(raw, dict):
        raise CalendarError(BAD_CALENDAR, detail="not a mapping")
    rules = []
    for i, item in enumerate(raw.get("deadlines") or []):
        where = f"deadlines[{i}]"
        if not isinstance(item, dict) or item.get("kind") not in KINDS:
            raise CalendarError(BAD_CALENDAR, detail=f"{where}.kind")
        dates = tuple(_day_month(d, where) for d in item.get("dates") or [])
        opens = _day_month(item["opens"], where) if item.get("opens") else None
        rules.append(DeadlineRule(str(item["kind"]), dates, opens))
    offsets = raw.get("remind_days_before", [7, 3, 1, 0])
    if not isinstance(offsets, list) or not all(isinstance(n, int) and n >= 0 for n in offsets):
        raise CalendarError(BAD_CALENDAR, detail="remind_days_before")
    follow = raw.get("followups") or {}
    if not isinstance(follow, dict):
        raise CalendarError(BAD_CALENDAR, detail="followups")
    try:
        hour, minute = (int(p) for p in str(raw.get("remind_at", "08:00")).split(":"))
        settings = FollowUpSettings(
            int(follow.get("remind_before_due_days", 7)),
            max(1, int(follow.get("remind_every_days", 3))),
            int(follow.get("escalate_after_days", 7)),
            MappingProxyType({str(k): int(v) for k, v in (follow.get("due_days") or {}).items()}),
        )
        remind_at = time(hour, minute)
    except (TypeError, ValueError, AttributeError):
        raise CalendarError(BAD_CALENDAR, detail="followups / remind_at") from None
    return ReportCalendar(
        timezone,
        str(raw.get("unit_level", "commune")),
        tuple(sorted(set(offsets), reverse=True)),
        remind_at,
        tuple(rules),
        settings,
    )


def load_calendar(text: str | None = None, *, timezone: str) -> ReportCalendar:
    """The calendar written in ``text`` (YAML, as a file given on the command line), or the
    packaged default (read once: flows ask for it on every message), in ``timezone``."""
    if text is None:
        return _packaged_calendar(timezone)
    return _parse_calendar_text(text, timezone)


@cache
def _packaged_calendar(timezone: str) -> ReportCalendar:
    text = resources.files("poverty").joinpath("calendar.yaml").read_text(encoding="utf-8")
    return _parse_calendar_text(text, timezone)


def _parse_calendar_text(text: str, timezone: str) -> ReportCalendar:
    try:
        return parse_calendar(yaml.safe_load(text), timezone)
    except yaml.YAMLError as error:
        raise CalendarError(BAD_CALENDAR, detail=str(error)) from None


def describe(deadline: Deadline) -> tuple[str, dict[str, object]]:
    """The msgid naming a deadline and its parameters (the caller translates)."""
    return KINDS[deadline.kind], {"number": deadline.number, "year": deadline.year}
