"""The report calendar: Cam Lộ deadlines, moved off weekends and holidays (Tết included)."""

from __future__ import annotations

from datetime import date

import pytest

from poverty.calendar import (
    CalendarError,
    is_working_day,
    load_calendar,
    parse_calendar,
    previous_working_day,
)
from tests.conftest import PEOPLE_TZ


def test_default_calendar_has_the_cam_lo_deadlines_for_2026() -> None:
    deadlines = {
        (d.period, d.nominal, d.due) for d in load_calendar(timezone=PEOPLE_TZ.key).deadlines(2026)
    }
    assert deadlines == {
        ("2026-Q1", date(2026, 3, 20), date(2026, 3, 20)),
        ("2026-Q2", date(2026, 6, 20), date(2026, 6, 19)),  # Saturday → Friday
        ("2026-H1", date(2026, 6, 20), date(2026, 6, 19)),
        ("2026-Q3", date(2026, 9, 20), date(2026, 9, 18)),  # Sunday → Friday
        ("2026-Q4", date(2026, 12, 20), date(2026, 12, 18)),
        ("2026-Y", date(2026, 12, 20), date(2026, 12, 18)),
        ("2026-RS", date(2026, 12, 14), date(2026, 12, 14)),
    }


def test_tet_holidays_move_a_deadline_to_the_working_day_before() -> None:
    # 16–20/02/2026 are the Tết holidays and 14–15/02 a weekend.
    assert not is_working_day(date(2026, 2, 17))
    assert previous_working_day(date(2026, 2, 20)) == date(2026, 2, 13)


def test_national_day_is_not_a_working_day() -> None:
    assert previous_working_day(date(2026, 9, 2)) == date(2026, 8, 28)


def test_reminders_fall_seven_three_one_and_zero_days_before() -> None:
    calendar = load_calendar(timezone=PEOPLE_TZ.key)
    days = {
        (deadline.period, left)
        for day in (date(2026, 12, 11), date(2026, 12, 15), date(2026, 12, 17), date(2026, 12, 18))
        for deadline, left in calendar.reminders_on(day)
    }
    assert {(p, n) for p, n in days if p == "2026-Y"} == {
        ("2026-Y", 7), ("2026-Y", 3), ("2026-Y", 1), ("2026-Y", 0)
    }  # fmt: skip
    assert [(d.period, n) for d, n in calendar.reminders_on(date(2026, 12, 13))] == [("2026-RS", 1)]


def test_december_looks_ahead_into_next_year() -> None:
    calendar = parse_calendar({"deadlines": [{"kind": "quy", "dates": ["05/01"]}]}, PEOPLE_TZ.key)
    assert [(d.period, n) for d, n in calendar.reminders_on(date(2026, 12, 29))] == [("2027-Q1", 7)]


def test_current_deadlines_are_those_being_reminded() -> None:
    periods = [d.period for d in load_calendar(timezone=PEOPLE_TZ.key).current(date(2026, 12, 13))]
    assert periods == ["2026-RS", "2026-Q4", "2026-Y"]


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"deadlines": [{"kind": "tuan", "dates": ["01/01"]}]},
        {"deadlines": [{"kind": "quy", "dates": ["31/02"]}]},
        {"remind_days_before": [-1]},
        {"remind_at": "sáng"},
    ],
)
def test_a_bad_calendar_is_refused(raw: object) -> None:
    with pytest.raises(CalendarError):
        parse_calendar(raw, PEOPLE_TZ.key)


def test_review_results_may_be_submitted_from_the_opening_of_the_window() -> None:
    calendar = load_calendar(timezone=PEOPLE_TZ.key)
    assert [d.period for d in calendar.current(date(2026, 8, 31))] == []
    assert [d.period for d in calendar.current(date(2026, 9, 1))] == ["2026-RS"]
    assert [d.period for d in calendar.current(date(2026, 9, 11))] == ["2026-Q3", "2026-RS"]


def test_late_days_keep_a_passed_deadline_open() -> None:
    calendar = load_calendar(timezone=PEOPLE_TZ.key)
    assert "2026-Q3" not in [d.period for d in calendar.current(date(2026, 10, 1))]
    assert "2026-Q3" in [d.period for d in calendar.current(date(2026, 10, 1), late_days=90)]
