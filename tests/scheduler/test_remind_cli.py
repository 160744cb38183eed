"""``giamngheo remind --dry-run --at …`` prints what would be sent then and saves nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from poverty.errors import InvalidInputError
from storage.db import create_engine, session_factory, upgrade
from tests.conftest import FIXED_NOW
from tests.scheduler.test_reminders import seed


@pytest.fixture
async def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'remind.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    await seed(session_factory(engine), FIXED_NOW)
    await engine.dispose()
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", url)
    return url


def outbox_rows(url: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///")) as connection:
        (count,) = connection.execute("SELECT count(*) FROM outbox").fetchone()
    return int(count)


def test_dry_run_prints_digests_and_report_reminders_without_saving(database: str) -> None:
    result = CliRunner().invoke(app, ["remind", "--dry-run", "--at", "2026-12-13 08:00"])
    assert result.exit_code == 0, result.output
    assert "2 tin sẽ được gửi vào lúc 08:00 13/12/2026:" in result.output
    assert "— Gửi Người đỡ đầu qua telegram:" in result.output
    assert "• Bảo hiểm y tế: quá hạn 5 ngày (08/12/2026)" in result.output
    assert "Nhắc nộp Kết quả rà soát hộ nghèo, cận nghèo năm 2026: hạn 14/12/2026, còn 1 ngày." in (
        result.output
    )
    assert outbox_rows(database) == 0


def test_remind_plans_and_saves(database: str) -> None:
    result = CliRunner().invoke(app, ["remind", "--at", "2026-12-13 08:00"])
    assert result.exit_code == 0, result.output
    assert "Đã lên lịch: 1 tin nhắc người đỡ đầu (2 việc)" in result.output
    assert outbox_rows(database) == 2


def test_a_bad_moment_is_refused(database: str) -> None:
    result = CliRunner().invoke(app, ["remind", "--dry-run", "--at", "mai"])
    assert isinstance(result.exception, InvalidInputError)
    assert result.exception.render() == "Thời điểm “mai” không đúng; ví dụ: 2026-12-13 08:00."


def test_a_calendar_file_replaces_the_packaged_deadlines(database: str, tmp_path: Path) -> None:
    calendar = tmp_path / "lich.yaml"
    calendar.write_text(
        'remind_at: "08:00"\nremind_days_before: [2]\n'
        'deadlines:\n  - kind: quy\n    dates: ["15/12"]\n',
        encoding="utf-8",
    )
    at = ["remind", "--dry-run", "--at", "2026-12-13 08:00"]
    result = CliRunner().invoke(app, [*at, "--calendar", str(calendar)])
    assert result.exit_code == 0, result.output
    assert "Báo cáo quý 4/2026: hạn 15/12/2026" in result.output
    assert "Kết quả rà soát hộ nghèo, cận nghèo năm 2026" not in result.output
