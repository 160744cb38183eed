"""``giamngheo units import`` and ``giamngheo units list`` from a temporary SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from bot.cli import app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workdir: Path) -> CliRunner:
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'units.db'}")
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    return runner


def test_an_xlsx_list_is_imported_and_listed_as_a_tree(runner: CliRunner, workdir: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (
        ("Mã", "Tên", "Loại", "Mã cấp trên"),
        ("45", "Quảng Trị", "Tỉnh", None),
        ("19459", "Cam Lộ", "Xã", "45"),
        ("19467", "Đông Hà", "Phường", "45"),
    ):
        sheet.append(row)
    book.save(workdir / "don_vi.xlsx")

    imported = runner.invoke(app, ["units", "import", "don_vi.xlsx"])
    listed = runner.invoke(app, ["units", "list", "--under", "Tỉnh Quảng Trị"])

    assert imported.exit_code == 0, imported.output
    assert "3 đơn vị mới, 0 cập nhật, 0 giữ nguyên" in imported.output
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        "Tỉnh Quảng Trị [45]",
        "  Xã Cam Lộ [19459]",
        "  Phường Đông Hà [19467]",
    ]


def test_a_refused_list_names_each_bad_row(runner: CliRunner, workdir: Path) -> None:
    (workdir / "don_vi.csv").write_text(
        "ma,ten,loai,ma_cap_tren\n45,Quảng Trị,Tỉnh,\n19459,Cam Lộ,Xã,46\n", encoding="utf-8"
    )

    result = runner.invoke(app, ["units", "import", "don_vi.csv"])

    assert result.exit_code == 1
    assert (
        "Dòng 3, cột ma_cap_tren: Mã cấp trên 46 không có trong tệp cũng như trong cơ sở dữ liệu."
        in result.output
    )
    assert "chưa ghi gì vào cơ sở dữ liệu" in result.output
    assert runner.invoke(app, ["units", "list"]).output.strip() == "Chưa có đơn vị nào."
