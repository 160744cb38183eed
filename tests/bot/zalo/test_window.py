"""Zalo's free-reply window: 8 messages within 48 hours of the person's last message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.handlers.zalo.window import ReplyWindow

WROTE = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_the_window_is_open_for_48_hours_after_the_person_writes() -> None:
    window = ReplyWindow()
    assert window.is_open(WROTE, 0, WROTE + timedelta(hours=47, minutes=59))
    assert not window.is_open(WROTE, 0, WROTE + timedelta(hours=48))


def test_the_window_closes_after_eight_messages() -> None:
    window = ReplyWindow()
    assert window.is_open(WROTE, 7, WROTE + timedelta(hours=1))
    assert not window.is_open(WROTE, 8, WROTE + timedelta(hours=1))


def test_a_person_who_never_wrote_has_no_window() -> None:
    assert not ReplyWindow().is_open(None, 0, WROTE)


def test_configured_numbers_replace_zalos_defaults() -> None:
    window = ReplyWindow(timedelta(hours=24), 2)
    assert not window.is_open(WROTE, 0, WROTE + timedelta(hours=25))
    assert not window.is_open(WROTE, 2, WROTE + timedelta(hours=1))
    assert window.opens_after(WROTE) == WROTE - timedelta(hours=24)
