"""The command line with a database it cannot use: one Vietnamese sentence on standard error
and exit code 1, never a traceback (through the installed ``giamngheo`` script)."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.bot.telegram_harness import GIAMNGHEO, free_port


def giamngheo(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIAMNGHEO_DATABASE_URL": url}
    env.pop("GIAMNGHEO_DATABASE_SCHEMA", None)
    return subprocess.run(
        [str(GIAMNGHEO), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        (
            f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/db",
            "Không kết nối được cơ sở dữ liệu. Hãy kiểm tra GIAMNGHEO_DATABASE_URL",
        ),
        (
            "mysql://nobody@127.0.0.1/db",
            "GIAMNGHEO_DATABASE_URL phải bắt đầu bằng sqlite+aiosqlite",
        ),
        ("not a url", "GIAMNGHEO_DATABASE_URL phải bắt đầu bằng sqlite+aiosqlite"),
    ],
    ids=["unreachable", "unsupported-driver", "not-a-url"],
)
def test_a_database_it_cannot_use_gets_one_sentence_and_exit_1(url: str, sentence: str) -> None:
    result = giamngheo(url, "users", "list")

    assert result.returncode == 1
    assert result.stderr.startswith(sentence), result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
