"""``giamngheo assess FILE``: classification of a file's households, without the database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from poverty.standards import load_standard
from tests.fixtures.household_files import write_csv

CODES = load_standard("2022-2025").codes


def deprived(*codes: str) -> dict[str, str]:
    """Every indicator column filled: 1 for ``codes``, 0 for the others."""
    return {f"thieu_{code}": "1" if code in codes else "0" for code in CODES}


@pytest.fixture
def households(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'no.db'}")
    rows = [
        {"ma_ho": "NGHEO", "thu_nhap_binh_quan": "1.200.000"}
        | deprived("bhyt", "nha_tieu", "viec_lam"),
        {"ma_ho": "CAN", "thu_nhap_binh_quan": "1,2 triệu"} | deprived("bhyt"),
        {"ma_ho": "TB", "khu_vuc": "thanh_thi", "thu_nhap_binh_quan": "2500000"} | deprived(),
        {"ma_ho": "KHONG", "thu_nhap_binh_quan": "3000000"},
        {"ma_ho": "CHUA_RO", "chu_ho": "Lò Văn Pọm", "so_nhan_khau": "5"},
    ]
    return write_csv(tmp_path / "ho.csv", rows)


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_output_classifies_each_household(households: Path) -> None:
    result = CliRunner().invoke(app, ["assess", str(households), "--standard", "2022-2025"])
    assert result.exit_code == 0, result.output
    rows = parse_csv(result.stdout)
    assert list(rows[0]) == ["ma_ho", "phan_loai_tinh_toan", "so_chi_so_thieu_hut", "ly_do"]
    assert [(r["ma_ho"], r["phan_loai_tinh_toan"], r["so_chi_so_thieu_hut"]) for r in rows] == [
        ("NGHEO", "ngheo", "3"),
        ("CAN", "can_ngheo", "1"),
        ("TB", "trung_binh", "0"),
        ("KHONG", "khong", "0"),
        ("CHUA_RO", "", "0"),
    ]


def test_reasons_are_joined_with_semicolons_and_say_what_is_missing(households: Path) -> None:
    result = CliRunner().invoke(app, ["assess", str(households), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["ma_ho"]: row for row in json.loads(result.stdout)}
    assert rows["CHUA_RO"]["phan_loai_tinh_toan"] is None
    assert "cần biết thu nhập bình quân đầu người" in rows["CHUA_RO"]["ly_do"]
    poor = rows["NGHEO"]["ly_do"].split("; ")
    assert len(poor) == 2
    assert poor[0].startswith("Thu nhập bình quân 1.200.000 đồng")
    assert "Bảo hiểm y tế" in poor[1]
    assert rows["NGHEO"]["so_chi_so_thieu_hut"] == 3


def test_json_output_has_the_same_keys(households: Path) -> None:
    result = CliRunner().invoke(app, ["assess", str(households), "--format", "json"])
    rows = json.loads(result.stdout)
    assert [list(row) for row in rows] == [
        ["ma_ho", "phan_loai_tinh_toan", "so_chi_so_thieu_hut", "ly_do"]
    ] * 5


def test_output_option_writes_a_file_and_the_database_is_not_touched(
    households: Path, tmp_path: Path
) -> None:
    target = tmp_path / "ket_qua.csv"
    result = CliRunner().invoke(app, ["assess", str(households), "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert [row["ma_ho"] for row in parse_csv(target.read_text(encoding="utf-8"))] == [
        "NGHEO",
        "CAN",
        "TB",
        "KHONG",
        "CHUA_RO",
    ]
    assert not (tmp_path / "no.db").exists()


def test_invalid_rows_are_listed_on_stderr_and_exit_1(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "ho.csv",
        [
            {"ma_ho": "H1", "thu_nhap_binh_quan": "nhiều tiền"},
            {"ma_ho": "H2", "thieu_bhyt": "có thể"},
        ],
    )
    result = CliRunner().invoke(app, ["assess", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Dòng 2, cột thu_nhap_binh_quan: Chưa đọc được số tiền." in result.stderr
    assert "Dòng 3, cột thieu_bhyt: “có thể” không hợp lệ" in result.stderr


def test_unknown_standard_is_refused(households: Path) -> None:
    result = CliRunner().invoke(app, ["assess", str(households), "--standard", "1990"])
    assert result.exit_code == 1
    assert "Không có chuẩn nghèo “1990”" in result.stderr


def test_only_ma_ho_is_required(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ho.csv", [{"ma_ho": "H1", "thu_nhap_binh_quan": "5000000"}])
    result = CliRunner().invoke(app, ["assess", str(path)])
    assert result.exit_code == 0, result.output
    assert parse_csv(result.stdout)[0]["phan_loai_tinh_toan"] == "khong"


def test_unusual_incomes_are_warned_about_per_row_and_still_classified(tmp_path: Path) -> None:
    rows = [
        {"ma_ho": "THAP", "thu_nhap_binh_quan": "200000"} | deprived("bhyt"),
        {"ma_ho": "CAO", "thu_nhap_binh_quan": "30.000.000"} | deprived(),
    ]
    path = write_csv(tmp_path / "ho.csv", rows)
    result = CliRunner().invoke(app, ["assess", str(path), "--standard", "2022-2025"])

    assert result.exit_code == 0, result.output
    assert [r["ma_ho"] for r in parse_csv(result.stdout)] == ["THAP", "CAO"]
    assert "Dòng 2, cột thu_nhap_binh_quan: Thu nhập 200.000 đồng/người/tháng thấp bất thường" in (
        result.stderr
    )
    assert (
        "Dòng 3, cột thu_nhap_binh_quan: Thu nhập 30.000.000 đồng/người/tháng cao bất thường"
        in (result.stderr)
    )
