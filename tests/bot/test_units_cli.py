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


def seed_cam_lo(runner: CliRunner, workdir: Path) -> None:
    (workdir / "don_vi.csv").write_text(
        "ma,ten,loai,ma_cap_tren\n"
        "45,Quảng Trị,Tỉnh,\n"
        "464,Cam Lộ,Huyện,45\n"
        "19456,Cam Lộ,Thị trấn,464\n"
        "19457,Cam Thành,Xã,464\n"
        "19458,Cam Tuyền,Xã,464\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["units", "import", "don_vi.csv"]).exit_code == 0


MERGE = (
    "don_vi_cu,don_vi_moi,ngay_hieu_luc\n"
    "19456,Tỉnh Quảng Trị / Xã Cam Lộ,01/07/2025\n"
    "19457,Tỉnh Quảng Trị / Xã Cam Lộ,01/07/2025\n"
    "Huyện Cam Lộ / Xã Cam Tuyền,Tỉnh Quảng Trị / Xã Cam Lộ,01/07/2025\n"
)


def test_reorganise_dry_run_then_apply_then_run_again(runner: CliRunner, workdir: Path) -> None:
    seed_cam_lo(runner, workdir)
    (workdir / "sap_xep.csv").write_text(MERGE, encoding="utf-8")

    dry = runner.invoke(app, ["units", "reorganise", "sap_xep.csv", "--dry-run"])
    unchanged = runner.invoke(app, ["units", "list"])
    applied = runner.invoke(app, ["units", "reorganise", "sap_xep.csv"])
    again = runner.invoke(app, ["units", "reorganise", "sap_xep.csv"])
    listed = runner.invoke(app, ["units", "list", "--history"])

    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert lines[0] == "Tạo đơn vị mới “Tỉnh Quảng Trị / Xã Cam Lộ”."
    assert lines[1] == (
        "Dòng 2: sáp nhập “Tỉnh Quảng Trị / Huyện Cam Lộ / Thị trấn Cam Lộ” vào "
        "“Tỉnh Quảng Trị / Xã Cam Lộ” từ ngày 01/07/2025: 0 đơn vị trực thuộc, 0 hộ, 0 quyền, "
        "0 mã mời chưa dùng, 0 phân công người đỡ đầu, 0 việc theo dõi đang mở, "
        "0 kế hoạch hỗ trợ."
    )
    assert "Đóng “Tỉnh Quảng Trị / Huyện Cam Lộ”: không còn đơn vị nào trực thuộc." in lines
    assert lines[-1] == "Chạy thử: chưa thay đổi gì trong cơ sở dữ liệu."
    assert "Xã Cam Lộ" not in unchanged.output
    assert applied.exit_code == 0, applied.output
    assert applied.output.splitlines()[-1] == "Đã sắp xếp lại đơn vị: 3 dòng được áp dụng."
    assert again.output.splitlines() == [
        "3 dòng đã được áp dụng từ trước, giữ nguyên.",
        "Không có gì thay đổi.",
    ]
    assert listed.output.splitlines() == [
        "Tỉnh Quảng Trị [45]",
        "  Xã Cam Lộ",
        "  Huyện Cam Lộ [464] — “Huyện Cam Lộ” không còn là đơn vị hành chính từ ngày 01/07/2025.",
        "    Thị trấn Cam Lộ [19456] — “Thị trấn Cam Lộ” đã được sáp nhập vào "
        "“Tỉnh Quảng Trị / Xã Cam Lộ” từ ngày 01/07/2025.",
        "    Xã Cam Thành [19457] — “Xã Cam Thành” đã được sáp nhập vào "
        "“Tỉnh Quảng Trị / Xã Cam Lộ” từ ngày 01/07/2025.",
        "    Xã Cam Tuyền [19458] — “Xã Cam Tuyền” đã được sáp nhập vào "
        "“Tỉnh Quảng Trị / Xã Cam Lộ” từ ngày 01/07/2025.",
    ]


def test_reorganise_refuses_a_bad_file_row_by_row(runner: CliRunner, workdir: Path) -> None:
    seed_cam_lo(runner, workdir)
    (workdir / "sap_xep.csv").write_text(
        MERGE + "Xã Cam Hiếu,Tỉnh Quảng Trị / Xã Cam Lộ,01/07/2025\n"
        "19457,Huyện Cam Lộ / Xã Cam Tuyền,31/06/2025\n",
        encoding="utf-8",
    )

    result = runner.invoke(app, ["units", "reorganise", "sap_xep.csv"])

    assert result.exit_code == 1
    assert "Dòng 5, cột don_vi_cu: Không tìm thấy đơn vị “Xã Cam Hiếu”." in result.output
    assert "Dòng 6, cột ngay_hieu_luc: Ngày “31/06/2025” không đúng" in result.output
    assert "chưa ghi gì vào cơ sở dữ liệu" in result.output
    assert "Xã Cam Lộ" not in runner.invoke(app, ["units", "list"]).output
