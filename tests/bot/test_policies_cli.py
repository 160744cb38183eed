"""``giamngheo policies import|export`` and the province's own cards in the chat, through the
CLI, on the test database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.cli import app
from exchange.policy_files import COLUMN_NAMES
from poverty.policies import load_policies
from tests.bot.telegram_harness import GIAMNGHEO

TET = {
    "ma": "qua_tet",
    "ten": "Quà Tết cho hộ nghèo",
    "tom_tat": "Tỉnh tặng quà Tết cho hộ nghèo, hộ cận nghèo.",
    "doi_tuong": "ngheo, hộ cận nghèo",
    "dieu_kien": "Mỗi hộ một suất quà theo kế hoạch của tỉnh.",
    "can_cu": "Kế hoạch của UBND tỉnh (ví dụ trong kiểm thử)",
    "cach_lam": "UBND xã lập danh sách.",
    "ngay_kiem_tra": "01/12/2026",
    "tu_khoa": "quà tết, tết",
}
TUITION_TOP_UP = {
    "ma": "hoc_phi_them",
    "ten": "Hỗ trợ thêm học phí",
    "tom_tat": "Tỉnh hỗ trợ thêm chi phí học tập.",
    "doi_tuong": "can_ngheo",
    "dieu_kien": "Học sinh thuộc hộ cận nghèo.",
    "can_cu": "Nghị quyết của HĐND tỉnh (ví dụ trong kiểm thử)",
    "cach_lam": "Nộp đơn tại trường.",
    "ngay_kiem_tra": "2026-11-30",
    "bo_sung_cho": "hoc_phi",
    "muc_vay": "",
}


def write_xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMN_NAMES))
    for row in rows:
        sheet.append([row.get(name) or None for name in COLUMN_NAMES])
    book.save(path)
    return path


@pytest.fixture
def env(
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    test_schema: str | None,
    monkeypatch: pytest.MonkeyPatch,
    workdir: Path,
) -> dict[str, str]:
    """The demo commune (province Quảng Trị) on the test database; the environment to reach it."""
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", database_url)
    if test_schema:
        monkeypatch.setenv("GIAMNGHEO_DATABASE_SCHEMA", test_schema)
    else:
        monkeypatch.delenv("GIAMNGHEO_DATABASE_SCHEMA", raising=False)
    result = CliRunner().invoke(app, ["demo-data", "--households", "100"])
    assert result.exit_code == 0, result.output
    return {**os.environ}


def policies(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["policies", *args])
    return result.exit_code, result.stdout, result.stderr


def chat(env: dict[str, str], lines: list[str]) -> str:
    done = subprocess.run(
        [str(GIAMNGHEO), "chat", "--as", "cadre"],
        input="\n".join(lines) + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_adds_the_provinces_cards_and_the_chat_shows_them_marked_as_local(
    env: dict[str, str], workdir: Path
) -> None:
    code, out, err = policies(
        "import", str(write_xlsx(workdir / "tinh.xlsx", [TET, TUITION_TOP_UP])),
        "--province", "Quảng Trị",
    )  # fmt: skip

    assert code == 0, err
    assert out.splitlines() == [
        "Đã nhập 2 chính sách riêng của tỉnh Quảng Trị.",
        "  Thêm mới: 2",
        "  Cập nhật: 0",
        "  Không thay đổi: 0",
    ]
    shown = chat(env, ["chinh sach qua tet", "hoc phi", "ho tro them hoc phi", "CS qua tet"])
    assert "Quà Tết cho hộ nghèo\nChính sách riêng của tỉnh Quảng Trị.\n" in shown
    assert "• Hộ cận nghèo: Mỗi hộ một suất quà theo kế hoạch của tỉnh." in shown
    assert "Thông tin kiểm tra lần cuối ngày 01/12/2026." in shown
    assert "Hỗ trợ thêm học phí\nChính sách riêng của tỉnh Quảng Trị.\n" in shown
    assert "Địa phương hỗ trợ thêm: Hỗ trợ thêm học phí (tỉnh Quảng Trị)" in shown
    assert shown.count("Quà Tết cho hộ nghèo\nChính sách riêng của tỉnh Quảng Trị.\n") == 2, (
        "the CS code finds the province's card too"
    )


def test_a_file_with_bad_rows_names_each_and_writes_nothing(
    env: dict[str, str], workdir: Path
) -> None:
    bad = [
        TET,
        {**TET, "ma": "bhyt"},
        {**TET, "ma": "Quà Tết", "doi_tuong": "giàu", "ngay_kiem_tra": "31/02/2026"},
        {**TUITION_TOP_UP, "bo_sung_cho": "khong_co", "ten": ""},
    ]
    code, _out, err = policies(
        "import", str(write_xlsx(workdir / "tinh.xlsx", bad)), "--province", "Quảng Trị"
    )

    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("Dòng 3, cột ma: Mã “bhyt” là của một chính sách toàn quốc")
    assert "Dòng 4, cột doi_tuong: “giàu” không phải diện hộ; chỉ nhận: ngheo, can_ngheo, " in err
    assert "Dòng 4, cột ngay_kiem_tra: “31/02/2026” không phải ngày" in err
    assert "Dòng 5, cột ten: Chưa điền, đây là cột bắt buộc." in lines
    assert "Dòng 5, cột bo_sung_cho: Không có chính sách toàn quốc mã “khong_co”" in err
    assert lines[-1] == "Tệp có 3 dòng không hợp lệ nên chưa ghi gì vào cơ sở dữ liệu."
    assert "Quà Tết" not in chat(env, ["chinh sach qua tet"])


def test_export_writes_national_and_local_cards_in_the_import_columns_and_imports_back(
    env: dict[str, str], workdir: Path
) -> None:
    policies("import", str(write_xlsx(workdir / "tinh.xlsx", [TET])), "--province", "Quảng Trị")

    code, out, err = policies("export", "danh_muc.xlsx")
    again = policies("import", "danh_muc.xlsx", "--province", "Quảng Trị")

    assert code == 0, err
    national = len(load_policies())
    assert out.strip() == (
        f"Đã ghi danh_muc.xlsx: {national} chính sách toàn quốc, 1 chính sách của tỉnh."
    )
    sheet = load_workbook(workdir / "danh_muc.xlsx").worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMN_NAMES
    assert len(rows) == 1 + national + 1
    by_code = {row[0]: dict(zip(COLUMN_NAMES, row, strict=True)) for row in rows[1:]}
    assert by_code["hoc_phi"]["can_cu"].startswith("NĐ 238/2025/NĐ-CP")
    assert by_code["vay_nuoc_sach_ve_sinh"]["muc_vay"].startswith("Tối đa 25 triệu đồng")
    assert by_code["bhyt"]["pham_vi"] == "Toàn quốc"
    assert by_code["qua_tet"]["pham_vi"] == "Quảng Trị"
    assert again[0] == 0, again[2]
    assert f"Bỏ qua {national} dòng chính sách toàn quốc (cột pham_vi)" in again[2]
    assert "  Không thay đổi: 1" in again[1]


def test_a_unit_that_is_not_a_province_is_refused_in_one_sentence(
    env: dict[str, str], workdir: Path
) -> None:
    code, _out, err = policies(
        "import", str(write_xlsx(workdir / "tinh.xlsx", [TET])), "--province", "Tân Lập"
    )

    assert code == 1
    assert err.strip() == (
        "“Quảng Trị / Tân Lập” không phải là tỉnh; chính sách riêng được nhập theo tỉnh."
    )


def test_export_must_be_an_xlsx_file(env: dict[str, str]) -> None:
    code, _out, err = policies("export", "danh_muc.csv")

    assert code == 1
    assert err.strip() == "Tệp xuất phải có đuôi .xlsx: danh_muc.csv"
