"""``giamngheo import households`` and ``giamngheo import template`` on a temporary SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app
from exchange.importing import all_columns
from tests.fixtures.household_files import encode_cp1258, household, write_csv


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    return path


def query(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def test_import_prints_a_summary_in_vietnamese_number_forms(database: Path, tmp_path: Path) -> None:
    rows = [household(f"H{i:04d}") for i in range(1087)]
    result = CliRunner().invoke(
        app, ["import", "households", str(write_csv(tmp_path / "h.csv", rows))]
    )
    assert result.exit_code == 0, result.output
    *lines, year_line = result.stdout.splitlines()
    assert year_line.startswith("Dòng để trống cột nam được ghi là phân loại chính thức năm ")
    assert lines == [
        "Đã nhập tệp h.csv (mã hóa: UTF-8).",
        "  Thêm mới: 1.087 hộ",
        "  Cập nhật: 0 hộ",
        "  Không thay đổi: 0 hộ",
        "  Dòng không hợp lệ (bỏ qua): 0",
    ]
    assert query(database, "SELECT count(*) FROM households") == [(1087,)]
    assert query(database, "SELECT DISTINCT actor FROM audit_log") == [("cli:import",)]


def test_rejected_file_exits_1_lists_errors_and_writes_nothing(
    database: Path, tmp_path: Path
) -> None:
    rows = [household("H1"), household("H2", so_nhan_khau="abc")]
    result = CliRunner().invoke(
        app, ["import", "households", str(write_csv(tmp_path / "h.csv", rows))]
    )
    assert result.exit_code == 1
    assert "Dòng 3, cột so_nhan_khau: “abc” không phải là số." in result.stderr
    assert "Tệp có 1 dòng không hợp lệ nên chưa ghi gì vào cơ sở dữ liệu." in result.stderr
    assert query(database, "SELECT count(*) FROM households") == [(0,)]


def test_at_most_twenty_errors_are_printed_then_a_count(database: Path, tmp_path: Path) -> None:
    rows = [household(f"H{i}", so_nhan_khau="0") for i in range(25)]
    result = CliRunner().invoke(
        app, ["import", "households", str(write_csv(tmp_path / "h.csv", rows))]
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("Dòng")]
    assert len(lines) == 20
    assert "… và 5 lỗi khác." in result.stderr


def test_skip_invalid_imports_the_valid_rows(database: Path, tmp_path: Path) -> None:
    rows = [household("H1"), household("H2", khu_vuc="biển"), household("H3")]
    path = write_csv(tmp_path / "h.csv", rows)
    result = CliRunner().invoke(app, ["import", "households", str(path), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "Dòng 3, cột khu_vuc:" in result.stderr
    assert "  Thêm mới: 2 hộ" in result.stdout
    assert "  Dòng không hợp lệ (bỏ qua): 1" in result.stdout


def test_reimport_counts_updates_and_unchanged(database: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    first = write_csv(tmp_path / "a.csv", [household("H1"), household("H2")])
    assert runner.invoke(app, ["import", "households", str(first)]).exit_code == 0
    second = write_csv(tmp_path / "b.csv", [household("H1", chu_ho="Lê Thị Cúc"), household("H2")])
    result = runner.invoke(app, ["import", "households", str(second)])
    assert "  Cập nhật: 1 hộ" in result.stdout
    assert "  Không thay đổi: 1 hộ" in result.stdout
    assert query(database, "SELECT count(*) FROM households") == [(2,)]


def test_year_option_is_the_year_of_rows_without_nam(database: Path, tmp_path: Path) -> None:
    rows = [household("H1"), household("H2", nam="2024")]
    path = write_csv(tmp_path / "h.csv", rows)
    result = CliRunner().invoke(app, ["import", "households", str(path), "--year", "2023"])
    assert result.exit_code == 0, result.output
    assert query(database, "SELECT year FROM official_records ORDER BY year") == [
        (2023,),
        (2024,),
    ]


def test_summary_names_the_detected_encoding(database: Path, tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes(
        encode_cp1258(
            "ma_ho;chu_ho;tinh;xa;so_nhan_khau\r\nH1;Đỗ Thị Hằng;Quảng Trị;Cam Tuyền;2\r\n"
        )
    )
    result = CliRunner().invoke(app, ["import", "households", str(path)])
    assert result.exit_code == 0, result.output
    assert "(mã hóa: Windows-1258)" in result.stdout
    assert query(database, "SELECT head_name FROM households") == [("Đỗ Thị Hằng",)]


def test_missing_file_is_a_clear_error(database: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "households", str(tmp_path / "none.csv")])
    assert result.exit_code == 1
    assert "Không tìm thấy tệp" in result.stderr


def test_unknown_columns_are_warned_about_and_the_rest_imported(
    database: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "h.csv", [household("H1", ghi_chu="hộ mới tách")])
    result = CliRunner().invoke(app, ["import", "households", str(path)])
    assert result.exit_code == 0
    assert "Cột “ghi_chu” không thuộc mẫu nhập nên được bỏ qua." in result.stderr
    assert "  Thêm mới: 1 hộ" in result.stdout


def test_template_has_every_column_bold_and_a_guide_sheet(tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    result = CliRunner().invoke(app, ["import", "template", str(path)])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(path)
    data, guide = workbook.worksheets
    assert [cell.value for cell in data[1]] == [column.name for column in all_columns()]
    assert all(cell.font.bold for cell in data[1])
    assert data.max_row == 1
    assert guide.title == "Hướng dẫn"
    explained = {row[0]: row[2] for row in guide.iter_rows(min_row=2, values_only=True) if row[2]}
    assert "ngheo, can_ngheo, trung_binh" in str(explained["phan_loai"])
    assert "Bảo hiểm y tế" in str(explained["thieu_bhyt"])


def test_template_filled_in_imports(database: Path, tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    assert CliRunner().invoke(app, ["import", "template", str(path)]).exit_code == 0
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    names = [cell.value for cell in sheet[1]]
    values = {"ma_ho": "T1", "chu_ho": "Hồ Văn Tư", "tinh": "Quảng Trị", "xa": "Cam Tuyền"}
    values |= {"so_nhan_khau": 3, "phan_loai": "ngheo", "thieu_bhyt": 1, "nam": 2025}
    sheet.append([values.get(str(name)) for name in names])
    workbook.save(path)
    result = CliRunner().invoke(app, ["import", "households", str(path)])
    assert result.exit_code == 0, result.output
    assert "(mã hóa: Excel (.xlsx))" in result.stdout
    assert query(database, "SELECT code, official_status FROM households") == [("T1", "ngheo")]


def test_template_must_be_an_xlsx_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "template", str(tmp_path / "mau.csv")])
    assert result.exit_code == 1
    assert "đuôi .xlsx" in result.stderr


def test_unusual_incomes_are_warned_about_per_row_and_imported(
    database: Path, tmp_path: Path
) -> None:
    rows = [
        household("H1", thu_nhap_binh_quan="250.000"),
        household("H2", thu_nhap_binh_quan="1.200.000"),
        household("H3", thu_nhap_binh_quan="25 triệu"),
    ]
    result = CliRunner().invoke(
        app, ["import", "households", str(write_csv(tmp_path / "h.csv", rows))]
    )

    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Dòng")]
    assert warnings == [
        "Dòng 2, cột thu_nhap_binh_quan: Thu nhập 250.000 đồng/người/tháng thấp bất thường (dưới "
        "300.000 đồng); xin chắc chắn đã nhập đúng.",
        "Dòng 4, cột thu_nhap_binh_quan: Thu nhập 25.000.000 đồng/người/tháng cao bất thường (trên "
        "20.000.000 đồng); xin chắc chắn đã nhập đúng.",
    ]
    assert "  Thêm mới: 3 hộ" in result.stdout
