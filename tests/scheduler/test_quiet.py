"""Quiet hours are read in the time zone the settings give."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler.quiet import QuietHours

AT_15_UTC = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def test_22_00_in_vietnam_is_quiet() -> None:
    assert QuietHours("Asia/Ho_Chi_Minh").contains(AT_15_UTC)


def test_the_same_moment_is_not_quiet_where_it_is_afternoon() -> None:
    assert not QuietHours("Europe/London").contains(AT_15_UTC)


def test_the_quiet_hours_end_at_06_30_local_time() -> None:
    quiet = QuietHours("Asia/Ho_Chi_Minh")
    assert quiet.contains(datetime(2026, 11, 23, 23, 29, tzinfo=UTC))
    assert not quiet.contains(datetime(2026, 11, 23, 23, 30, tzinfo=UTC))
