"""Escape, re-poverty and the watch periods, from the official records of consecutive years."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from poverty.errors import InvalidStandardError
from poverty.escape_watch import (
    Watched,
    add_months,
    due_checks,
    first_relevant_year,
    history_of,
    watch_on,
)
from poverty.support_plans import load_support_lists, parse_support_lists

WATCH = load_support_lists().escape_watch


def test_poor_then_above_in_consecutive_years_is_an_escape() -> None:
    history = history_of(1, [(2023, "ngheo"), (2024, "can_ngheo"), (2025, "trung_binh")])
    assert history.escape_year == 2025
    assert history.repoverty_years == ()


def test_a_gap_between_years_proves_no_escape() -> None:
    assert history_of(1, [(2022, "ngheo"), (2024, "khong")]).escape_year is None


def test_falling_back_after_an_escape_is_re_poverty() -> None:
    history = history_of(1, [(2023, "ngheo"), (2024, "khong"), (2025, "khong"), (2026, "ngheo")])
    assert history.escape_year == 2024
    assert history.repoverty_years == (2026,)


def test_poor_without_an_earlier_escape_is_not_re_poverty() -> None:
    assert history_of(1, [(2024, "khong"), (2025, "ngheo")]).repoverty_years == ()


def test_watch_starts_the_next_first_of_january_and_lasts_36_months() -> None:
    history = history_of(1, [(2024, "ngheo"), (2025, "khong")])
    assert watch_on(history, WATCH, date(2025, 12, 31)) is None
    first = watch_on(history, WATCH, date(2026, 1, 1))
    assert first is not None
    assert (first.start, first.end, first.period_start) == (
        date(2026, 1, 1),
        date(2029, 1, 1),
        None,
    )
    later = watch_on(history, WATCH, date(2026, 11, 23))
    assert later is not None
    assert later.period_start == date(2026, 10, 1)
    assert watch_on(history, WATCH, date(2028, 12, 31)) is not None
    assert watch_on(history, WATCH, date(2029, 1, 1)) is None


def test_watch_length_and_interval_come_from_the_data() -> None:
    history = history_of(1, [(2024, "ngheo"), (2025, "khong")])
    short = replace(WATCH, months=12, check_every_months=6)
    assert watch_on(history, short, date(2026, 12, 31)) is not None
    assert watch_on(history, short, date(2027, 1, 1)) is None
    found = watch_on(history, short, date(2026, 8, 1))
    assert found is not None
    assert found.period_start == date(2026, 7, 1)


def test_a_household_that_fell_back_is_no_longer_watched() -> None:
    history = history_of(1, [(2024, "ngheo"), (2025, "khong"), (2026, "can_ngheo")])
    assert watch_on(history, WATCH, date(2026, 11, 23)) is None


def test_add_months_keeps_the_end_of_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_a_check_is_due_once_per_period_after_the_first() -> None:
    history = history_of(1, [(2024, "ngheo"), (2025, "khong")])
    first_period = watch_on(history, WATCH, date(2026, 1, 15))
    second_period = watch_on(history, WATCH, date(2026, 11, 23))
    assert first_period is not None
    assert second_period is not None
    assert due_checks([first_period, second_period], set()) == [second_period]
    answered = {(1, second_period.period_start)}
    assert due_checks([second_period], answered) == []


def test_an_answer_for_another_household_leaves_the_check_due() -> None:
    watched = Watched(1, 2025, date(2026, 1, 1), date(2029, 1, 1), date(2026, 7, 1))
    assert due_checks([watched], {(2, date(2026, 7, 1))}) == [watched]


def test_records_older_than_the_oldest_running_watch_are_not_needed() -> None:
    since = first_relevant_year(WATCH, date(2026, 11, 23))
    escaped_long_ago = history_of(1, [(since - 1, "ngheo"), (since, "khong")])
    assert watch_on(escaped_long_ago, WATCH, date(2026, 11, 23)) is None


def test_lists_refuse_an_unknown_policy_in_a_group() -> None:
    raw = {
        "groups": [
            {"code": "a", "name": "A", "description": "d", "support": "s", "policies": ["zzz"]}
        ]
    }
    with pytest.raises(InvalidStandardError):
        parse_support_lists(raw)


def test_organisations_are_found_by_alias_without_tone_marks() -> None:
    lists = load_support_lists()
    found = lists.organisation("hoi phu nu")
    assert found is not None
    assert found.code == "hoi_phu_nu"
    assert lists.organisation("Hội Bóng đá") is None
