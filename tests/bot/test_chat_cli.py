"""``giamngheo chat`` as a real process: scripted stdin, exit code, resuming in a new process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.db import create_engine, session_factory, upgrade
from tests.bot.conftest import seed_area
from tests.conftest import FIXED_NOW

GIAMNGHEO = Path(sys.executable).parent / "giamngheo"


@pytest.fixture
async def database(tmp_path: Path) -> str:
    """A migrated SQLite file with the seeded test area."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    await seed_area(session_factory(engine), FIXED_NOW)
    await engine.dispose()
    return url


def chat(url: str, as_user: str, lines: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIAMNGHEO_DATABASE_URL": url}
    return subprocess.run(
        [str(GIAMNGHEO), "chat", "--as", as_user],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_scripted_chat_prints_greeting_and_every_reply_then_exits_zero(database: str) -> None:
    result = chat(database, "cadre", ["kiem tra", "TL00001", "abc"])

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(
        "Xin chào Người dùng cadre! Anh/chị đang dùng trợ lý với vai trò cán bộ rà soát (Tân Lập)."
    )
    assert "  1. Kiểm tra hộ" in out
    assert "> TL00001\nHộ TL00001 – Nguyễn Văn An (Thôn Tân Hòa), 4 nhân khẩu." in out
    assert "> abc\nChưa đọc được số tiền." in out


def test_resume_after_restart_in_a_new_process_offers_continue_restart_cancel(
    database: str,
) -> None:
    first = chat(database, "cadre", ["kiem tra", "TL00001", "1200000", "co"])
    assert first.returncode == 0, first.stderr

    second = chat(database, "cadre", ["1", "2"])

    assert second.returncode == 0, second.stderr
    assert (
        "Anh/chị đang làm dở: Kiểm tra hộ – hộ TL00001 – Nguyễn Văn An. "
        "Anh/chị muốn tiếp tục, làm lại từ đầu hay hủy?\n"
        "  1. Tiếp tục\n  2. Làm lại từ đầu\n  3. Hủy\n"
    ) in second.stdout
    assert "> 1\nHộ có bao nhiêu người phụ thuộc" in second.stdout
    assert "> 2\nCó trẻ em nào dưới 16 tuổi bị suy dinh dưỡng" in second.stdout


def test_chat_as_phone_number_of_a_user(database: str) -> None:
    result = chat(database, "0912 345 678", [])

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Xin chào Người dùng phone_cadre!")


def test_chat_as_unknown_user_fails_with_a_clear_message(database: str) -> None:
    result = chat(database, "nobody", ["kiem tra"])

    assert result.returncode == 1
    assert "Không tìm thấy người dùng “nobody”." in result.stderr
