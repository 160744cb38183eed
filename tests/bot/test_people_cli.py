"""``giamngheo invite create`` and ``giamngheo users list|revoke``, and files in the console."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.commands.people import parse_duration
from bot.flows.messages import Attachment, Outbound
from bot.handlers.console import show
from bot.i18n import _
from poverty.errors import InvalidInputError
from storage.db import create_engine, session_factory, upgrade
from tests.bot.conftest import seed_area
from tests.conftest import FIXED_NOW


@pytest.fixture
async def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    url = f"sqlite+aiosqlite:///{tmp_path / 'people.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    await seed_area(session_factory(engine), FIXED_NOW)
    await engine.dispose()
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", url)
    monkeypatch.delenv("GIAMNGHEO_TELEGRAM_TOKEN", raising=False)
    return CliRunner()


def test_invite_prints_the_code_the_link_and_how_to_type_it(runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        [
            "invite",
            "create",
            "--role",
            "manager",
            "--unit",
            "Quảng Trị / Tân Lập",
            "--bot",
            "@MyBot",
        ],
    )

    assert result.exit_code == 0, result.output
    code = re.search(r"Mã mời: ([A-Z0-9]{10})", result.output)
    assert code
    assert "Vai trò lãnh đạo, địa bàn Quảng Trị / Tân Lập; dùng được một lần, đến " in result.output
    assert f"Liên kết Telegram: https://t.me/MyBot?start={code[1]}" in result.output
    assert f"Hoặc gõ trong trò chuyện: dang ky {code[1]}" in result.output


def test_invite_without_a_bot_name_shows_where_it_goes(runner: CliRunner) -> None:
    result = runner.invoke(app, ["invite", "create", "--role", "cadre", "--unit", "Tân Lập"])

    assert result.exit_code == 0, result.output
    assert "https://t.me/<ten_bot>?start=" in result.output


def test_invite_naming_a_phone_says_sharing_it_on_zalo_is_enough(runner: CliRunner) -> None:
    args = ["invite", "create", "--role", "mentor", "--unit", "Tân Lập", "--phone", "0912 000 111"]

    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.output
    assert (
        "Trên Zalo: người có số +84912000111 chỉ cần quan tâm OA và bấm chia sẻ số điện thoại, "
        "không phải gõ mã."
    ) in result.output
    bad = runner.invoke(app, [*args[:-1], "12345"])
    assert isinstance(bad.exception, InvalidInputError), "main() prints it as one line"
    assert bad.exception.render(_) == "Số điện thoại “12345” không đúng; ví dụ: 0912345678."


def test_invite_for_an_unknown_unit_fails_with_a_clear_message(runner: CliRunner) -> None:
    result = runner.invoke(app, ["invite", "create", "--role", "cadre", "--unit", "Không Có"])

    assert result.exit_code != 0


def test_expiry_is_days_or_hours() -> None:
    assert parse_duration("7d").days == 7
    assert parse_duration("3").days == 3
    assert parse_duration("12h").total_seconds() == 12 * 3600
    with pytest.raises(InvalidInputError):
        parse_duration("soon")


def test_users_list_and_revoke(runner: CliRunner) -> None:
    listed = runner.invoke(app, ["users", "list", "--unit", "Tân Lập"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    cadre = next(line for line in lines if "Người dùng cadre" in line)
    assert "[cán bộ rà soát (Tân Lập)]" in cadre
    assert "+849" not in listed.output
    user_id = cadre.split()[0]

    revoked = runner.invoke(app, ["users", "revoke", user_id])
    again = runner.invoke(app, ["users", "list"])

    assert revoked.exit_code == 0, revoked.output
    assert revoked.output.startswith(
        f"Đã thu hồi quyền của người dùng {user_id} (Người dùng cadre)."
    )
    line = next(line for line in again.output.splitlines() if "Người dùng cadre" in line)
    assert "[-]" in line
    assert "đã thu hồi" in line


def test_console_writes_attachments_to_the_folder_and_prints_their_paths(tmp_path: Path) -> None:
    reply = Outbound("Tóm tắt", attachments=(Attachment("photo", "tom-tat.png", b"png"),) * 2)

    shown = show([reply], tmp_path / "tep")

    assert (tmp_path / "tep" / "tom-tat.png").read_bytes() == b"png"
    assert (tmp_path / "tep" / "tom-tat-2.png").exists()
    assert shown.splitlines() == [
        "Tóm tắt",
        f"Đã lưu tệp: {tmp_path / 'tep' / 'tom-tat.png'}",
        f"Đã lưu tệp: {tmp_path / 'tep' / 'tom-tat-2.png'}",
    ]
