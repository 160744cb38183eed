"""``giamngheo --help`` and the help of its commands, through the installed script: typer's
panel titles, markers and errors come in Vietnamese, whatever the locale of the shell."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.bot.telegram_harness import GIAMNGHEO

ENGLISH_BOILERPLATE = (
    "Options",
    "Commands",
    "Arguments",
    "[default:",
    "[required]",
    "[env var:",
    "No such command",
    "Missing command",
    "for help.",
)


def giamngheo(*args: str, language: str = "en_US") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANGUAGE": language, "LANG": "en_US.UTF-8", "COLUMNS": "100"}
    return subprocess.run(
        [str(GIAMNGHEO), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    "command",
    [
        (),
        ("report",),
        ("report", "phu-luc-1"),
        ("import", "households"),
        ("assess",),
        ("review",),
        ("policies", "import"),
    ],
    ids=" ".join,
)
def test_help_panels_and_markers_are_in_vietnamese(command: tuple[str, ...]) -> None:
    result = giamngheo(*command, "--help")

    assert result.returncode == 0, result.stderr
    assert "Tùy chọn" in result.stdout
    found = [words for words in ENGLISH_BOILERPLATE if words in result.stdout]
    assert not found, result.stdout


def test_required_and_default_markers_are_in_vietnamese() -> None:
    result = giamngheo("report", "phu-luc-1", "--help")

    assert "[bắt buộc]" in result.stdout
    assert "[mặc định: table]" in result.stdout


def test_commands_panel_is_titled_in_vietnamese() -> None:
    assert "─ Lệnh ─" in giamngheo("--help").stdout


def test_an_unknown_command_is_answered_in_vietnamese() -> None:
    result = giamngheo("bao-cao")

    assert result.returncode == 2
    assert "Không có lệnh 'bao-cao'." in result.stderr
    assert "Xem hướng dẫn: 'giamngheo --help'." in result.stderr
    assert not [words for words in ENGLISH_BOILERPLATE if words in result.stderr]
