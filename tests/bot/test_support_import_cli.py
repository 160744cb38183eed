"""``giamngheo import support|plans`` and ``giamngheo report ke-hoach`` on a temporary SQLite
file: row/column/reason errors, all or nothing, audit rows, filters by ethnic group and merit."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.fixtures.household_files import household, write_csv, write_xlsx


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    rows = [
        household("H1", phan_loai="ngheo", nam="2026"),
        household("H2", phan_loai="can_ngheo", nam="2026"),
        household("H3", phan_loai="khong", nam="2026"),
    ]
    result = CliRunner().invoke(
        app, ["import", "households", str(write_csv(tmp_path / "h.csv", rows))]
    )
    assert result.exit_code == 0, result.output
    return path


def query(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def test_support_file_is_imported_with_audit_rows(database: Path, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "ht.xlsx",
        [
            ("Mã hộ", "Chính sách", "Ngày", "Số tiền", "Số lượng", "Đơn vị"),
            ("H1", "vay_ho_ngheo", date(2026, 3, 15), "50 triệu", None, "NHCSXH"),
            ("H2", "bhyt", "15/03/2026", "1tr2", None, "UBND xã"),
            ("H1", "khác: Quỹ Vì người nghèo", "1/2/2026", None, "2 con bò", "Hội Phụ nữ"),
        ],
    )
    result = CliRunner().invoke(app, ["import", "support", str(path)])
    assert result.exit_code == 0, result.output
    assert "  Đã ghi: 3 dòng" in result.stdout.splitlines()
    assert query(
        database,
        "SELECT policy_code, description, given_on, amount, quantity FROM support_records "
        "ORDER BY id",
    ) == [
        ("vay_ho_ngheo", None, "2026-03-15", 50_000_000, None),
        ("bhyt", None, "2026-03-15", 1_200_000, None),
        (None, "Quỹ Vì người nghèo", "2026-02-01", None, "2 con bò"),
    ]
    assert query(database, "SELECT count(*) FROM audit_log WHERE action = 'support.record'") == [
        (3,)
    ]


def test_bad_support_rows_are_named_and_nothing_is_written(database: Path, tmp_path: Path) -> None:
    rows = [
        {"ma_ho": "H1", "chinh_sach": "bhyt", "ngay": "15/3/2026", "so_tien": "5tr"},
        {"ma_ho": "H9", "chinh_sach": "bhyt", "ngay": "15/3/2026", "so_tien": "5tr"},
        {"ma_ho": "H2", "chinh_sach": "xyz", "ngay": "31/2/2026", "so_tien": "năm triệu"},
    ]
    result = CliRunner().invoke(
        app, ["import", "support", str(write_csv(tmp_path / "ht.csv", rows))]
    )
    assert result.exit_code == 1
    assert "Dòng 3, cột ma_ho: Không có hộ mã “H9”." in result.stderr
    assert "Dòng 4, cột chinh_sach: Không có chính sách “xyz” trong danh mục." in result.stderr
    assert "Dòng 4, cột ngay: Không có ngày 31/2/2026 trên lịch, xin kiểm tra lại." in result.stderr
    assert "Dòng 4, cột so_tien: Chưa đọc được số tiền." in result.stderr
    assert "Tệp có 2 dòng không hợp lệ nên chưa ghi gì vào cơ sở dữ liệu." in result.stderr
    assert query(database, "SELECT count(*) FROM support_records") == [(0,)]


def test_plans_file_sets_group_causes_ethnic_group_and_merit(
    database: Path, tmp_path: Path
) -> None:
    rows = [
        {
            "ma_ho": "H1",
            "nhom": "b",
            "nguyen_nhan": "thieu_von; Thiếu đất sản xuất",
            "nam_thoat_ngheo": "2027",
            "dan_toc": "Khmer",
            "nguoi_co_cong": "thuong_binh",
        },
        {"ma_ho": "H2", "nhom": "A", "dan_toc": "Khmer"},
    ]
    result = CliRunner().invoke(app, ["import", "plans", str(write_csv(tmp_path / "kh.csv", rows))])
    assert result.exit_code == 0, result.output
    assert query(
        database,
        "SELECT group_code, causes, target_year, ethnic_group, merit_categories "
        "FROM household_plans ORDER BY household_id",
    ) == [
        ("b", '["thieu_von", "thieu_dat"]', 2027, "Khmer", '["thuong_binh"]'),
        ("a", "[]", None, "Khmer", "[]"),
    ]
    summary = CliRunner().invoke(
        app, ["report", "ke-hoach", "--under", "Cam Tuyền", "--year", "2026", "--co-cong", "*"]
    )
    assert summary.exit_code == 0, summary.output
    assert "Hộ nghèo: 1; hộ cận nghèo: 0." in summary.stdout.splitlines()
    khmer = CliRunner().invoke(
        app, ["report", "ke-hoach", "--under", "Cam Tuyền", "--dan-toc", "khmer"]
    )
    assert "Hộ nghèo, cận nghèo theo dân tộc: Khmer 2." in khmer.stdout.splitlines()


def test_plans_file_refuses_a_group_for_a_household_above_the_list(
    database: Path, tmp_path: Path
) -> None:
    rows = [{"ma_ho": "H3", "nhom": "b"}, {"ma_ho": "H1", "nhom": "z", "nguyen_nhan": "lười"}]
    result = CliRunner().invoke(app, ["import", "plans", str(write_csv(tmp_path / "kh.csv", rows))])
    assert result.exit_code == 1
    assert "Dòng 2: Hộ H3 không thuộc danh sách hộ nghèo, cận nghèo" in result.stderr
    assert "Dòng 3, cột nhom: “z” không hợp lệ" in result.stderr
    assert "Dòng 3, cột nguyen_nhan: “lười” không có trong danh mục" in result.stderr
    assert query(database, "SELECT count(*) FROM household_plans") == [(0,)]


def test_appendix_exports_filter_by_ethnic_group_and_merit(database: Path, tmp_path: Path) -> None:
    rows = [
        {"ma_ho": "H1", "dan_toc": "Khmer", "nguoi_co_cong": "thuong_binh"},
        {"ma_ho": "H2", "dan_toc": "Khmer"},
    ]
    assert (
        CliRunner()
        .invoke(app, ["import", "plans", str(write_csv(tmp_path / "kh.csv", rows))])
        .exit_code
        == 0
    )
    base = ["report", "phu-luc-1", "--under", "Cam Tuyền", "--year", "2026", "--format", "json"]

    def total(*extra: str) -> dict[str, object]:
        result = CliRunner().invoke(app, [*base, *extra])
        assert result.exit_code == 0, result.output
        found: dict[str, object] = json.loads(result.stdout)["rows"][-1]
        return found

    assert total()["tong_so_ho"] == 3
    assert (total("--dan-toc", "khmer")["tong_so_ho"], total("--dan-toc", "khmer")["ho_ngheo"]) == (
        2,
        1,
    )
    assert total("--co-cong", "thuong_binh")["tong_so_ho"] == 1
    assert total("--co-cong", "*")["tong_so_ho"] == 1
    assert total("--dan-toc", "Vân Kiều")["tong_so_ho"] == 0


def test_support_plan_summary_as_pdf_in_the_official_layout(database: Path, tmp_path: Path) -> None:
    target = tmp_path / "kh.pdf"
    args = ["--under", "Cam Tuyền", "--year", "2026", "--format", "pdf", "--output", str(target)]

    result = CliRunner().invoke(app, ["report", "ke-hoach", *args])

    assert result.exit_code == 0, result.output
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert b"/MediaBox [ 0 0 841.8897637795 595.2755905512 ]" in pdf
    assert b"/FontFile2" in pdf
